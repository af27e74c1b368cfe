// Hand-off over the SQL stores: rows written leased run without a claim, stay unclaimable by others, recover after a kill.
import type { DspClient, DspSendRequest } from '../../../connector/dsp/client/dsp-client';
import type { DspMessageType } from '../../../connector/dsp';
import type { TokenMinter } from '../../../connector/credentials/token-minter';
import { mintFailure } from '../../../connector/credentials/token-minter';
import { createContractNegotiationMachine, type ContractNegotiation } from '../../../connector/negotiation/contract-negotiation';
import { createNegotiationProcessor } from '../../../connector/negotiation/negotiation-processor';
import { createNegotiationStore, type StoredNegotiation } from '../../../connector/negotiation/negotiation-store';
import { asNewUnlessRepeated, isConcurrentChange, isDuplicateKey, REDONE_IF_LOST, type Lease } from '../../../connector/negotiation/process-table';
import type { Database, TenantTxOptions } from '../../../connector/store/database';
import type { WorkRunner } from '../../../connector/negotiation/work-runner';
import { createTransferProcessMachine } from '../../../connector/transfer/transfer-process';
import { createTransferProcessor } from '../../../connector/transfer/transfer-processor';
import { createTransferStore } from '../../../connector/transfer/transfer-store';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

const TENANT = 'cp-hand-off';
const PROVIDER_DID = 'did:web:provider.example';
const OFFER = { id: 'urn:offer:1', type: 'Offer' as const, target: 'asset-1', permissions: [{ kind: 'permission' as const, action: 'http://www.w3.org/ns/odrl/2/use', constraints: [] }], prohibitions: [], obligations: [] };

/** A DspClient that records every send and acknowledges it as the counter-party would. */
function recordingClient(delayMs = 5) {
  const sends: DspSendRequest<DspMessageType | undefined>[] = [];
  const client: DspClient = {
    async fetchJson() {
      return { ok: false, reason: 'bad-request', message: 'not used', retryable: false };
    },
    async send(request) {
      sends.push(request as DspSendRequest<DspMessageType | undefined>);
      await new Promise((r) => setTimeout(r, delayMs));
      const consumerPid = (request.message as { consumerPid: string }).consumerPid;
      return { ok: true, value: { type: 'ContractNegotiation', providerPid: `urn:provider:${consumerPid}`, consumerPid, state: 'REQUESTED' } } as never;
    },
  };
  return { client, sends };
}

/** Polls `read` until `done` holds; fails after 10 s. */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (const end = Date.now() + 10_000; ;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > end) throw new Error(`condition not reached; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.each(testEngines())('hand-off on %s', (engine) => {
  let db: TestDatabase;
  const clock = { ms: Date.UTC(2026, 0, 10, 9) };
  const now = () => new Date(clock.ms);
  const store = createNegotiationStore();
  const machine = createContractNegotiationMachine({ now });
  const runners: WorkRunner<unknown>[] = [];

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, TENANT);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
  });
  afterAll(async () => db?.close());

  let seq = 0;
  /** A consumer negotiation about to send its request (REQUESTING), not yet stored. */
  function requesting(): ContractNegotiation {
    const n = machine.startAsConsumer({ id: `urn:uuid:${engine}-hand-off-${seq++}`, tenantId: TENANT, dialect: '2025-1', counterPartyId: PROVIDER_DID, counterPartyAddress: 'https://provider.example/dsp', offerId: OFFER.id, assetId: 'asset-1', offerPolicy: OFFER });
    const sent = machine.send(n, 'request', { offerPolicy: OFFER });
    if (!sent.ok) throw new Error(sent.message);
    return sent.value;
  }

  /** A negotiation processor with a long poll interval: only hand-offs and explicit runs do work. */
  function processor(client: DspClient, owner: string, leaseMs = 30_000, start = true) {
    const p = createNegotiationProcessor({
      db, store, client, now, owner, leaseMs, batchSize: 3, pollIntervalMs: 60_000, listTenants: async () => [TENANT],
      callbackAddress: () => 'https://consumer.example/callback', dspBase: () => 'https://consumer.example/dsp',
    });
    if (start) {
      p.start();
      runners.push(p);
    }
    return p;
  }
  const leaseOf = (p: WorkRunner<StoredNegotiation>): Lease => {
    const lease = p.leaseFor(clock.ms);
    if (lease === undefined) throw new Error('a started processor must lease');
    return lease;
  };
  const load = (id: string) => db.withTenant(TENANT, (tx) => store.find(tx, id)).then((s) => s?.entity as ContractNegotiation);
  /** The row's lease and scheduling columns, bigints as numbers (the engines return them differently). */
  const leaseColumns = async (id: string) => {
    type Raw = string | number | null;
    const rows = await db.withTenant(TENANT, (tx) => tx.query<{ lease_owner: string | null; lease_until: Raw; next_attempt_at: Raw; version: Raw }>(
      'SELECT lease_owner, lease_until, next_attempt_at, version FROM cp_negotiations WHERE id = $1', [id]));
    const num = (v: Raw) => (v === null ? null : Number(v));
    return rows.map((r) => ({ lease_owner: r.lease_owner, lease_until: num(r.lease_until), next_attempt_at: num(r.next_attempt_at), version: num(r.version) }));
  };

  it('updateLocked: the derived stored process equals the row as read back; an unlocked stale write fails the commit', async () => {
    const pa = processor(recordingClient().client, 'owner-b');
    const lease = leaseOf(pa);
    const inserted = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: null, extra: { keep: 1 } }));
    const next = { ...inserted.entity, errorDetail: 'changed' };
    const derived = await db.withTenant(TENANT, async (tx) => {
      const locked = await store.find(tx, inserted.entity.id, true);
      if (locked === undefined) throw new Error('row missing');
      const d = store.updateLocked(tx, locked, next, { dueAt: clock.ms, lease, extra: { keep: 2 } });
      // Deferred: this transaction still reads the old row.
      expect((await store.find(tx, inserted.entity.id))?.version).toBe(inserted.version);
      return d;
    });
    const reread = await db.withTenant(TENANT, (tx) => store.find(tx, inserted.entity.id));
    expect(derived).toEqual({ ...reread, lease });
    expect(derived.version).toBe(inserted.version + 1);
    expect(await leaseColumns(inserted.entity.id)).toEqual([{ lease_owner: 'owner-b', lease_until: lease.until, next_attempt_at: clock.ms, version: inserted.version + 1 }]);

    // A caller that did not lock and holds a stale version: the guard fails the commit, the row and the audit stay as they were.
    const auditsBefore = await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'));
    await expect(db.withTenant(TENANT, async (tx) => {
      store.updateLocked(tx, inserted, { ...inserted.entity, errorDetail: 'lost update' }, { dueAt: null });
      tx.defer("INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, target, prev_hash, hash) VALUES ($1, 999999, 'x', now(), 'a', 'b', 'c', 'p', 'h')", [TENANT]);
    })).rejects.toThrow(/changed while locked/);
    expect((await load(inserted.entity.id)).errorDetail).toBe('changed');
    expect(await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'))).toEqual(auditsBefore);
  });

  it('updateAtCommit: one deferred write whose derived process equals the row read back; a concurrent change fails the commit, audit included', async () => {
    const inserted = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: null, extra: { keep: 1 } }));
    const derived = await db.withTenant(TENANT, async (tx) => store.updateAtCommit(tx, inserted, { ...inserted.entity, errorDetail: 'saved' }, { dueAt: null }));
    const reread = await db.withTenant(TENANT, (tx) => store.find(tx, inserted.entity.id));
    expect(derived).toEqual(reread);
    expect(derived.version).toBe(inserted.version + 1);

    // Someone else wrote the row after `inserted` was read: the stale save rolls back with its audit.
    const auditsBefore = await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'));
    const stale = await db.withTenant(TENANT, async (tx) => {
      store.updateAtCommit(tx, inserted, { ...inserted.entity, errorDetail: 'stale' }, { dueAt: null });
      tx.defer("INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, target, prev_hash, hash) VALUES ($1, 999998, 'y', now(), 'a', 'b', 'c', 'p', 'h')", [TENANT]);
    }).catch((err: unknown) => err);
    expect(isConcurrentChange(stale)).toBe(true);
    expect(isConcurrentChange(new Error('other'))).toBe(false);
    expect((await load(inserted.entity.id)).errorDetail).toBe('saved');
    expect(await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'))).toEqual(auditsBefore);
  });

  it('insertAtCommit: one deferred INSERT whose derived process equals the row read back; a duplicate key fails the commit with the rest of the transaction', async () => {
    const pa = processor(recordingClient().client, 'owner-c');
    const lease = leaseOf(pa);
    const entity = requesting();
    const derived = await db.withTenant(TENANT, async (tx) => {
      const d = store.insertAtCommit(tx, entity, { dueAt: clock.ms, lease, extra: { keep: 3 } });
      // Deferred: this transaction does not see the row yet.
      expect(await store.find(tx, entity.id)).toBeUndefined();
      return d;
    });
    const reread = await db.withTenant(TENANT, (tx) => store.find(tx, entity.id));
    expect(derived).toEqual({ ...reread, lease });
    expect(await leaseColumns(entity.id)).toEqual([{ lease_owner: 'owner-c', lease_until: lease.until, next_attempt_at: clock.ms, version: derived.version }]);

    // The same id again: the commit fails on the key, and the audit deferred before it rolls back too.
    const auditsBefore = await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'));
    // A twin that checked before the first one committed: simulated by inserting under a check that cannot see the row.
    const twin = await db.withTenant(TENANT, async (tx) => {
      tx.defer("INSERT INTO audit_log (tenant_id, seq, id, at, actor, action, target, prev_hash, hash) VALUES ($1, 999997, 'z', now(), 'a', 'b', 'c', 'p', 'h')", [TENANT]);
      store.insertAtCommit(tx, { ...entity, errorDetail: 'twin' }, { dueAt: null });
    }).catch((err: unknown) => err);
    expect(isDuplicateKey(twin)).toBe(true);
    expect(isDuplicateKey(new Error('other'))).toBe(false);
    expect((await load(entity.id)).errorDetail).toBeUndefined();
    expect(await db.withTenant(TENANT, (tx) => tx.query('SELECT seq FROM audit_log'))).toEqual(auditsBefore);

    // asNewUnlessRepeated: the first run inserts without looking and loses on the key; the second looks first and finds the row.
    const looks: boolean[] = [];
    const repeated = await asNewUnlessRepeated(async (lookFirst) => {
      looks.push(lookFirst);
      return db.withTenant(TENANT, async (tx) => {
        if (lookFirst && (await store.find(tx, entity.id, true)) !== undefined) return { ok: true, found: true };
        store.insertAtCommit(tx, { ...entity, errorDetail: 'twin' }, { dueAt: null });
        return { ok: true, found: false };
      });
    });
    expect([repeated, looks]).toEqual([{ ok: true, found: true }, [false, true]]);
    expect((await load(entity.id)).errorDetail).toBeUndefined();
    // A refused first run is run once more, looking first; any other fault is not retried.
    const refusedLooks: boolean[] = [];
    expect(await asNewUnlessRepeated(async (lookFirst) => { refusedLooks.push(lookFirst); return { ok: false }; })).toEqual({ ok: false });
    expect(refusedLooks).toEqual([false, true]);
    let faults = 0;
    await expect(asNewUnlessRepeated(async () => { faults++; throw new Error('other fault'); })).rejects.toThrow('other fault');
    expect(faults).toBe(1);
  });

  it('a processor saves after an acknowledgement without waiting for the WAL flush (a lost save is redone); the save lands', async () => {
    const options: (TenantTxOptions | undefined)[] = [];
    const spied: Pick<Database, 'withTenant'> = {
      withTenant: (tenantId, work, o) => {
        options.push(o);
        return db.withTenant(tenantId, work, o);
      },
    };
    const p = createNegotiationProcessor({
      db: spied, store, client: recordingClient(0).client, now, owner: 'owner-d', leaseMs: 30_000, batchSize: 3, pollIntervalMs: 60_000, listTenants: async () => [TENANT],
      callbackAddress: () => 'https://consumer.example/callback', dspBase: () => 'https://consumer.example/dsp',
    });
    p.start();
    runners.push(p);
    const lease = leaseOf(p);
    const inserted = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: clock.ms, lease }));
    p.handOff(TENANT, inserted, lease);
    await until(() => load(inserted.entity.id), (n) => n.state === 'REQUESTED');
    expect(options).toContainEqual(REDONE_IF_LOST);
    expect(REDONE_IF_LOST).toEqual({ durable: false });
  });

  it('insert and update write the row leased and due; the stored version is the one the processor saves with', async () => {
    const a = recordingClient();
    const pa = processor(a.client, 'owner-a');
    const lease = leaseOf(pa);
    const inserted = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: clock.ms, lease }));
    expect(inserted.lease).toEqual(lease);
    expect(await leaseColumns(inserted.entity.id)).toEqual([{ lease_owner: 'owner-a', lease_until: lease.until, next_attempt_at: clock.ms, version: inserted.version }]);

    // An unleased row made due by an update with a lease: the version is bumped as for any write.
    const plain = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: null }));
    expect(plain.lease).toBeUndefined();
    const updated = await db.withTenant(TENANT, (tx) => store.update(tx, plain.entity, plain.version, { dueAt: clock.ms, lease }));
    expect(updated?.version).toBe(plain.version + 1);
    expect(updated?.lease).toEqual(lease);

    pa.handOff(TENANT, inserted, lease);
    pa.handOff(TENANT, updated as StoredNegotiation, lease);
    for (const id of [inserted.entity.id, plain.entity.id]) {
      await until(() => load(id), (n) => n.state === 'REQUESTED');
      // The processor's save cleared the lease and nothing is due any more.
      expect(await leaseColumns(id)).toEqual([expect.objectContaining({ lease_owner: null, lease_until: null, next_attempt_at: null })]);
    }
    expect(a.sends).toHaveLength(2);
  });

  it('a row handed off to one process is not claimable by another while the lease lives: each step is sent once', async () => {
    const a = recordingClient(20);
    const b = recordingClient();
    const pa = processor(a.client, 'owner-a');
    const pb = processor(b.client, 'owner-b');
    const lease = leaseOf(pa);
    const rows = await db.withTenant(TENANT, async (tx) => Promise.all([0, 1, 2, 3, 4].map(() => store.insert(tx, requesting(), { dueAt: clock.ms, lease }))));
    clock.ms += 1;
    for (const row of rows) pa.handOff(TENANT, row, lease);
    // B polls while A's sends are in flight (and again after they finished): it finds nothing it may claim.
    await pb.runTenant(TENANT);
    for (const row of rows) await until(() => load(row.entity.id), (n) => n.state === 'REQUESTED');
    await pb.runTenant(TENANT);
    await pa.runTenant(TENANT);
    expect(b.sends).toHaveLength(0);
    expect(a.sends.map((s) => (s.message as { consumerPid: string }).consumerPid).sort()).toEqual(rows.map((r) => r.entity.id).sort());
  });

  it('a process killed after its commit, before the hand-off: another claims the row once the lease has expired', async () => {
    const dead = processor(recordingClient().client, 'killed', 5_000);
    const lease = leaseOf(dead);
    const row = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: clock.ms, lease }));
    await dead.stop();
    clock.ms += 1;
    const s = recordingClient();
    const survivor = processor(s.client, 'survivor');
    await survivor.runTenant(TENANT);
    expect(s.sends).toHaveLength(0);
    clock.ms = lease.until + 1;
    await survivor.runTenant(TENANT);
    expect(s.sends.map((x) => (x.message as { consumerPid: string }).consumerPid)).toEqual([row.entity.id]);
    expect(await load(row.entity.id)).toMatchObject({ state: 'REQUESTED', providerPid: `urn:provider:${row.entity.id}` });
    // The dead process's hand-off, were it to arrive now, is refused (stopped) and its version is stale anyway.
    dead.handOff(TENANT, row, lease);
    const stale = await db.withTenant(TENANT, (tx) => store.update(tx, { ...row.entity, state: 'TERMINATED' }, row.version, { dueAt: null }));
    expect(stale).toBeUndefined();
  });

  it('a stale hand-off (the row changed after the commit) is dropped by the version check, not applied', async () => {
    const a = recordingClient();
    const pa = processor(a.client, 'owner-a');
    const lease = leaseOf(pa);
    const row = await db.withTenant(TENANT, (tx) => store.insert(tx, requesting(), { dueAt: clock.ms, lease }));
    // Meanwhile our user terminated the negotiation locally (a write without a pending message).
    const ended = machine.fail(row.entity, 'terminated by the user');
    if (!ended.ok) throw new Error('cannot fail');
    const changed = await db.withTenant(TENANT, (tx) => store.update(tx, ended.value, row.version, { dueAt: null }));
    expect(changed?.version).toBe(row.version + 1);
    pa.handOff(TENANT, row, lease);
    await until(async () => a.sends.length, (n) => n === 1);
    await pa.stop();
    expect(await load(row.entity.id)).toMatchObject({ state: 'TERMINATED', errorDetail: 'terminated by the user' });
    expect((await leaseColumns(row.entity.id))[0].version).toBe(row.version + 1);
  });

  it('a processor save that leaves a transfer due now hands it back to its own runner (no claim)', async () => {
    const transfers = createTransferStore();
    const tm = createTransferProcessMachine({ now });
    const created = tm.fromRequest({ id: `urn:uuid:${engine}-transfer`, tenantId: TENANT, dialect: '2025-1', counterPartyId: 'did:web:consumer.example' },
      { type: 'TransferRequestMessage', consumerPid: 'urn:consumer:1', agreementId: 'urn:agreement:1', format: 'HttpData-PULL', callbackAddress: 'https://consumer.example/callback' },
      { messageId: 'm1', senderId: 'did:web:consumer.example' });
    const starting = tm.send(created, 'start');
    if (!starting.ok) throw new Error(starting.message);
    const { client, sends } = recordingClient();
    const minter: TokenMinter = { mint: async () => mintFailure('secret-access-denied', 'not allowed'), evictTenant: () => undefined };
    const claims: number[] = [];
    const p = createTransferProcessor({
      db, store: { ...transfers, claim: (...args) => { claims.push(args[2]); return transfers.claim(...args); } },
      client, minter, liveness: { invalidate: () => undefined }, now, owner: 'transfer-a', publicUrl: 'https://provider.example',
      listTenants: async () => [TENANT], callbackAddress: () => 'https://provider.example/callback', pollIntervalMs: 60_000,
    });
    p.start();
    runners.push(p);
    await p.runTenant(TENANT);
    const lease = p.leaseFor(clock.ms);
    if (lease === undefined) throw new Error('a started processor must lease');
    const row = await db.withTenant(TENANT, (tx) => transfers.insert(tx, starting.value, { dueAt: clock.ms, lease }));
    const claimsBefore = claims.length;
    p.handOff(TENANT, row, lease);
    const done = await until(() => db.withTenant(TENANT, (tx) => transfers.find(tx, row.entity.id)), (t) => t?.entity.state === 'TERMINATED');
    expect(done?.entity.errorDetail).toBe('token minting failed: secret-access-denied');
    expect(sends.map((s) => s.message?.type)).toEqual(['TransferTerminationMessage']);
    // STARTING (mint refused) → TERMINATING → TERMINATED ran as two hand-offs: no claim transaction in between.
    expect(claims.length).toBe(claimsBefore);
  });
});
