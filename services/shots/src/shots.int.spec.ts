import { randomBytes } from 'node:crypto';
import { createPostgresDb, type Db } from '@junction/core';
import { hostServices, type TestHost } from '@junction/core/testing';
import { service as calc } from '@junction/service-calc';
import { service } from './index';
import { describeShotsScenarios } from './shots.scenarios';

// The shared scenarios against a real PostgreSQL, in a schema of this run's own (created here,
// dropped at the end) so that parallel runs never see each other's rows.
const url = process.env.JUNCTION_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `junction_t_${randomBytes(6).toString('hex')}`;
let admin: Db;
let db: Db;
let host: TestHost;

beforeAll(async () => {
  admin = createPostgresDb({ type: 'postgres', url, poolSize: 1 });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  db = createPostgresDb({ type: 'postgres', url, schema, poolSize: 8 });
  host = hostServices(service, { with: [calc], db });
});
afterAll(async () => {
  await host?.close();
  await db?.close();
  await admin.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.close();
});

describe(`shots on PostgreSQL (schema ${schema})`, () => {
  describeShotsScenarios(() => host);

  it('creates its tables in the configured schema, and nowhere else', async () => {
    await host.call('shots.listProjects');
    const tables = await admin.query<{ table_schema: string; table_name: string }>(
      "SELECT table_schema, table_name FROM information_schema.tables WHERE table_name LIKE 'shots\\_%' AND table_schema = $1 ORDER BY table_name",
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual(['shots_history', 'shots_projects', 'shots_sequences', 'shots_shots']);
  });

  it('serves what one host wrote to another host on the same database', async () => {
    await host.call('shots.createProject', { code: 'shared', name: 'Shared' });
    const other = createPostgresDb({ type: 'postgres', url, schema, poolSize: 2 });
    const second = hostServices(service, { with: [calc], db: other });
    try {
      await expect(second.call('shots.listProjects')).resolves.toEqual(expect.arrayContaining([expect.objectContaining({ code: 'shared' })]));
    } finally {
      await second.close();
      await other.close();
    }
  });
});
