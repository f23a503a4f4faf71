// Run by datetime.spec.ts in a child process whose TZ is not UTC (Jest's sandbox cannot change
// the zone of its own process): prints how the gateway's codec reads and writes dateTime.iso8601.
import packageDates from 'xmlrpc/lib/date_formatter';
import { methodResponse, readMethodCall } from './codec';

async function main(): Promise<void> {
  const body = '<?xml version="1.0"?><methodCall><methodName>x.y</methodName><params><param><value><dateTime.iso8601>19980717T14:08:55</dateTime.iso8601></value></param></params></methodCall>';
  const { params } = await readMethodCall(body, 10);
  const written = /<dateTime.iso8601>([^<]*)</.exec(methodResponse(new Date(Date.UTC(1998, 6, 17, 14, 8, 55))))?.[1];
  process.stdout.write(
    JSON.stringify({
      zone: process.env.TZ,
      offsetMinutes: new Date(Date.UTC(1998, 6, 17)).getTimezoneOffset(),
      read: params[0],
      written,
      packageRead: packageDates.decodeIso8601('19980717T14:08:55').toISOString(),
    }),
  );
}

main().catch((err: unknown) => {
  process.stderr.write(String((err as Error)?.stack ?? err));
  process.exitCode = 1;
});
