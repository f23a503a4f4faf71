import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { methodResponse, readMethodCall } from './codec';
import { formatDateTime, parseDateTime } from './datetime';

const EPOCH = Date.UTC(1998, 6, 17, 14, 8, 55);
const call = (value: string) => `<?xml version="1.0"?><methodCall><methodName>x.y</methodName><params><param><value>${value}</value></param></params></methodCall>`;

describe('dateTime.iso8601', () => {
  it('is read and written as UTC by a gateway in Los Angeles, where the xmlrpc package alone would use local time', async () => {
    // A child process: Jest's sandbox keeps its own copy of process.env, so TZ cannot be changed in here.
    const probe = join(__dirname, 'datetime.test-support.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions', '@junction/source', probe], {
      env: { ...process.env, TZ: 'America/Los_Angeles' },
      timeout: 20_000,
    });
    expect(JSON.parse(stdout)).toEqual({
      zone: 'America/Los_Angeles',
      offsetMinutes: 420,
      read: '1998-07-17T14:08:55.000Z',
      written: '19980717T14:08:55',
      packageRead: '1998-07-17T21:08:55.000Z',
    });
  }, 30_000);

  it.each([
    ['19980717T14:08:55', EPOCH],
    ['1998-07-17T14:08:55', EPOCH],
    ['19980717T140855', EPOCH],
    ['19980717T14:08:55Z', EPOCH],
    ['19980717T14:08:55.250', EPOCH + 250],
    ['1998-07-17T16:08:55+02:00', EPOCH],
    ['19980717T16:08:55+0200', EPOCH],
    ['19980717T07:08:55-07', EPOCH],
    [' 19980717T14:08:55 ', EPOCH],
  ])('reads %j as UTC unless it says otherwise', (text, epoch) => {
    expect(parseDateTime(text).getTime()).toBe(epoch);
  });

  it('reads year 1 as year 1, not 1901', () => {
    expect(parseDateTime('00010101T00:00:00').getUTCFullYear()).toBe(1);
  });

  it.each(['19980717', '1998-07-17 14:08:55', '19980231T00:00:00', '19980717T24:00:00', '19980717T14:08:61', '19980717T14:08:55+25:00', 'yesterday', ''])(
    'refuses %j, naming the value and the form expected',
    (text) => {
      expect(() => parseDateTime(text)).toThrow(`Expected a dateTime.iso8601 like 19980717T14:08:55 (UTC) or 1998-07-17T14:08:55+02:00 but got '${text}'`);
    },
  );

  it('writes UTC without a zone or fraction, as Python reads it', () => {
    expect(formatDateTime(new Date(EPOCH + 999))).toBe('19980717T14:08:55');
    expect(formatDateTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('20260102T03:04:05');
    expect(() => formatDateTime(new Date(Date.UTC(10000, 0, 1)))).toThrow('its year must be 0..9999');
    expect(() => formatDateTime(new Date(NaN))).toThrow('Invalid Date');
  });

  it("reads a call's dateTime without a zone as that exact UTC moment", async () => {
    const { params } = await readMethodCall(call('<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>'), 10);
    expect(params).toEqual([new Date(EPOCH).toISOString()]);
  });

  it('keeps an explicit offset when reading a call', async () => {
    const { params } = await readMethodCall(call('<dateTime.iso8601>1998-07-17T16:08:55+02:00</dateTime.iso8601>'), 10);
    expect(params).toEqual(['1998-07-17T14:08:55.000Z']);
  });

  it('answers an unreadable dateTime with a parse error naming it', async () => {
    await expect(readMethodCall(call('<dateTime.iso8601>17/07/1998</dateTime.iso8601>'), 10)).rejects.toMatchObject({
      code: 'PARSE_ERROR',
      message: expect.stringContaining("but got '17/07/1998'"),
    });
  });

  it('writes a Date in a response as UTC, and bytes as base64', () => {
    const xml = methodResponse([new Date(EPOCH), new Uint8Array([0, 255]), Buffer.from('hi')]);
    expect(xml).toContain('<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>');
    expect(xml).toContain('<base64>AP8=</base64>');
    expect(xml).toContain('<base64>aGk=</base64>');
  });
});
