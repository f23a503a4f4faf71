'use strict';
// `npm run bench -- --write`: puts the bench's output into docs/benchmarks.md between
// `<!-- bench:embedded:start -->` and `<!-- bench:embedded:end -->`, leaving everything outside
// the markers (the intro, other benchmarks' sections) as it was. `writeMarkedSection` does the
// same for any benchmark's section (`npm run bench:cluster -- --write` uses `cluster`).

const fs = require('node:fs');

const markers = (name) => [`<!-- bench:${name}:start -->`, `<!-- bench:${name}:end -->`];

const HOW_TO_READ = `How to read it: both servers ran on the machine named above, in the same run, with the load
generator (autocannon) in a third process; each row is the mean of its measured runs (two at 1
connection, two per round at 64), taken in alternating order. Read the ratios, not the absolute
req/s, which depend on the machine. A goal is read from the runs' adjacent pairs (junction next
to bare, tracing next to junction, measured seconds apart): its ratio is their median, and every
pair is shown; "not every pair" means the pairs fell on both sides of the goal. The
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
run, on the machine line, says whether it was). "loop us/call" is the part of it spent on the
server's main thread, its event loop, which every call waits for; the rest ran on other threads
(garbage collection helpers, SQLite's and the span encoder's threads). "run-to-run" is the gap between the fastest and
slowest runs of a row; when it is as large as the difference you care about, run again with more
BENCH_ROUNDS or a longer BENCH_SECONDS.`;

/** A benchmark's section of docs/benchmarks.md, between its markers: heading, provenance, how to read it, the output. */
function renderSection({ name, title, command, script, howToRead, output }) {
  const [start, end] = markers(name);
  return [
    start,
    `## ${title} (\`${command}\`)`,
    '',
    `Written by \`${command} -- --write\` (${script}); do not edit between the markers.`,
    '',
    howToRead,
    '',
    '```text',
    output,
    '```',
    end,
  ].join('\n');
}

const section = (output) =>
  renderSection({ name: 'embedded', title: 'Embedded platform vs bare Fastify', command: 'npm run bench', script: 'tools/bench/embedded.js', howToRead: HOW_TO_READ, output });

/** Replaces (or appends) the section in `file`; returns the file's path. */
function writeSection(file, output) {
  return writeMarkedSection(file, 'embedded', section(output));
}

/**
 * Replaces what lies between `<!-- bench:<name>:start -->` and `<!-- bench:<name>:end -->` in
 * `file` with `text` (which must start and end with those markers), or appends `text` if the file
 * has neither marker. Everything outside the markers is left as it was. Returns the file's path.
 */
function writeMarkedSection(file, name, text) {
  const [start, end] = markers(name);
  if (!text.startsWith(start) || !text.endsWith(end)) throw new Error(`a section written into ${file} must start with ${start} and end with ${end}`);
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const at = before.indexOf(start);
  const to = before.indexOf(end);
  let after;
  if (at !== -1 && to > at) {
    after = before.slice(0, at) + text + before.slice(to + end.length);
  } else if (at === -1 && to === -1) {
    after = `${before.trimEnd()}\n\n${text}\n`;
  } else {
    throw new Error(`${file}: found only one of ${start} / ${end}, or in the wrong order; fix the markers by hand`);
  }
  fs.writeFileSync(file, after);
  return file;
}

module.exports = { writeSection, writeMarkedSection, renderSection, markers };
