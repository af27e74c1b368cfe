// Two tenants over real loopback HTTP: catalog → negotiation → agreement → transfer start → completion/termination.
import { parseExpandedPolicy, serializePolicy, type Policy } from '../../policies/index';
import { createSecretBoxEdrVault } from '../../connector/transfer/transfer-store';
import type { Catalog } from '../../connector/dsp';
import { decodeContractId } from '../../connector/negotiation/contract-ids';
import { testEngines, type TestDatabase } from '../support/databases';
import { ASSET, eventually, HIDDEN_ASSET, OEM, OEM_BPN, closeTwoTenants, openTwoTenants, STRICT_ASSET, SUPPLIER, type Harness } from './support/control-plane-harness';

describe.each(testEngines())('control plane end to end on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;
  let supplierDid: string;
  let dsp: string;

  beforeAll(async () => {
    ({ db, h, supplierDid, dsp } = await openTwoTenants(engine));
  }, 60_000);

  afterAll(() => closeTwoTenants(h, db));

  const negotiation = (tenant: string, id: string) => h.db.withTenant(tenant, (tx) => h.cp.negotiationStore.find(tx, id));
  const transfer = (tenant: string, id: string) => h.db.withTenant(tenant, (tx) => h.cp.transferStore.find(tx, id));

  async function catalog(): Promise<Catalog> {
    const r = await h.cp.client.send({ tenantId: OEM, counterPartyId: supplierDid, baseUrl: dsp, path: '/catalog/request', dialect: '2025-1', message: { type: 'CatalogRequestMessage' }, expect: 'Catalog' });
    if (!r.ok) throw new Error(r.message);
    return r.value as Catalog;
  }

  async function offerFor(assetId: string): Promise<Policy> {
    const c = await catalog();
    const ds = c.dataset.find((d) => d.id === assetId);
    if (ds === undefined) throw new Error(`${assetId} not in catalog`);
    const p = parseExpandedPolicy(ds.hasPolicy[0]);
    if (!p.ok) throw new Error(p.message);
    return { ...p.value, target: assetId };
  }

  async function negotiate(assetId: string) {
    const offer = await offerFor(assetId);
    const started = await h.cp.negotiations.start(OEM, { counterPartyAddress: dsp, counterPartyId: supplierDid, dialect: '2025-1', offer, actor: 'user:test' });
    if (!started.ok) throw new Error(started.message);
    return eventually(() => negotiation(OEM, started.value.entity.id), (n) => n?.entity.state === 'FINALIZED' || n?.entity.state === 'TERMINATED');
  }

  it('access policy decides catalog visibility; offer ids are EDC-style', async () => {
    const c = await catalog();
    const ids = c.dataset.map((d) => d.id).sort();
    expect(ids).toEqual([ASSET, STRICT_ASSET].sort());
    expect(ids).not.toContain(HIDDEN_ASSET);
    const offerId = (c.dataset[0].hasPolicy[0] as Record<string, unknown>)['@id'] as string;
    expect(decodeContractId(offerId)).toMatchObject({ ok: true });
    expect(c.participantId).toBe(supplierDid);
  });

  it('negotiates, transfers, completes within milliseconds; the EDR carries the PACT endpoint and token', async () => {
    const t0 = Date.now();
    const n = await negotiate(ASSET);
    expect(n?.entity).toMatchObject({ state: 'FINALIZED', role: 'consumer' });
    const agreementId = n?.entity.agreementId as string;
    expect(decodeContractId(agreementId)).toMatchObject({ ok: true, value: { definitionId: 'def-pcf', assetId: ASSET } });
    const providerSide = await eventually(
      () => h.db.withTenant(SUPPLIER, (tx) => h.cp.negotiationStore.findBy(tx, { role: 'provider', consumer_pid: n?.entity.consumerPid as string })),
      (p) => p?.entity.state === 'FINALIZED',
    );
    expect(providerSide?.entity.role).toBe('provider');
    const consumerAgreement = await h.db.withTenant(OEM, (tx) => h.cp.negotiationStore.findAgreement(tx, agreementId));
    expect(consumerAgreement).toMatchObject({ role: 'consumer', assetId: ASSET });

    const tp = await h.cp.transfers.start(OEM, { agreementId, counterPartyAddress: dsp, dialect: '2025-1', format: 'HttpData-PULL', actor: 'user:test' });
    if (!tp.ok) throw new Error(tp.message);
    const started = await eventually(() => transfer(OEM, tp.value.entity.id), (t) => t?.entity.state === 'STARTED');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(5000);
    const edr = await createSecretBoxEdrVault(h.keys).get(OEM, tp.value.entity.id);
    expect(edr?.endpoint).toBe(`${h.base}/tenants/${SUPPLIER}/pact`);
    const props = Object.fromEntries((edr?.endpointProperties ?? []).map((p) => [p.name, p.value]));
    expect(props['https://w3id.org/edc/v0.0.1/ns/authType']).toBe('bearer');
    expect(props['https://w3id.org/tractusx/auth/refreshToken']).toEqual(expect.any(String));
    const token = props['https://w3id.org/edc/v0.0.1/ns/authorization'];
    expect(token.split('.')).toHaveLength(3);
    // The stored process row never holds the token.
    const raw = await h.db.withTenant(OEM, (tx) => tx.query<{ record: unknown }>('SELECT record FROM cp_transfers WHERE id = $1', [tp.value.entity.id]));
    expect(JSON.stringify(raw)).not.toContain(token);

    // The PACT host's liveness check, by the token's jti.
    const jti = (JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as { jti: string }).jti;
    expect(await h.cp.liveness.isLive(SUPPLIER, jti)).toMatchObject({ live: true, agreementId, consumerBpn: OEM_BPN });

    const done = await h.cp.transfers.command(OEM, started?.entity.id as string, 'completion', undefined, 'user:test');
    expect(done.ok).toBe(true);
    await eventually(() => transfer(OEM, tp.value.entity.id), (t) => t?.entity.state === 'COMPLETED');
    const providerTransfer = await h.db.withTenant(SUPPLIER, (tx) => h.cp.transferStore.findBy(tx, { role: 'provider', consumer_pid: tp.value.entity.consumerPid }));
    expect(providerTransfer?.entity.state).toBe('COMPLETED');
    expect(await h.cp.liveness.isLive(SUPPLIER, jti)).toMatchObject({ live: false });
  });

  it('provider termination revokes access at once and reaches the consumer', async () => {
    const n = await negotiate(ASSET);
    const tp = await h.cp.transfers.start(OEM, { agreementId: n?.entity.agreementId as string, counterPartyAddress: dsp, dialect: '2025-1', format: 'HttpData-PULL', actor: 'user:test' });
    if (!tp.ok) throw new Error(tp.message);
    await eventually(() => transfer(OEM, tp.value.entity.id), (t) => t?.entity.state === 'STARTED');
    const provider = await h.db.withTenant(SUPPLIER, (tx) => h.cp.transferStore.findBy(tx, { role: 'provider', consumer_pid: tp.value.entity.consumerPid }));
    const bindings = await h.db.withTenant(SUPPLIER, (tx) => tx.query<{ binding: string }>('SELECT binding FROM cp_token_bindings WHERE transfer_id = $1', [provider?.entity.id]));
    expect(await h.cp.liveness.isLive(SUPPLIER, bindings[0].binding)).toMatchObject({ live: true });
    const r = await h.cp.transfers.command(SUPPLIER, provider?.entity.id as string, 'termination', 'supplier ends access', 'user:supplier');
    expect(r.ok).toBe(true);
    expect(await h.cp.liveness.isLive(SUPPLIER, bindings[0].binding)).toMatchObject({ live: false });
    const ended = await eventually(() => transfer(OEM, tp.value.entity.id), (t) => t?.entity.state === 'TERMINATED');
    expect(ended?.entity.errorDetail).toContain('supplier ends access');
  });

  it('a usage policy the consumer does not meet ends the negotiation TERMINATED with the reason', async () => {
    const n = await negotiate(STRICT_ASSET);
    expect(n?.entity.state).toBe('TERMINATED');
    expect(n?.entity.errorDetail).toContain('usage policy not satisfied');
    expect(n?.entity.errorDetail).toContain('BusinessPartnerNumber');
  });

  it('an offer that differs from the catalog offer is refused with 400', async () => {
    const offer = await offerFor(ASSET);
    const tampered: Policy = { ...offer, permissions: offer.permissions.map((r) => ({ ...r, constraints: [] })) };
    const r = await h.cp.client.send({
      tenantId: OEM, counterPartyId: supplierDid, baseUrl: dsp, path: '/negotiations/request', dialect: '2025-1', expect: 'ContractNegotiation',
      message: { type: 'ContractRequestMessage', consumerPid: 'urn:uuid:tampered-1', callbackAddress: `${h.base}/cb`, offer: serializePolicy(tampered, 'dsp-2025-1') },
    });
    expect(r).toMatchObject({ ok: false, status: 400 });
  });

  it('illegal transitions get 400 with a ContractNegotiationError / TransferError body', async () => {
    const n = await negotiate(ASSET);
    const pids = { providerPid: n?.entity.providerPid as string, consumerPid: n?.entity.consumerPid as string };
    const auth = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    const res = await fetch(`${dsp}/negotiations/${encodeURIComponent(pids.providerPid)}/termination`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify(h.codec.encode({ type: 'ContractNegotiationTerminationMessage', ...pids }, '2025-1')),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ '@type': 'ContractNegotiationError', ...pids, code: '400' });

    const tp = await h.cp.transfers.start(OEM, { agreementId: n?.entity.agreementId as string, counterPartyAddress: dsp, dialect: '2025-1', format: 'HttpData-PULL', actor: 'user:test' });
    if (!tp.ok) throw new Error(tp.message);
    const t = await eventually(() => transfer(OEM, tp.value.entity.id), (x) => x?.entity.state === 'STARTED');
    await h.cp.transfers.command(OEM, tp.value.entity.id, 'termination', 'done', 'user:test');
    await eventually(() => transfer(OEM, tp.value.entity.id), (x) => x?.entity.state === 'TERMINATED');
    const tpids = { providerPid: t?.entity.providerPid as string, consumerPid: t?.entity.consumerPid as string };
    const again = await fetch(`${dsp}/transfers/${encodeURIComponent(tpids.providerPid)}/completion`, {
      method: 'POST', headers: { authorization: await h.identity.dcp.authorizationFor(OEM, supplierDid), 'content-type': 'application/json' },
      body: JSON.stringify(h.codec.encode({ type: 'TransferCompletionMessage', ...tpids }, '2025-1')),
    });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ '@type': 'TransferError', ...tpids });
  });

  it('unauthenticated requests are answered 404 (never processed); the version document is public', async () => {
    const res = await fetch(`${dsp}/catalog/request`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'CatalogRequestMessage' }) });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ '@type': 'CatalogError' });
    const neg = await fetch(`${dsp}/negotiations/request`, { method: 'POST', headers: { authorization: 'Bearer nonsense', 'content-type': 'application/json' }, body: '{}' });
    expect(neg.status).toBe(404);
    const version = await fetch(`${h.base}/tenants/${SUPPLIER}/.well-known/dspace-version`);
    expect(version.status).toBe(200);
    expect(((await version.json()) as { protocolVersions: { version: string }[] }).protocolVersions.map((v) => v.version)).toContain('2025-1');
  });

  it('management API v3: catalog request, negotiation, agreement, transfer, EDR, terminate', async () => {
    const mgmt = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${h.base}/management/v3${path}`, { method, headers: { 'x-test-tenant': OEM, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
    };
    const ctx = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
    const cat = await mgmt('POST', '/catalog/request', { '@context': ctx, '@type': 'CatalogRequest', counterPartyId: supplierDid, counterPartyAddress: dsp, protocol: 'dataspace-protocol-http:2025-1' });
    expect(cat.status).toBe(200);
    const datasets = cat.json?.['dataset'] as Record<string, unknown>[];
    const ds = datasets.find((d) => d['@id'] === ASSET) as Record<string, unknown>;
    const offer = (ds['hasPolicy'] as Record<string, unknown>[])[0];
    const refused = await mgmt('POST', '/contractnegotiations', { '@context': ctx, counterPartyAddress: 'http://user:pw@127.0.0.1/x', protocol: 'dataspace-protocol-http:2025-1', policy: offer });
    expect(refused.status).toBe(400);
    const created = await mgmt('POST', '/contractnegotiations', {
      '@context': [ 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', ctx],
      '@type': 'ContractRequest', counterPartyAddress: dsp, counterPartyId: supplierDid, protocol: 'dataspace-protocol-http:2025-1',
      policy: { ...offer, target: ASSET },
    });
    expect(created).toMatchObject({ status: 200, json: { '@type': 'IdResponse' } });
    const nid = created.json?.['@id'] as string;
    const finalized = await eventually(() => mgmt('GET', `/contractnegotiations/${encodeURIComponent(nid)}/state`), (r) => r.json?.['state'] === 'FINALIZED');
    expect(finalized.json).toMatchObject({ '@type': 'NegotiationState' });
    const neg = await mgmt('GET', `/contractnegotiations/${encodeURIComponent(nid)}`);
    const agreementId = neg.json?.['contractAgreementId'] as string;
    expect((await mgmt('GET', `/contractagreements/${encodeURIComponent(agreementId)}`)).json).toMatchObject({ '@type': 'ContractAgreement', assetId: ASSET });
    const tp = await mgmt('POST', '/transferprocesses', { '@context': ctx, '@type': 'TransferRequest', contractId: agreementId, counterPartyAddress: dsp, protocol: 'dataspace-protocol-http:2025-1', transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' } });
    expect(tp.status).toBe(200);
    const tid = tp.json?.['@id'] as string;
    await eventually(() => mgmt('GET', `/transferprocesses/${encodeURIComponent(tid)}/state`), (r) => r.json?.['state'] === 'STARTED');
    const edr = await mgmt('GET', `/edrs/${encodeURIComponent(tid)}/dataaddress`);
    expect(edr.json).toMatchObject({ endpoint: `${h.base}/tenants/${SUPPLIER}/pact`, authType: 'bearer', 'tx-auth:refreshToken': expect.any(String) });
    expect((await mgmt('POST', `/transferprocesses/${encodeURIComponent(tid)}/terminate`, { reason: 'done' })).status).toBe(204);
    await eventually(() => mgmt('GET', `/transferprocesses/${encodeURIComponent(tid)}/state`), (r) => r.json?.['state'] === 'TERMINATED');
    expect((await mgmt('GET', `/edrs/${encodeURIComponent(tid)}/dataaddress`)).status).toBe(404);
  });
});
