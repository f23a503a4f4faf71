import { Writable } from 'node:stream';
import { createLogger } from './logger';

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, text: () => text };
}

describe('createLogger', () => {
  it('writes one JSON object a line by default', () => {
    const out = sink();
    createLogger({ destination: out.stream, name: 'n1' }).info({ service: 'calc' }, 'hello');
    const line = JSON.parse(out.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, node: 'n1', service: 'calc', msg: 'hello' });
  });

  it('writes readable text for a person when asked', () => {
    const out = sink();
    createLogger({ destination: out.stream, format: 'pretty' }).warn({ service: 'calc' }, 'slow call');
    expect(out.text()).toMatch(/WARN.*slow call/);
    expect(out.text()).toContain('"service":"calc"');
    expect(() => JSON.parse(out.text())).toThrow();
  });
});
