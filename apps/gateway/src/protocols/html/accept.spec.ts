import { prefersHtml } from './accept';

describe('prefersHtml', () => {
  it.each([
    ['Firefox', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['Chromium', 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7', true],
    ['upper case', 'TEXT/HTML', true],
    ['HTML over a JSON wildcard', 'text/html, application/*;q=0.5', true],
    ['no header', undefined, false],
    ['curl', '*/*', false],
    ['a JSON client', 'application/json', false],
    ['a tie', 'text/html, application/json', false],
    ['JSON ranked higher', 'text/html;q=0.4, application/json;q=0.9', false],
    ['HTML refused', 'text/html;q=0, */*', false],
    ['text/* only', 'text/*', false],
    ['a malformed header', 'text/html;q=abc', false],
  ])('%s: %s -> %s', (_who, accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});
