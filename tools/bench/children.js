'use strict';
// Child processes for the bench: start, wait until ready, stop, and never leave one behind.
//
// Each child is a node process started
//  - with `-r exit-with-parent.js` and an IPC channel, so it exits by itself if the bench dies
//    without a chance to clean up (SIGKILL);
//  - detached, i.e. leader of its own process group: Ctrl-C in the terminal reaches only the bench,
//    which then stops the servers in order, and a kill of the group also reaches anything a server
//    started in turn.

const { spawn } = require('node:child_process');
const net = require('node:net');
const path = require('node:path');

const PRELOAD = path.join(__dirname, 'exit-with-parent.js');
const live = new Set();

/** A port nobody listens on now: bind port 0, read the port the kernel chose, release it. */
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts `node [nodeArgs] script [args]`. Keeps the last lines of its output for error messages;
 * `child.exited` resolves with the exit code (or signal name).
 */
function start(name, script, args = [], { env = {}, nodeArgs = [], cwd } = {}) {
  const child = spawn(process.execPath, ['-r', PRELOAD, ...nodeArgs, script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  child.name = name;
  child.tail = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  const keep = (chunk) => {
    child.tail.push(...chunk.split('\n').filter(Boolean));
    child.tail.splice(0, Math.max(0, child.tail.length - 40));
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve(code ?? signal);
    });
    child.on('error', (err) => {
      live.delete(child);
      resolve(err.message);
    });
  });
  live.add(child);
  return child;
}

function describe(child) {
  const status = child.exitCode !== null ? `, exited with code ${child.exitCode}` : child.signalCode !== null ? `, killed by ${child.signalCode}` : '';
  return `${child.name} (pid ${child.pid}${status}); its last output:\n    ${child.tail.join('\n    ') || '(none)'}`;
}

/** Resolves with the first match of `pattern` on the child's stdout; rejects if it exits or times out. */
function waitForLine(child, pattern, timeoutMs) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let settled = false;
    const timer = setTimeout(() => done(new Error(`no line matching ${pattern} within ${timeoutMs} ms from ${describe(child)}`)), timeoutMs);
    const onData = (chunk) => {
      buffered += chunk;
      const m = pattern.exec(buffered);
      if (m) done(null, m);
    };
    const onExit = (code) => done(new Error(`${child.name} exited (${code}) before it was ready: ${describe(child)}`));
    child.stdout.on('data', onData);
    child.exited.then(onExit);
    function done(err, match) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      if (err) reject(err);
      else resolve(match);
    }
  });
}

/** Runs a child to completion and resolves with its stdout; rejects with its output if it fails. */
async function run(name, script, args, opts) {
  const child = start(name, script, args, opts);
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const code = await child.exited;
  if (code !== 0) throw new Error(`${name} failed (exit ${code}): ${describe(child)}`);
  return out;
}

/**
 * CPU seconds (user + system) the process has used so far, from /proc (Linux): all its threads,
 * or with `mainThread` only its main thread's (a Node process's event loop).
 */
function cpuSeconds(child, { mainThread = false } = {}) {
  try {
    const file = mainThread ? `/proc/${child.pid}/task/${child.pid}/stat` : `/proc/${child.pid}/stat`;
    const stat = require('node:fs').readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // after "pid (comm) "
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal); // the whole process group the child leads
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL whoever has not exited after `graceMs`. */
async function stop(child, graceMs = 5000) {
  if (!live.has(child)) return;
  signalGroup(child, 'SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs, 'timeout'));
  if ((await Promise.race([child.exited, timer])) === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await child.exited;
  }
}

function stopAll(graceMs) {
  return Promise.all([...live].map((child) => stop(child, graceMs)));
}

// Last resort, synchronous (nothing async runs in an 'exit' handler): kill whatever is left.
process.on('exit', () => {
  for (const child of live) signalGroup(child, 'SIGKILL');
});

module.exports = { freePort, start, run, waitForLine, stop, stopAll, describe, cpuSeconds };
