// Processors over the SQL stores: leases never let two processes apply one transition, expired leases resume, retries back off.
import type { DspClient, DspSendRequest } from '../../../connector/dsp/client/dsp-client';
import type { DspMessageType } from '../../../connector/dsp';
import { createContractNegotiationMachine, type ContractNegotiation } from '../../../connector/negotiation/contract-negotiation';
import { createNegotiationProcessor } from '../../../connector/negotiation/negotiation-processor';
import { createNegotiationStore } from '../../../connector/negotiation/negotiation-store';
import { insertTenantRow, openTestDatabase, testEngines, type TestDatabase } from '../../support/databases';

const TENANT = 'cp-tenant';
const PROVIDER_DID = 'did:web:provider.example';
const OFFER = { id: 'urn:offer:1', type: 'Offer' as const, target: 'asset-1', permissions: [{ kind: 'permission' as const, action: 'http://www.w3.org/ns/odrl/2/use', constraints: [] }], prohibitions: [], obligations: [] };

/** A DspClient that records every send and answers like a provider would (ACK with a providerPid), or fails. */
function recordingClient(behaviour: { fail?: 'retryable' | 'fatal'; delayMs?: number } = {}) {
  const sends: DspSendRequest<DspMessageType | undefined>[] = [];
  const client: DspClient = {
    async fetchJson() {
      return { ok: false, reason: 'bad-request', message: 'not used', retryable: false };
    },
    async send(request) {
      sends.push(request as DspSendRequest<DspMessageType | undefined>);
      await new Promise((r) => setTimeout(r, behaviour.delayMs ?? 5));
      if (behaviour.fail !== undefined) return { ok: false, reason: 'bad-request', message: 'peer unavailable', retryable: behaviour.fail === 'retryable' } as never;
      const consumerPid = (request.message as { consumerPid: string }).consumerPid;
      return { ok: true, value: { type: 'ContractNegotiation', providerPid: `urn:provider:${consumerPid}`, consumerPid, state: 'REQUESTED' } } as never;
    },
  };
  return { client, sends };
}

describe.each(testEngines())('negotiation processor on %s', (engine) => {
  let db: TestDatabase;
  const clock = { ms: Date.UTC(2026, 0, 10, 9) };
  const now = () => new Date(clock.ms);
  const store = createNegotiationStore();
  const machine = createContractNegotiationMachine({ now });

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    await insertTenantRow(db, TENANT);
  }, 60_000);
  afterAll(async () => db?.close());

  async function requesting(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const n = machine.startAsConsumer({ id: `urn:uuid:${engine}-${clock.ms}-${i}`, tenantId: TENANT, dialect: '2025-1', counterPartyId: PROVIDER_DID, counterPartyAddress: 'https://provider.example/dsp', offerId: OFFER.id, assetId: 'asset-1', offerPolicy: OFFER });
      const sent = machine.send(n, 'request', { offerPolicy: OFFER });
      if (!sent.ok) throw new Error(sent.message);
      await db.withTenant(TENANT, (tx) => store.insert(tx, sent.value, { dueAt: clock.ms }));
      ids.push(n.id);
    }
    clock.ms += 1;
    return ids;
  }

  const processor = (client: DspClient, owner: string, leaseMs = 30_000, batchSize = 16) => createNegotiationProcessor({
    db, store, client, now, owner, leaseMs, batchSize, listTenants: async () => [TENANT],
    callbackAddress: () => 'https://consumer.example/callback', dspBase: () => 'https://consumer.example/dsp',
    retry: { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 4000 },
  });
  const load = (id: string) => db.withTenant(TENANT, (tx) => store.find(tx, id)).then((s) => s?.entity as ContractNegotiation);

  it('sends each pending message once and records the provider pid', async () => {
    const ids = await requesting(3);
    const { client, sends } = recordingClient();
    await processor(client, 'solo').runTenant(TENANT);
    expect(sends.map((s) => s.path)).toEqual(['/negotiations/request', '/negotiations/request', '/negotiations/request']);
    for (const id of ids) expect(await load(id)).toMatchObject({ state: 'REQUESTED', providerPid: `urn:provider:${id}` });
  });

  it('backs off exponentially on retryable failures, then TERMINATED with the reason', async () => {
    const [id] = await requesting(1);
    const { client, sends } = recordingClient({ fail: 'retryable' });
    const p = processor(client, 'retrier');
    await p.runTenant(TENANT);
    expect(await load(id)).toMatchObject({ state: 'REQUESTING', stateCount: 2 });
    const due1 = await db.withTenant(TENANT, (tx) => tx.query<{ next_attempt_at: string }>('SELECT next_attempt_at FROM cp_negotiations WHERE id = $1', [id]));
    expect(Number(due1[0].next_attempt_at) - clock.ms).toBe(1000);
    await p.runTenant(TENANT);
    expect(sends).toHaveLength(1);
    clock.ms += 1000;
    await p.runTenant(TENANT);
    const due2 = await db.withTenant(TENANT, (tx) => tx.query<{ next_attempt_at: string }>('SELECT next_attempt_at FROM cp_negotiations WHERE id = $1', [id]));
    expect(Number(due2[0].next_attempt_at) - clock.ms).toBe(2000);
    clock.ms += 2000;
    await p.runTenant(TENANT);
    expect(sends).toHaveLength(3);
    const ended = await load(id);
    expect(ended.state).toBe('TERMINATED');
    expect(ended.errorDetail).toContain('after 3 attempts: peer unavailable');
  });

  it('a refusal (non-retryable) terminates at once', async () => {
    const [id] = await requesting(1);
    await processor(recordingClient({ fail: 'fatal' }).client, 'fatal').runTenant(TENANT);
    expect(await load(id)).toMatchObject({ state: 'TERMINATED', errorDetail: 'REQUESTING failed: peer unavailable' });
  });

  it('a process killed mid-flight loses its lease; another resumes after expiry; the dead one cannot overwrite', async () => {
    const ids = await requesting(2);
    const dead = await db.withTenant(TENANT, (tx) => store.claim(tx, 'dead-process', clock.ms, 5000, 10));
    expect(dead.map((d) => d.entity.id).sort()).toEqual([...ids].sort());
    const { client, sends } = recordingClient();
    const survivor = processor(client, 'survivor');
    await survivor.runTenant(TENANT);
    expect(sends).toHaveLength(0);
    clock.ms += 5001;
    await survivor.runTenant(TENANT);
    expect(sends).toHaveLength(2);
    for (const id of ids) expect((await load(id)).state).toBe('REQUESTED');
    const stale = dead[0];
    const overwritten = await db.withTenant(TENANT, (tx) => store.update(tx, { ...stale.entity, state: 'TERMINATED' }, stale.version, { dueAt: null }));
    expect(overwritten).toBeUndefined();
    expect((await load(stale.entity.id)).state).toBe('REQUESTED');
  });

  (engine === 'postgres' ? it : it.skip)('two processors on one PostgreSQL never send the same transition twice', async () => {
    const ids = await requesting(40);
    const replicas = ['a', 'b', 'c'].map((name) => ({ name, ...recordingClient({ delayMs: 10 }) }));
    await Promise.all(replicas.map((r) => processor(r.client, `replica-${r.name}`, 30_000, 3).runTenant(TENANT)));
    const sent = replicas.flatMap((r) => r.sends).map((s) => (s.message as { consumerPid: string }).consumerPid);
    expect(sent.sort()).toEqual([...ids].sort());
    // The work really was shared (otherwise the test would prove nothing about concurrent claiming).
    expect(replicas.filter((r) => r.sends.length > 0).length).toBeGreaterThanOrEqual(2);
    for (const id of ids) expect((await load(id)).state).toBe('REQUESTED');
  });
});
