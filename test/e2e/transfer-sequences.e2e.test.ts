// DSP TCK transfer sequences over loopback HTTP: suspension and resumption by either side, completion, negative cases.
import { parseExpandedPolicy } from '../../policies/index';
import type { Catalog } from '../../connector/dsp';
import type { Participant } from '../../connector/catalog-service/participant';
import type { TransferCommand } from '../../connector/transfer/transfer-service';
import { testEngines, type TestDatabase } from '../support/databases';
import { ASSET, eventually, OEM, closeTwoTenants, openTwoTenants, SUPPLIER, type Harness } from './support/control-plane-harness';

describe.each(testEngines())('TCK transfer sequences on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;
  let supplierDid: string;
  let dsp: string;

  beforeAll(async () => {
    ({ db, h, supplierDid, dsp } = await openTwoTenants(engine));
  }, 60_000);

  afterAll(() => closeTwoTenants(h, db));

  const find = (tenant: string, id: string) => h.db.withTenant(tenant, (tx) => h.cp.transferStore.find(tx, id));

  /** A STARTED transfer: returns the consumer's and the provider's process ids and the token's jti. */
  async function started(): Promise<{ c: string; p: string; consumerPid: string; providerPid: string; jti: string }> {
    const r = await h.cp.client.send({ tenantId: OEM, counterPartyId: supplierDid, baseUrl: dsp, path: '/catalog/request', dialect: '2025-1', message: { type: 'CatalogRequestMessage' }, expect: 'Catalog' });
    if (!r.ok) throw new Error(r.message);
    const ds = (r.value as Catalog).dataset.find((d) => d.id === ASSET);
    const offer = parseExpandedPolicy(ds?.hasPolicy[0]);
    if (!offer.ok) throw new Error(offer.message);
    const n = await h.cp.negotiations.start(OEM, { counterPartyAddress: dsp, counterPartyId: supplierDid, dialect: '2025-1', offer: { ...offer.value, target: ASSET }, actor: 'user:test' });
    if (!n.ok) throw new Error(n.message);
    const fin = await eventually(() => h.db.withTenant(OEM, (tx) => h.cp.negotiationStore.find(tx, n.value.entity.id)), (x) => x?.entity.state === 'FINALIZED');
    const tp = await h.cp.transfers.start(OEM, { agreementId: fin?.entity.agreementId as string, counterPartyAddress: dsp, dialect: '2025-1', format: 'HttpData-PULL', actor: 'user:test' });
    if (!tp.ok) throw new Error(tp.message);
    const c = await eventually(() => find(OEM, tp.value.entity.id), (t) => t?.entity.state === 'STARTED');
    // The consumer can be STARTED before the provider has processed the ACK of its start message.
    const p = await eventually(() => h.db.withTenant(SUPPLIER, (tx) => h.cp.transferStore.findBy(tx, { role: 'provider', consumer_pid: tp.value.entity.consumerPid })), (x) => x?.entity.state === 'STARTED');
    const edr = await h.cp.vault.get(OEM, tp.value.entity.id);
    const token = edr?.endpointProperties.find((x) => x.name.endsWith('/authorization'))?.value ?? '';
    const jti = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
    return { c: c?.entity.id as string, p: p?.entity.id as string, consumerPid: tp.value.entity.consumerPid, providerPid: c?.entity.providerPid as string, jti };
  }

  async function step(tenant: string, id: string, command: TransferCommand, expected: string): Promise<void> {
    const r = await h.cp.transfers.command(tenant, id, command, command === 'termination' || command === 'suspension' ? 'test' : undefined, 'user:test');
    if (!r.ok) throw new Error(`${command}: ${r.message}`);
    await eventually(() => find(tenant, id), (t) => t?.entity.state === expected);
  }
  async function both(t: { c: string; p: string }, state: string): Promise<void> {
    await eventually(() => find(OEM, t.c), (x) => x?.entity.state === state);
    await eventually(() => find(SUPPLIER, t.p), (x) => x?.entity.state === state);
  }

  it('consumer: a start message seals its EDR in the one transaction that records it; a refused one changes nothing', async () => {
    const t = await started();
    const sealed = await h.cp.vault.get(OEM, t.c);
    const address = (endpoint: string) => ({ endpointType: 'https://w3id.org/idsa/v4.1/HTTP', endpoint, endpointProperties: [{ name: 'https://w3id.org/edc/v0.0.1/ns/authorization', value: 'renewed' }] });
    const start = (endpoint: string) => ({ type: 'TransferStartMessage' as const, consumerPid: t.consumerPid, providerPid: t.providerPid, dataAddress: address(endpoint) });

    // Another participant's start message is not found, and the sealed EDR stays as it was.
    const forged = await h.cp.transfers.onMessage(OEM, 'consumer', t.c, start('https://intruder.example/pact'), { did: 'did:web:intruder.example', credentials: [] });
    expect(forged).toMatchObject({ ok: false, reason: 'not-found' });
    expect(await h.cp.vault.get(OEM, t.c)).toEqual(sealed);

    // The provider's renewed start: one OEM transaction seals the new address and records the message. Counted are the
    // OEM transactions with a statement about this transfer (the processors' periodic claims name none).
    const withTenant = h.db.withTenant.bind(h.db);
    let oemTransactions = 0;
    Object.assign(h.db, {
      withTenant: <T>(tenant: string, work: Parameters<typeof withTenant>[1], options?: Parameters<typeof withTenant>[2]) => withTenant(tenant, (tx) => {
        if (tenant !== OEM) return work(tx);
        let counted = false;
        const note = (params: readonly unknown[] | undefined) => {
          if (!counted && (params ?? []).some((p) => typeof p === 'string' && p.includes(t.c))) {
            counted = true;
            oemTransactions++;
          }
        };
        return work({ ...tx, query: (sql, params, o) => { note(params); return tx.query(sql, params, o); }, defer: (sql, params) => { note(params); tx.defer(sql, params); } });
      }, options) as Promise<T>,
    });
    try {
      const renewed = await h.cp.transfers.onMessage(OEM, 'consumer', t.c, start('https://supplier.example/pact'), { did: supplierDid, credentials: [] });
      expect(renewed.ok).toBe(true);
      expect(oemTransactions).toBe(1);
    } finally {
      Object.assign(h.db, { withTenant });
    }
    expect(await h.cp.vault.get(OEM, t.c)).toEqual(address('https://supplier.example/pact'));
    expect((await find(OEM, t.c))?.entity.state).toBe('STARTED');
  });

  it('applies a message to a process this runtime committed last without reading its row; a copy made stale by another writer is caught at COMMIT and the message applied on the locked row', async () => {
    const t = await started();
    const address = (endpoint: string) => ({ endpointType: 'https://w3id.org/idsa/v4.1/HTTP', endpoint, endpointProperties: [{ name: 'https://w3id.org/edc/v0.0.1/ns/authorization', value: 'renewed' }] });
    const start = (endpoint: string) => h.cp.transfers.onMessage(OEM, 'consumer', t.c,
      { type: 'TransferStartMessage', consumerPid: t.consumerPid, providerPid: t.providerPid, dataAddress: address(endpoint) }, { did: supplierDid, credentials: [] });
    // Applied here and awaited: this runtime's copy is the row as this message left it (the start that made the
    // transfer STARTED may still be recording its copy when the row is seen STARTED).
    expect((await start('https://supplier.example/pact/0')).ok).toBe(true);
    const withTenant = h.db.withTenant.bind(h.db);
    // Statements the OEM's transactions run before COMMIT that read its transfer rows.
    const reads: string[] = [];
    Object.assign(h.db, {
      withTenant: <T>(tenant: string, work: Parameters<typeof withTenant>[1], options?: Parameters<typeof withTenant>[2]) => withTenant(tenant, (tx) => work(tenant !== OEM ? tx : {
        ...tx,
        query: (sql, params, o) => {
          // Reads of this transfer's row (the processors' periodic claims name no row).
          if (/FROM cp_transfers/.test(sql) && (params ?? []).includes(t.c)) reads.push(sql);
          return tx.query(sql, params, o);
        },
      }), options) as Promise<T>,
    });
    try {
      expect((await start('https://supplier.example/pact/1')).ok).toBe(true);
      expect(reads).toEqual([]);
      // Another writer (a replica) changes the row behind this runtime's back.
      await withTenant(OEM, (tx) => tx.query('UPDATE cp_transfers SET version = version + 1 WHERE id = $1', [t.c]));
      expect((await start('https://supplier.example/pact/2')).ok).toBe(true);
      expect(reads).toHaveLength(1);
      expect(await h.cp.vault.get(OEM, t.c)).toEqual(address('https://supplier.example/pact/2'));
      // The locked path's commit is the copy again.
      expect((await start('https://supplier.example/pact/3')).ok).toBe(true);
      expect(reads).toHaveLength(1);
    } finally {
      Object.assign(h.db, { withTenant });
    }
    expect(await h.cp.vault.get(OEM, t.c)).toEqual(address('https://supplier.example/pact/3'));
    expect((await find(OEM, t.c))?.entity.state).toBe('STARTED');
    expect(h.errors).toEqual([]);
  });

  it('TP:01-03 / TP_C:01-03: provider suspends (access stops, EDR dropped), provider terminates', async () => {
    const t = await started();
    await step(SUPPLIER, t.p, 'suspension', 'SUSPENDED');
    await both(t, 'SUSPENDED');
    expect(await h.cp.liveness.isLive(SUPPLIER, t.jti)).toMatchObject({ live: false });
    expect(await h.cp.vault.get(OEM, t.c)).toBeUndefined();
    await step(SUPPLIER, t.p, 'termination', 'TERMINATED');
    await both(t, 'TERMINATED');
  });

  it('TP:01-04 / TP_C:01-04: provider suspends, provider restarts (new EDR to the consumer), provider completes', async () => {
    const t = await started();
    await step(SUPPLIER, t.p, 'suspension', 'SUSPENDED');
    await both(t, 'SUSPENDED');
    await step(SUPPLIER, t.p, 'start', 'STARTED');
    await both(t, 'STARTED');
    // The provider's restart carries a freshly minted token: the consumer holds an EDR again, with a new jti.
    const edr = await eventually(() => h.cp.vault.get(OEM, t.c), (e) => e !== undefined);
    const token = edr?.endpointProperties.find((x) => x.name.endsWith('/authorization'))?.value ?? '';
    const jti = (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { jti: string }).jti;
    expect(jti).not.toBe(t.jti);
    expect(await h.cp.liveness.isLive(SUPPLIER, jti)).toMatchObject({ live: true });
    await step(SUPPLIER, t.p, 'completion', 'COMPLETED');
    await both(t, 'COMPLETED');
    expect(await h.cp.liveness.isLive(SUPPLIER, jti)).toMatchObject({ live: false });
  });

  it('TP:02-03 / TP_C:02-03 and TP:02-04 / TP_C:02-04: consumer suspends, then terminates — or resumes and completes', async () => {
    const a = await started();
    await step(OEM, a.c, 'suspension', 'SUSPENDED');
    await both(a, 'SUSPENDED');
    await step(OEM, a.c, 'termination', 'TERMINATED');
    await both(a, 'TERMINATED');

    const b = await started();
    await step(OEM, b.c, 'suspension', 'SUSPENDED');
    await both(b, 'SUSPENDED');
    await step(OEM, b.c, 'start', 'STARTED');
    await both(b, 'STARTED');
    await step(OEM, b.c, 'completion', 'COMPLETED');
    await both(b, 'COMPLETED');
  });

  it('starts a transfer from the agreement this runtime stored, without reading it, on both sides; a copy whose agreement is gone is refused at COMMIT and decided on the database', async () => {
    const withTenant = h.db.withTenant.bind(h.db);
    const agreementReads: string[] = [];
    Object.assign(h.db, {
      withTenant: <T>(tenant: string, work: Parameters<typeof withTenant>[1], options?: Parameters<typeof withTenant>[2]) => withTenant(tenant, (tx) => work({
        ...tx,
        query: (sql, params, o) => {
          if (/FROM cp_agreements/.test(sql)) agreementReads.push(tenant);
          return tx.query(sql, params, o);
        },
      }), options) as Promise<T>,
    });
    let agreementId: string;
    try {
      const t = await started();
      expect(agreementReads).toEqual([]);
      agreementId = (await find(OEM, t.c))?.entity.agreementId as string;
    } finally {
      Object.assign(h.db, { withTenant });
    }
    // The OEM's agreement row is gone (as after an erasure by another replica): the copy's check fails the commit.
    await withTenant(OEM, (tx) => tx.query('DELETE FROM cp_agreements WHERE id = $1', [agreementId]));
    const refused = await h.cp.transfers.start(OEM, { agreementId, counterPartyAddress: dsp, dialect: '2025-1', format: 'HttpData-PULL', actor: 'user:test' });
    expect(refused).toMatchObject({ ok: false, reason: 'bad-request', message: `no finalized agreement ${agreementId} where this tenant is the consumer` });
    expect(h.errors).toEqual([]);
  });

  it('provider: a transfer request is refused with 400 for an unknown agreement, another participant\'s, or one whose negotiation has ended', async () => {
    const t = await started();
    const agreementId = (await find(OEM, t.c))?.entity.agreementId as string;
    const oem: Participant = { did: h.identity.dids.didOf(OEM), credentials: [] };
    const request = (consumerPid: string, agreement: string) => ({
      type: 'TransferRequestMessage' as const, consumerPid, agreementId: agreement, format: 'HttpData-PULL', callbackAddress: `${h.cp.dspBase(OEM, '2025-1')}/callback`,
    });
    const refusal = async (consumerPid: string, agreement: string, from: Participant) => {
      const r = await h.cp.transfers.onRequest(SUPPLIER, '2025-1', request(consumerPid, agreement), from);
      return r.ok ? 'accepted' : `${r.reason}: ${r.message}`;
    };
    expect(await refusal('urn:uuid:tp-unknown', 'urn:uuid:no-such-agreement', oem)).toBe('bad-request: unknown agreement urn:uuid:no-such-agreement');
    expect(await refusal('urn:uuid:tp-stranger', agreementId, { did: 'did:web:intruder.example', credentials: [] })).toBe(`bad-request: unknown agreement ${agreementId}`);
    // The agreement's negotiation is no longer in force (as if terminated by an operator): no new transfer under it.
    await h.db.withTenant(SUPPLIER, (tx) => tx.query("UPDATE cp_negotiations SET state = 'TERMINATED' WHERE agreement_id = $1", [agreementId]));
    expect(await refusal('urn:uuid:tp-ended', agreementId, oem)).toBe(`bad-request: agreement ${agreementId} is not in force`);
    const made = await h.db.withTenant(SUPPLIER, (tx) => tx.query("SELECT id FROM cp_transfers WHERE consumer_pid LIKE 'urn:uuid:tp-%'"));
    expect(made).toEqual([]);
  });

  it('TP:03-03 (negative): completion of a suspended transfer is answered 400 with a TransferError', async () => {
    const t = await started();
    await step(OEM, t.c, 'suspension', 'SUSPENDED');
    await both(t, 'SUSPENDED');
    const r = await h.cp.client.send({
      tenantId: OEM, counterPartyId: supplierDid, baseUrl: dsp, dialect: '2025-1', path: `/transfers/${encodeURIComponent(t.providerPid)}/completion`,
      message: { type: 'TransferCompletionMessage', consumerPid: t.consumerPid, providerPid: t.providerPid },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe(400);
      expect(r.message).toContain('TransferError');
    }
    expect((await find(SUPPLIER, t.p))?.entity.state).toBe('SUSPENDED');
  });
});
