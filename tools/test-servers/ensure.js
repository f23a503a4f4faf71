#!/usr/bin/env node
'use strict';
// Run by `npm test` before any test (see DESIGN.md "Real components, and how they start").
// Makes sure RabbitMQ, Redis and PostgreSQL answer: one that answers is used, one installed but
// stopped is started, one missing is installed from Debian's packages when we are root; otherwise
// we exit 1 with the exact command to run. Programs the tests drive (Chromium) are checked by
// running them, and installed the same way. Plain CommonJS on Node built-ins, so it works right
// after `npm ci`.
//   --dry-run                          print what would be done instead of doing it
//   JUNCTION_SKIP_SERVERS=redis,...    leave these servers (or chromium) out
//   JUNCTION_PRETEND_MISSING=redis,... treat these as not installed (to exercise the install path)
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');

const DRY = process.argv.includes('--dry-run');
const list = (s) => (s || '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
const SKIP = list(process.env.JUNCTION_SKIP_SERVERS);
const PRETEND_MISSING = list(process.env.JUNCTION_PRETEND_MISSING);
const IS_ROOT = process.getuid && process.getuid() === 0;
const LOCAL_HOSTS = ['127.0.0.1', 'localhost', '::1'];
const WAIT_MS = 120_000; // RabbitMQ alone can take 20-40 s to boot
const TRUST_LINES = ['host all all 127.0.0.1/32 trust', 'host all all ::1/128 trust'];

// ---------- running commands ----------
// Output goes to a temp file, not a pipe: daemons we start (redis, rabbitmq, postgres) inherit
// the child's stdout, and a pipe they hold open would keep us waiting for 'close'.
const TMP = fs.mkdtempSync(path.join(os.tmpdir(), 'junction-servers-'));
let seq = 0;
function run(step) {
  return new Promise((resolve) => {
    const file = path.join(TMP, `${++seq}.log`);
    const fd = fs.openSync(file, 'w');
    const child = spawn(which(step.argv[0]) || step.argv[0], step.argv.slice(1), {
      stdio: ['ignore', fd, fd], env: { ...process.env, ...step.env },
    });
    const finish = (code, err) => {
      fs.closeSync(fd);
      resolve({ code, out: fs.readFileSync(file, 'utf8') + (err ? err.message : '') });
    };
    child.on('error', (err) => finish(127, err));
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}
async function mustRun(step) {
  const r = await run(step);
  if (r.code !== 0) throw new Error(`\`${show(step)}\` exited ${r.code}:\n${r.out.trim().split('\n').slice(-15).join('\n')}`);
  return r;
}
const cmd = (...argv) => ({ argv });
const quote = (a) => (a === '' ? '""' : /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
const show = (s) => Object.entries(s.env || {}).map(([k, v]) => `${k}=${v} `).join('') + s.argv.map(quote).join(' ');
// sbin is searched too: a non-root PATH often lacks it, and rabbitmq-server lives there.
function which(bin) {
  const dirs = [...(process.env.PATH || '').split(':'), '/usr/sbin', '/sbin'];
  return dirs.filter(Boolean).map((d) => path.join(d, bin)).find((f) => fs.existsSync(f)) || null;
}
const pgVersion = () => {
  try { return fs.readdirSync('/etc/postgresql').sort((a, b) => Number(b) - Number(a))[0]; } catch { return undefined; }
};

// ---------- protocol checks: each resolves {up} or {down, why} or {wrong, why} ----------
// "wrong" = something answered on the port but it is not the server we want: starting ours won't help.
function probe(host, port, hello, judge, ms = 2000) {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0), settled = false, connected = false;
    const sock = net.connect({ host, port });
    const done = (r) => { if (!settled) { settled = true; clearTimeout(timer); sock.destroy(); resolve(r); } };
    // Accepted but silent means some other program holds the port: starting ours would not help.
    const timer = setTimeout(() => done(connected ? { wrong: true, why: `accepted the connection but sent no answer in ${ms} ms` }
      : { down: true, why: `no connection within ${ms} ms` }), ms);
    sock.on('connect', () => { connected = true; sock.write(hello); });
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); const r = judge(buf); if (r) done(r); });
    sock.on('error', (e) => done({ down: true, why: e.code || e.message }));
    sock.on('close', () => done(buf.length ? { wrong: true, why: `answered ${JSON.stringify(buf.toString('latin1', 0, 40))} and hung up` }
      : { down: true, why: 'connection closed without an answer' }));
  });
}
// AMQP 0-9-1: after the protocol header the broker sends a method frame (type 1) on channel 0
// carrying Connection.Start (class 10, method 10); a broker that dislikes the version echoes its own header.
const checkAmqp = (s) => probe(s.host, s.port, Buffer.from('AMQP\x00\x00\x09\x01', 'latin1'), (b) => {
  if (b.length >= 8 && b.toString('latin1', 0, 4) === 'AMQP') return { wrong: true, why: `speaks AMQP ${[...b.subarray(5, 8)].join('-')}` };
  if (b.length < 11) return null;
  return b[0] === 1 && b.readUInt16BE(7) === 10 && b.readUInt16BE(9) === 10 ? { up: true } : { wrong: true, why: 'no Connection.Start frame' };
});
// Redis: PING -> +PONG (after AUTH when the URL carries a password).
const resp = (...a) => `*${a.length}\r\n` + a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('');
function checkRedis(s) {
  const auth = s.password ? [s.user ? resp('AUTH', s.user, s.password) : resp('AUTH', s.password)] : [];
  return probe(s.host, s.port, auth.join('') + resp('PING'), (b) => {
    const lines = b.toString('latin1').split('\r\n').slice(0, -1); // complete lines only
    if (lines.some((l) => l.startsWith('-LOADING'))) return { down: true, why: 'loading its dataset' };
    const err = lines.find((l) => l.startsWith('-'));
    if (err) return { wrong: true, why: err.slice(1) };
    if (lines.length < auth.length + 1) return null;
    return lines[auth.length] === '+PONG' ? { up: true } : { wrong: true, why: `answered ${lines[auth.length]}` };
  });
}
// PostgreSQL: pg_isready (exit 0 accepting, 1 rejecting e.g. starting up, 2 no response); without
// it, an SSLRequest that any PostgreSQL server answers with a single 'S' or 'N'.
async function checkPg(s) {
  if (which('pg_isready')) {
    const r = await run(cmd('pg_isready', '-h', s.host, '-p', String(s.port), '-t', '2'));
    return r.code === 0 ? { up: true } : { down: true, why: r.out.trim() || `pg_isready exited ${r.code}` };
  }
  const sslRequest = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
  return probe(s.host, s.port, sslRequest, (b) => (b[0] === 0x53 || b[0] === 0x4e ? { up: true } : { wrong: true, why: 'not PostgreSQL' }));
}

// ---------- PostgreSQL: database and access for the tests ----------
const pgHba = (v) => `/etc/postgresql/${v}/main/pg_hba.conf`;
const reloadPg = (v) => cmd('pg_ctlcluster', '--skip-systemctl-redirect', v, 'main', 'reload');
// Tests connect over TCP as `postgres` with no password; Debian's default pg_hba asks for one.
async function trustLocalhost() {
  const v = pgVersion(), file = pgHba(v), text = fs.readFileSync(file, 'utf8');
  const present = text.split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
  const add = TRUST_LINES.filter((l) => !present.includes(l));
  if (add.length === 0) return '';
  fs.writeFileSync(file, `# added by junction tools/test-servers/ensure.js for the test suite\n${add.join('\n')}\n${text}`);
  await mustRun(reloadPg(v));
  return `; added password-less trust for localhost TCP to ${file}`;
}
async function pgAfter(s, installedNow) {
  if (!which('psql')) return `; psql not found, so database ${s.db} was not checked`;
  const conn = ['-h', s.host, '-p', String(s.port), '-U', s.user, '-w'];
  const env = { LC_ALL: 'C', ...(s.password ? { PGPASSWORD: s.password } : {}) }; // C: we match English errors
  const query = () => run({ argv: ['psql', ...conn, '-d', 'postgres', '-Atc',
    `SELECT 1 FROM pg_database WHERE datname = '${s.db.replace(/'/g, "''")}'`], env });
  let r = await query(), note = '';
  const refused = r.code !== 0 && /password|pg_hba\.conf/.test(r.out);
  // Only loosen auth for a server we installed, or when a password-less login is refused.
  if (IS_ROOT && !s.password && (installedNow || refused)) { note = await trustLocalhost(); r = await query(); }
  if (r.code !== 0) throw new Error(`psql ${conn.join(' ')} failed: ${r.out.trim()}`);
  if (r.out.trim() === '1') return note;
  await mustRun({ argv: ['createdb', ...conn, s.db], env }); // creates only; never drops anything
  return `${note}; created database ${s.db}`;
}

// ---------- the servers ----------
const SERVERS = [
  { name: 'rabbitmq', env: 'JUNCTION_AMQP_URL', url: 'amqp://guest:guest@127.0.0.1:5672', port: 5672,
    pkg: 'rabbitmq-server', log: '/var/log/rabbitmq/', check: checkAmqp, installed: () => Boolean(which('rabbitmq-server')),
    start: () => [cmd('rabbitmq-server', '-detached')] },
  { name: 'redis', env: 'JUNCTION_REDIS_URL', url: 'redis://127.0.0.1:6379', port: 6379,
    pkg: 'redis-server', log: '/var/log/redis/ci.log', check: checkRedis, installed: () => Boolean(which('redis-server')),
    start: (s) => [cmd('mkdir', '-p', '/var/lib/redis', '/var/log/redis'),
      cmd('redis-server', '--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', String(s.port), '--save', '',
        '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log')] },
  { name: 'postgres', aliases: ['postgresql', 'pg'], env: 'JUNCTION_PG_URL', url: 'postgres://postgres@127.0.0.1:5432/test',
    port: 5432, pkg: 'postgresql', log: '/var/log/postgresql/', check: checkPg, after: pgAfter,
    installed: () => Boolean(pgVersion() && which('pg_ctlcluster')),
    start: () => [cmd('pg_ctlcluster', '--skip-systemctl-redirect', pgVersion() || '$(ls /etc/postgresql)', 'main', 'start')] },
].map((s) => {
  const u = new URL(process.env[s.env] || s.url);
  return { ...s, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) || s.port,
    user: decodeURIComponent(u.username) || (s.name === 'postgres' ? 'postgres' : ''),
    password: decodeURIComponent(u.password), db: decodeURIComponent(u.pathname.slice(1)) || 'postgres' };
});
const named = (s, names) => names.includes(s.name) || (s.aliases || []).some((a) => names.includes(a));

// ---------- programs the tests run (no port to probe): present and runnable, or installed ----------
const CHROMIUM = '/usr/bin/chromium';
async function checkProgram(p) {
  if (!fs.existsSync(p.bin)) return { down: true, why: `${p.bin} not found` };
  const r = await run(cmd(p.bin, ...p.versionArgs));
  return r.code === 0 ? { up: true, version: r.out.trim().split('\n').pop() } : { wrong: true, why: `\`${p.bin} ${p.versionArgs.join(' ')}\` exited ${r.code}: ${r.out.trim().slice(-200)}` };
}
const PROGRAMS = [
  // The browser tests drive it with playwright-core (apps/gateway, *.int.spec.ts).
  { name: 'chromium', pkg: 'chromium', bin: CHROMIUM, versionArgs: ['--headless', '--no-sandbox', '--version'] },
];

// apt-get holds the dpkg lock, so apt work is queued: one `apt-get update`, then installs one by one.
let aptQueue = Promise.resolve(), aptUpdated = false;
const installSteps = (s) => [cmd('apt-get', 'update'),
  { argv: ['apt-get', 'install', '-y', '-o', 'DPkg::Lock::Timeout=120', s.pkg], env: { DEBIAN_FRONTEND: 'noninteractive' } }];
function install(s) {
  const job = aptQueue.then(async () => {
    if (!aptUpdated) { await mustRun(installSteps(s)[0]); aptUpdated = true; }
    await mustRun(installSteps(s)[1]);
  });
  aptQueue = job.catch(() => {}); // a failed install must not block the others' turn
  return job;
}

// One ticker for everything we wait on, so a slow RabbitMQ boot does not look like a hang.
const waiting = new Map();
const ticker = setInterval(() => {
  for (const [s, w] of waiting) console.log(`${s.name}: still waiting for it to answer at ${where(s)} (${secs(w.since)}; last: ${w.why})`);
}, 10_000);
async function waitUntilUp(s) {
  const w = { since: Date.now(), why: 'not checked yet' };
  waiting.set(s, w);
  try {
    while (Date.now() - w.since < WAIT_MS) {
      const r = await s.check(s);
      if (r.up) return;
      w.why = r.why;
      await new Promise((ok) => setTimeout(ok, 250));
    }
    throw new Error(`did not answer at ${where(s)} within ${WAIT_MS / 1000} s (last: ${w.why}); see its log in ${s.log}`);
  } finally { waiting.delete(s); }
}

const where = (s) => (s.host.includes(':') ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`);
const secs = (t0) => { const ms = Date.now() - t0; return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`; };

async function ensure(s) {
  const t0 = Date.now();
  const pretend = named(s, PRETEND_MISSING);
  const state = pretend ? { down: true, why: 'pretending it is missing' } : await s.check(s);
  if (state.up) {
    const extra = s.after && !DRY && LOCAL_HOSTS.includes(s.host) ? await s.after(s, false) : '';
    return `answering at ${where(s)}${extra} (${secs(t0)})`;
  }
  if (state.wrong) throw new Error(`${where(s)} answers, but not as ${s.name} should (${state.why}); not starting another`);
  if (!LOCAL_HOSTS.includes(s.host)) throw new Error(`not answering at ${where(s)} (${state.why}); remote host, so not starting it`);

  const missing = pretend || !s.installed();
  const plan = [...(missing ? installSteps(s) : []), ...s.start(s)];
  if (DRY) {
    const then = s.name === 'postgres' ? `; then${missing ? ` prepend to pg_hba.conf: ${TRUST_LINES.join(' / ')} and reload;` : ''} create database ${s.db} if missing` : '';
    return `${missing ? 'missing' : 'stopped'} (${state.why}); would run: ${plan.map(show).join(' && ')}; then wait up to ${WAIT_MS / 1000} s for it to answer at ${where(s)}${then}`;
  }
  if (missing && !IS_ROOT) throw new Error(`not installed, and installing needs root. As root, run:\n  ${plan.map(show).join(' && ')}`);
  if (missing) await install(s);
  // A package's install script may already have started it (on machines without policy-rc.d).
  try {
    if (!missing || !(await s.check(s)).up) for (const step of s.start(s)) await mustRun(step);
  } catch (err) {
    throw IS_ROOT ? err : new Error(`${err.message}\nstarting it may need root; as root, run: ${s.start(s).map(show).join(' && ')}`);
  }
  await waitUntilUp(s);
  const extra = s.after ? await s.after(s, missing) : '';
  return `${missing ? 'installed and started' : 'started'} at ${where(s)}${extra} (${secs(t0)})`;
}

async function ensureProgram(p) {
  const t0 = Date.now();
  const pretend = named(p, PRETEND_MISSING);
  const state = pretend ? { down: true, why: 'pretending it is missing' } : await checkProgram(p);
  if (state.up) return `${p.bin} runs (${state.version}) (${secs(t0)})`;
  if (state.wrong) throw new Error(`${p.bin} is installed but does not run (${state.why}); reinstall with: ${installSteps(p).map(show).join(' && ')}`);
  const plan = installSteps(p);
  if (DRY) return `missing (${state.why}); would run: ${plan.map(show).join(' && ')}`;
  if (!IS_ROOT) throw new Error(`not installed, and installing needs root. As root, run:\n  ${plan.map(show).join(' && ')}`);
  await install(p);
  const after = await checkProgram(p);
  if (!after.up) throw new Error(`installed package ${p.pkg}, but ${p.bin} still does not run (${after.why})`);
  return `installed: ${p.bin} (${after.version}) (${secs(t0)})`;
}

async function main() {
  const chosen = [...SERVERS.filter((s) => !named(s, SKIP)).map((s) => [s, ensure]), ...PROGRAMS.filter((p) => !named(p, SKIP)).map((p) => [p, ensureProgram])];
  const results = await Promise.all(chosen.map(([s, ensureOne]) => ensureOne(s).then(
    (msg) => { console.log(`${s.name}: ${msg}`); return true; },
    (err) => { console.error(`${s.name}: FAILED: ${err.message}`); return false; })));
  clearInterval(ticker);
  fs.rmSync(TMP, { recursive: true, force: true });
  if (results.includes(false)) {
    console.error('test servers: not all answering; see above (JUNCTION_SKIP_SERVERS=name,... skips one)');
    process.exit(1);
  }
  process.exit(0);
}
main();
