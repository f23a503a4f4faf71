'use strict';
// `npm run bench -- --write`: puts the bench's output into docs/benchmarks.md between
// `<!-- bench:embedded:start -->` and `<!-- bench:embedded:end -->`, leaving everything outside
// the markers (the intro, other benchmarks' sections) as it was.

const fs = require('node:fs');

const START = '<!-- bench:embedded:start -->';
const END = '<!-- bench:embedded:end -->';

const HOW_TO_READ = `How to read it: both servers ran on the machine named above, in the same run, with the load
generator (autocannon) in a third process; each row is the mean of two measured runs, taken in
alternating order. Read the ratios, not the absolute req/s, which depend on the machine. The
junction/bare req/s ratio is the share of a bare Fastify server's throughput that the platform
keeps once a call goes through JSON-RPC handling, the deadline and route proxies, the memory
transport (which serializes the request and reply as RabbitMQ would) and the provider's
validation and concurrency queue; a latency ratio above 1 is the cost the platform adds to each
call. "server cpu" is the CPU the server used during the measured run (100% = one core). At 64
connections it should be near 100%, i.e. the server is the bottleneck; well below would mean the
load generator was, and the req/s ratio would understate the platform's overhead. At 1 connection
it is lower by nature: the server idles during each round trip. "cpu us/call" is that CPU divided
by the calls answered: the cost of one call, which other load on a shared machine disturbs less
than req/s, so it is the figure to check when the machine was busy (the load average before the
run, on the machine line, says whether it was). "run-to-run" is the gap between the two runs of
a row; when it is as large as the difference you care about, run again with a longer
BENCH_SECONDS.`;

function section(output) {
  return [
    START,
    '## Embedded platform vs bare Fastify (`npm run bench`)',
    '',
    'Written by `npm run bench -- --write` (tools/bench/embedded.js); do not edit between the markers.',
    '',
    HOW_TO_READ,
    '',
    '```text',
    output,
    '```',
    END,
  ].join('\n');
}

/** Replaces (or appends) the section in `file`; returns the file's path. */
function writeSection(file, output) {
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = before.indexOf(START);
  const end = before.indexOf(END);
  let after;
  if (start !== -1 && end > start) {
    after = before.slice(0, start) + section(output) + before.slice(end + END.length);
  } else if (start === -1 && end === -1) {
    after = `${before.trimEnd()}\n\n${section(output)}\n`;
  } else {
    throw new Error(`${file}: found only one of ${START} / ${END}, or in the wrong order; fix the markers by hand`);
  }
  fs.writeFileSync(file, after);
  return file;
}

module.exports = { writeSection };
