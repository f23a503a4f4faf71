#!/usr/bin/env node
'use strict';
// Where a server's CPU time went: reads a V8 .cpuprofile (from `node --cpu-prof`, e.g.
// `BENCH_CPU_PROF=/tmp/prof npm run bench`) and prints the functions with the most self time,
// then the same time summed by where the code lives (a package, a Junction project, Node itself).
// Self time, not total: it names the code that actually burns the CPU, not its callers.
//
// usage: node tools/bench/profile-top.js <file.cpuprofile> [count=25]

const fs = require('node:fs');
const path = require('node:path');

const [file, countText = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/bench/profile-top.js <file.cpuprofile> [count]');
  process.exit(2);
}
const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// Each sample names the node running when it was taken; timeDeltas[i] is the time since the
// previous sample, so attribute it to that sample's node. Idle time is left out of the total:
// percentages are of the time the process was busy.
const self = new Map();
let total = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  if (byId.get(id).callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const ROOT = path.resolve(__dirname, '..', '..');
function where(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native code: syscalls, builtins)';
  if (url.startsWith('node:')) return 'node core';
  const p = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p);
  if (pkg) return pkg[1];
  const rel = path.relative(ROOT, p);
  return rel.startsWith('..') ? p : rel.split(path.sep).slice(0, 2).join('/');
}

const functions = new Map();
const places = new Map();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id).callFrame;
  const place = where(url, functionName);
  const short = url ? `${url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '')}:${lineNumber + 1}` : '';
  const key = `${functionName || '(anonymous)'}  ${short}`;
  functions.set(key, (functions.get(key) ?? 0) + us);
  places.set(place, (places.get(place) ?? 0) + us);
}

const count = Number(countText);
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
const ms = (us) => `${(us / 1000).toFixed(0).padStart(7)} ms`;
const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n);

console.log(`${path.basename(file)}: ${(total / 1e6).toFixed(1)} s busy, ${(idle / 1e6).toFixed(1)} s idle\n`);
console.log('self time by function');
for (const [key, us] of top(functions, count)) console.log(`${pct(us)} ${ms(us)}  ${key}`);
console.log('\nself time by package / project');
for (const [place, us] of top(places, 15)) console.log(`${pct(us)} ${ms(us)}  ${place}`);
