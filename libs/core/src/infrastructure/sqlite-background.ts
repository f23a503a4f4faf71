import { Worker } from 'node:worker_threads';

/**
 * JS source of a function `openSideConnection(Database, path)`, for a thread that writes to an
 * SQLite file beside the main connection (this file's background thread, the span encoder's): a
 * writer that waits for a lock rather than fail, syncs at checkpoints only (WAL), and leaves
 * checkpoints to the background thread. Interpolated into each thread's source.
 */
export const OPEN_SIDE_CONNECTION = `
function openSideConnection(Database, path) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  return db;
}
`;

/**
 * JS source that lowers the priority of the thread it runs in (its nice value only, not the
 * process's), for threads doing background work: the SQLite file's background thread, the span
 * encoder. Woken by a message, such a thread at the event loop's priority was often run in the
 * event loop's place on its core; at nice 5 it gets about a quarter of a core both want (CFS
 * weights 335 and 1024), enough to keep up with what a saturated event loop hands it.
 */
export const LOWER_THREAD_PRIORITY = `
try {
  require('node:os').setPriority(5);
} catch {
  // Not allowed here (some containers): the thread runs at the process's priority.
}
`;

// The background thread: a connection of its own to the same file (WAL lets it write while the
// main connection reads) that runs the writes handed to it, and moves the WAL into the database
// file every interval without blocking readers or writers (PASSIVE). Plain JS in a string, so
// that it runs the same from sources under test and from dist.
const BACKGROUND = `
const { parentPort, workerData } = require('node:worker_threads');
${LOWER_THREAD_PRIORITY}
${OPEN_SIDE_CONNECTION}
const db = openSideConnection(require(workerData.driver), workerData.path);
const statements = new Map();
parentPort.on('message', (m) => {
  try {
    let stmt = statements.get(m.sql);
    if (stmt === undefined) {
      if (statements.size >= 64) statements.clear();
      statements.set(m.sql, (stmt = db.prepare(m.sql)));
    }
    const params = m.params.map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    parentPort.postMessage({ id: m.id, changes: stmt.run(params).changes });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: { message: String(err && err.message), code: err && err.code } });
  }
});
setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or locked: the next round takes it.
  }
}, workerData.checkpointMs);
`;

interface Pending {
  resolve(changes: number): void;
  reject(err: Error): void;
}

/**
 * An SQLite file's background thread. better-sqlite3 is synchronous: whatever it does on the
 * main thread holds up every call the process serves.
 * - Checkpoints: a checkpoint copies the WAL into the database file and syncs both to disk.
 *   SQLite runs it on whichever connection commits past the WAL's threshold, so by default one
 *   write in a thousand pages stalled the event loop for as long as the disk took (100 ms
 *   measured here under load). The main connection turns auto-checkpoints off; this thread
 *   checkpoints every `checkpointMs`.
 * - Writes nobody waits to read back (`execInBackground`: spans, logs of activity): committed
 *   here, so that the main thread only posts them.
 */
export class SqliteBackground {
  readonly #path: string;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  readonly #inFlight = new Set<Promise<number>>();
  #nextId = 1;
  #closed = false;

  constructor(path: string, checkpointMs = 1000) {
    this.#path = path;
    this.#worker = new Worker(BACKGROUND, { eval: true, workerData: { path, checkpointMs, driver: require.resolve('better-sqlite3') } });
    // Idle, it must not keep a process alive that has nothing else to do; writes in flight keep it referenced.
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; changes?: number; error?: { message: string; code?: string } }) => {
      const p = this.#pending.get(m.id);
      if (p === undefined) return;
      this.#pending.delete(m.id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (m.error === undefined) p.resolve(m.changes ?? 0);
      else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    });
    this.#worker.on('error', (err) => this.#fail(err));
    this.#worker.on('exit', (code) => this.#fail(new Error(`the background thread of SQLite database ${this.#path} stopped (exit code ${code}); writes it held were not made`)));
  }

  /** Runs one write statement (`?` placeholders) on the background connection. */
  exec(sql: string, params: readonly unknown[]): Promise<{ changes: number }> {
    if (this.#closed) return Promise.reject(new Error(`SQLite database ${this.#path} is closed; no write can be made in its background`));
    const id = this.#nextId++;
    if (this.#pending.size === 0) this.#worker.ref();
    // Long text goes as it is, copied: encoding it to UTF-8 to hand the bytes over cost the main
    // thread more than the copy (a span block of 50 kB: ~80 µs to encode against ~10 to copy).
    const written = new Promise<number>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, sql, params });
    });
    this.#inFlight.add(written);
    const settled = () => void this.#inFlight.delete(written);
    written.then(settled, settled);
    return written.then((changes) => ({ changes }));
  }

  /** Waits for the writes already handed over, then stops the thread. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.allSettled([...this.#inFlight]);
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }

  #fail(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
