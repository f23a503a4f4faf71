import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDbConformance } from './db.conformance';
import { createSqliteDb, toSqlite } from './sqlite';

describeDbConformance(
  'sqlite :memory:',
  async () => createSqliteDb({ type: 'sqlite', path: ':memory:' }),
  (db) => db.close(),
);

const dir = mkdtempSync(join(tmpdir(), 'junction-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeDbConformance(
  'sqlite file',
  // A folder that does not exist yet: createSqliteDb makes it.
  async () => createSqliteDb({ type: 'sqlite', path: join(dir, 'nested', 'conformance.db') }),
  (db) => db.close(),
);

describe('sqlite', () => {
  it('keeps what a file db committed after it is closed and opened again', async () => {
    const path = join(dir, 'reopen.db');
    const first = createSqliteDb({ type: 'sqlite', path });
    await first.exec('CREATE TABLE kept (id TEXT PRIMARY KEY)');
    await first.exec('INSERT INTO kept (id) VALUES ($1)', ['k1']);
    await first.close();
    const second = createSqliteDb({ type: 'sqlite', path });
    await expect(second.query('SELECT id FROM kept')).resolves.toEqual([{ id: 'k1' }]);
    await second.close();
  });

  it('checkpoints a file db on its own thread: commits on the event loop only append to the WAL', async () => {
    const path = join(dir, 'wal.db');
    const db = createSqliteDb({ type: 'sqlite', path });
    await db.exec('CREATE TABLE blobs (body TEXT)');
    // 4 MB, about a thousand pages: past SQLite's default auto-checkpoint threshold.
    for (let i = 0; i < 40; i++) await db.exec('INSERT INTO blobs (body) VALUES ($1)', ['x'.repeat(100_000)]);
    const walAfterWrites = statSync(`${path}-wal`).size;
    expect(walAfterWrites).toBeGreaterThan(4_000_000);
    expect(statSync(path).size).toBeLessThan(1_000_000);
    // The checkpointer thread moves the WAL's pages into the file within about a second.
    for (const until = Date.now() + 5000; statSync(path).size < 4_000_000 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 100));
    expect(statSync(path).size).toBeGreaterThan(4_000_000);
    await expect(db.query('SELECT COUNT(*) AS n FROM blobs')).resolves.toEqual([{ n: 40 }]);
    await db.close();
  });

  it("runs its background thread below the event loop's priority (nice 5), the event loop's own unchanged", async () => {
    const before = nices();
    const db = createSqliteDb({ type: 'sqlite', path: join(dir, 'nice.db') });
    await db.execInBackground('CREATE TABLE t (x INTEGER)', []);
    const added = [...nices()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
    expect(added).toContain(5);
    expect(nices().get(process.pid)).toBe(before.get(process.pid));
    await db.close();
  });

  it('rewrites $n placeholders to ? with the params in the order they are used', () => {
    expect(toSqlite('SELECT $2, $1, $2', ['a', 'b'])).toEqual({ sql: 'SELECT ?, ?, ?', params: ['b', 'a', 'b'] });
    expect(toSqlite(`SELECT '$1', "$2" FROM t WHERE x = $1`, [true])).toEqual({ sql: `SELECT '$1', "$2" FROM t WHERE x = ?`, params: [1] });
    expect(() => toSqlite('SELECT $0', [])).toThrow('SQL refers to $0 but 0 param(s) were given');
  });
});

/** The nice value of each of this process's threads, by thread id (Linux's /proc). */
function nices(): Map<number, number> {
  const out = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
  }
  return out;
}
