import { redactArgsText, redactError, redactText } from './redact';

const policy = { names: ['user', 'pin'], sensitive: ['pin'] as const };

describe('redactText', () => {
  it('replaces the strings and numbers of sensitive params, by name or by position, nested too', () => {
    expect(redactText('pin 98765 for bob', { user: 'bob', pin: 98765 }, policy)).toBe('pin [redacted] for bob');
    expect(redactText('pin 98765 for bob', ['bob', '98765'], policy)).toBe('pin [redacted] for bob');
    expect(redactText('codes abcd and efgh', { pin: { codes: ['abcd', 'efgh'] } }, policy)).toBe('codes [redacted] and [redacted]');
  });

  it('replaces the always-redacted names without a policy naming them, and every param when all are sensitive', () => {
    expect(redactText('with hunter2', { user: 'bob', password: 'hunter2' }, { names: [] })).toBe('with [redacted]');
    expect(redactText('bob-long said so', { user: 'bob-long' }, { names: ['user'], sensitive: true })).toBe('[redacted] said so');
  });

  it('leaves strings under four characters, and replaces a secret that contains another whole', () => {
    expect(redactText('pin 123 is short', { pin: '123' }, policy)).toBe('pin 123 is short');
    expect(redactText('abcdefgh', { pin: ['abcd', 'abcdefgh'] }, policy)).toBe('[redacted]');
  });
});

describe('redactError', () => {
  it('redacts the message and the stack of an error, keeping its name', () => {
    const err = new TypeError('cannot use 98765');
    const out = redactError(err, { pin: '98765' }, policy) as Error;
    expect(out).toBeInstanceOf(Error);
    expect(out.name).toBe('TypeError');
    expect(out.message).toBe('cannot use [redacted]');
    expect(out.stack).not.toContain('98765');
    expect(redactError('thrown 98765', { pin: '98765' }, policy)).toBe('thrown [redacted]');
  });

  it("redacts an error's own fields and cause, and a plain object or array thrown instead of an error", () => {
    const args = { user: 'bob', pin: '98765' };
    const err = Object.assign(new Error('login failed', { cause: new Error('pin 98765 refused') }), { code: 'E_PIN', tried: ['98765', 98765], user: 'bob' });
    const out = redactError(err, args, policy) as Error & { code: string; tried: unknown[]; user: string };
    expect([out.message, out.code, out.tried, out.user, (out.cause as Error).message]).toEqual(['login failed', 'E_PIN', ['[redacted]', '[redacted]'], 'bob', 'pin [redacted] refused']);
    expect(redactError({ reason: 'bad pin', input: { pin: '98765' } }, args, policy)).toEqual({ reason: 'bad pin', input: { pin: '[redacted]' } });
    expect(redactError(['98765', 'other'], args, policy)).toEqual(['[redacted]', 'other']);
    // The thrown value itself is left as it was.
    expect(err.tried).toEqual(['98765', 98765]);
  });

  it('copies a deep or cyclic thrown value only so far', () => {
    const cyclic: Record<string, unknown> = { note: 'pin 98765' };
    cyclic.self = cyclic;
    const out = redactError(cyclic, { pin: '98765' }, policy) as Record<string, unknown>;
    expect(out.note).toBe('pin [redacted]');
    expect(JSON.stringify(out)).toContain('[too deep]');
    expect(JSON.stringify(out)).not.toContain('98765');
  });
});

describe('redactArgsText', () => {
  it('names positional args and hides the sensitive ones', () => {
    expect(JSON.parse(redactArgsText(['bob', '9876'], policy))).toEqual({ user: 'bob', pin: '[redacted]' });
    expect(JSON.parse(redactArgsText({ user: 'bob', token: 't' }, policy))).toEqual({ user: 'bob', token: '[redacted]' });
  });
});
