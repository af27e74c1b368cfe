// Audit trail contract on both engines: appends chain, verification detects edits, removals and a truncated tail.
import { appendAudit, chainHash, deferAudit, exportAudit, readAudit, verifyAudit } from '../../connector/audit/audit-log';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../support/databases';

describe.each(testEngines())('audit trail on %s', (engine) => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, 'audited');
    await insertTenantRow(db, 'other');
    for (let i = 1; i <= 5; i++) {
      await db.withTenant('audited', (tx) => appendAudit(tx, { actor: 'user:u', action: 'thing.update', target: `thing/${i}`, before: { v: i - 1 }, after: { v: i } }));
    }
    await db.withTenant('other', (tx) => appendAudit(tx, { actor: 'user:o', action: 'thing.create', target: 'thing/x' }));
  });

  afterEach(async () => {
    await db.close();
  });

  const verify = () => db.withTenant('audited', verifyAudit);
  const asOwner = (sql: string) => db.withOwner((tx) => tx.query(sql));

  it('chains appends per tenant and verifies clean', async () => {
    expect(await verify()).toEqual({ ok: true, records: 5, problems: [] });
    expect(await db.withTenant('other', verifyAudit)).toMatchObject({ ok: true, records: 1 });
    const lines: string[] = [];
    await db.withTenant('audited', async (tx) => {
      for await (const l of exportAudit(tx)) lines.push(l);
    });
    expect(lines.map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('deferred appends chain with immediate ones, commit with the change they record, and vanish with a rollback', async () => {
    await db.withTenant('audited', async (tx) => {
      deferAudit(tx, { actor: 'user:u', action: 'thing.update', target: 'thing/6', after: { v: 6 } });
      await appendAudit(tx, { actor: 'user:u', action: 'thing.update', target: 'thing/7', after: { v: 7 } });
      deferAudit(tx, { actor: 'user:u', action: 'thing.update', target: 'thing/8', after: { v: 8 } });
    });
    await expect(db.withTenant('audited', async (tx) => {
      deferAudit(tx, { actor: 'user:u', action: 'thing.update', target: 'thing/9' });
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await verify()).toEqual({ ok: true, records: 8, problems: [] });
    const targets = await db.withTenant('audited', async (tx) => (await readAudit(tx, 5)).map((r) => r.target));
    // The immediate append ran first; the deferred ones at COMMIT, in the order they were queued.
    expect(targets).toEqual(['thing/7', 'thing/6', 'thing/8']);
  });

  it('detects an edited row', async () => {
    await asOwner("UPDATE audit_log SET actor = 'user:mallory' WHERE tenant_id = 'audited' AND seq = 3");
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual({ seq: 3, problem: expect.stringMatching(/edited/) });
  });

  it('detects a removed row in the middle', async () => {
    await asOwner("DELETE FROM audit_log WHERE tenant_id = 'audited' AND seq = 2");
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.seq)).toContain(3);
  });

  it('detects rows removed from the end', async () => {
    await asOwner("DELETE FROM audit_log WHERE tenant_id = 'audited' AND seq >= 4");
    const result = await verify();
    expect(result.ok).toBe(false);
    expect(result.problems[0].problem).toMatch(/chain head/);
  });

  it('chains concurrent first appends of a new tenant (no head row yet)', async () => {
    await insertTenantRow(db, 'fresh');
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => db.withTenant('fresh', (tx) => appendAudit(tx, { actor: 'system', action: 'first', target: `f/${i}` }))),
    );
    expect(await db.withTenant('fresh', verifyAudit)).toEqual({ ok: true, records: 12, problems: [] });
  });

  it('the database hashes exactly as chainHash does, whatever the text (quotes, backslashes, unicode, a fake seq key)', async () => {
    const hostile = ['it\'s "quoted"', 'back\\slash\\n', 'ünïcødé 🚗 \u2028', `"seq":${Number.MAX_SAFE_INTEGER}`, '\\"seq\\":1'];
    const returned = [];
    for (const text of hostile) {
      returned.push(await db.withTenant('audited', (tx) => appendAudit(tx, { actor: `user:${text}`, action: 'thing.update', target: text, before: { text }, requestId: text })));
    }
    const stored = await db.withTenant('audited', (tx) => readAudit(tx, 5));
    expect(stored).toEqual(returned);
    for (const r of stored) {
      const { hash, ...rest } = r;
      expect(chainHash(rest)).toBe(hash);
    }
    expect(stored.map((r) => r.seq)).toEqual([6, 7, 8, 9, 10]);
    expect(await verify()).toEqual({ ok: true, records: 10, problems: [] });
  });

  it('keeps the chain consistent under concurrent appends', async () => {
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => db.withTenant('audited', (tx) => appendAudit(tx, { actor: 'system', action: 'parallel', target: `p/${i}` }))),
    );
    expect(await verify()).toEqual({ ok: true, records: 13, problems: [] });
  });
});
