// The LISTEN connection: notifications reach subscribers; an unreachable database is a reset, not a failure.
import { Client } from 'pg';
import { createPostgresListener } from '../../../connector/store/postgres-listener';
import { adminUrl } from '../../support/pg-urls';

const hasPostgres = process.env.PCF_TEST_PG_TEMPLATE !== undefined;

describe('postgres listener', () => {
  it('resolves listen on an unreachable database with onReset(false), retries in the background, and closes cleanly', async () => {
    const listener = createPostgresListener({ url: 'postgres://postgres@127.0.0.1:1/none', reconnectMs: 20, maxReconnectMs: 40 });
    const resets: boolean[] = [];
    const stop = await listener.listen('pcf_test_channel', { onMessage: () => undefined, onReset: (c) => resets.push(c) });
    expect(resets[0]).toBe(false);
    await new Promise((r) => setTimeout(r, 120));
    expect(resets.every((c) => !c)).toBe(true);
    await stop();
    await listener.close();
  });

  it('refuses channel names that are not plain identifiers', async () => {
    const listener = createPostgresListener({ url: 'postgres://postgres@127.0.0.1:1/none' });
    await expect(listener.listen('x"; DROP TABLE t; --', { onMessage: () => undefined, onReset: () => undefined })).rejects.toThrow(/invalid channel name/);
    await listener.close();
  });

  (hasPostgres ? it : it.skip)('delivers committed notifications, and reports a dropped connection then its return', async () => {
    const url = adminUrl();
    const listener = createPostgresListener({ url, reconnectMs: 20 });
    const got: string[] = [];
    const resets: boolean[] = [];
    await listener.listen('pcf_test_channel', { onMessage: (p) => got.push(p), onReset: (c) => resets.push(c) });
    const admin = new Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query("SELECT pg_notify('pcf_test_channel', 'one')");
      for (let i = 0; i < 250 && got.length < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(['one']);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN "pcf_test_channel"%' AND pid <> pg_backend_pid()`);
      for (let i = 0; i < 250 && !resets.includes(true); i++) await new Promise((r) => setTimeout(r, 20));
      expect(resets).toEqual([false, true]);
      await admin.query("SELECT pg_notify('pcf_test_channel', 'two')");
      for (let i = 0; i < 250 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(got).toEqual(['one', 'two']);
    } finally {
      await admin.end();
      await listener.close();
    }
  });
});
