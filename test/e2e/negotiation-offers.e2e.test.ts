// Provider offers and counter-offers over loopback HTTP (DSP TCK CN / CN_C sequences), decided through the management API.
import { parseExpandedPolicy, policiesEquivalent, serializePolicy, type Policy } from '../../policies/index';
import type { Catalog } from '../../connector/dsp';
import { callbackAddressOf } from '../../connector/dsp/http/dsp-router';
import { decodeContractId } from '../../connector/negotiation/contract-ids';
import { asPolicy } from '../../connector/negotiation/negotiation-service';
import { testEngines, type TestDatabase } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { ASSET, closeTwoTenants, eventually, OEM, OEM_BPN, openTwoTenants, STRICT_ASSET, SUPPLIER, type Harness } from './support/control-plane-harness';
import { captureDspMessages, type DspCapture } from './support/dsp-capture';
import { dspBase, managementOf, onboard, publishPcf, waitState, type Api } from './support/runtime-flow-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';
const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
const BPN_CONSTRAINT = 'https://w3id.org/catenax/2025/9/policy/BusinessPartnerNumber';

describe.each(testEngines())('provider offers and counter-offers on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;
  let capture: DspCapture;
  let supplierDid: string;
  let oemDid: string;
  let usage: Policy;

  beforeAll(async () => {
    ({ db, h, supplierDid } = await openTwoTenants(engine));
    oemDid = h.identity.dids.didOf(OEM);
    const data = h.catalog.get(SUPPLIER);
    if (data === undefined) throw new Error('no supplier catalog');
    usage = data.policies.get('usage') as Policy;
    // The opt-in: requests under this definition wait for the supplier's user.
    const manual = { id: 'def-manual', accessPolicyId: 'access', contractPolicyId: 'usage', assetIds: [ASSET], privateProperties: { 'https://w3id.org/edc/v0.0.1/ns/manualApproval': true } };
    data.definitions.push(manual);
    capture = captureDspMessages(h.http);
  }, 60_000);

  afterAll(async () => {
    capture?.restore();
    await closeTwoTenants(h, db);
  });

  async function mgmt(tenant: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${h.base}/management/v3/contractnegotiations${path}`, {
      method, headers: { 'x-test-tenant': tenant, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) as unknown };
  }
  const ok = async (tenant: string, path: string, body?: unknown): Promise<void> => {
    const r = await mgmt(tenant, 'POST', path, body);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  const find = (tenant: string, id: string) => h.db.withTenant(tenant, (tx) => h.cp.negotiationStore.find(tx, id));
  const state = (tenant: string, id: string, s: string) => eventually(() => find(tenant, id), (n) => n?.entity.state === s || (s !== 'TERMINATED' && n?.entity.state === 'TERMINATED'));
  const both = async (c: string, p: string, s: string) => {
    expect((await state(OEM, c, s))?.entity.state).toBe(s);
    expect((await state(SUPPLIER, p, s))?.entity.state).toBe(s);
  };
  const consumerOf = (providerId: string) => eventually(
    () => h.db.withTenant(OEM, (tx) => h.cp.negotiationStore.findBy(tx, { role: 'consumer', provider_pid: providerId })), (n) => n !== undefined,
  );
  const providerOf = (consumerPid: string) => eventually(
    () => h.db.withTenant(SUPPLIER, (tx) => h.cp.negotiationStore.findBy(tx, { role: 'provider', consumer_pid: consumerPid })), (n) => n !== undefined,
  );

  /** The supplier offers a definition (default `def-pcf`) for its asset to the OEM; returns the provider's and the consumer's negotiation ids. */
  async function offer(definitionId = 'def-pcf', assetId = ASSET): Promise<{ p: string; c: string }> {
    const r = await mgmt(SUPPLIER, 'POST', '/offers', {
      '@context': EDC, '@type': 'ContractOfferRequest', counterPartyAddress: callbackAddressOf(h.cp.dspBase(OEM, '2025-1')), counterPartyId: oemDid,
      protocol: PROTOCOL, contractDefinitionId: definitionId, assetId,
    });
    expect(r.status).toBe(200);
    const p = (r.body as { '@id': string })['@id'];
    const consumer = await consumerOf(p);
    await both(consumer?.entity.id as string, p, 'OFFERED');
    return { p, c: consumer?.entity.id as string };
  }

  /** The OEM requests the catalog offer of `definitionId`; returns both negotiation ids and the requested offer. */
  async function request(definitionId: string): Promise<{ p: string; c: string; catalogOffer: Policy }> {
    const r = await h.cp.client.send({ tenantId: OEM, counterPartyId: supplierDid, baseUrl: h.cp.dspBase(SUPPLIER, '2025-1'), path: '/catalog/request', dialect: '2025-1', message: { type: 'CatalogRequestMessage' }, expect: 'Catalog' });
    if (!r.ok) throw new Error(r.message);
    const policies = (r.value as Catalog).dataset.find((d) => d.id === ASSET)?.hasPolicy ?? [];
    const parsed = policies.map((x) => parseExpandedPolicy(x)).flatMap((x) => (x.ok ? [x.value] : []));
    const chosen = parsed.find((x) => { const d = decodeContractId(x.id ?? ''); return d.ok && d.value.definitionId === definitionId; });
    if (chosen === undefined) throw new Error(`no offer of ${definitionId}`);
    const catalogOffer: Policy = { ...chosen, target: ASSET };
    const n = await h.cp.negotiations.start(OEM, { counterPartyAddress: h.cp.dspBase(SUPPLIER, '2025-1'), counterPartyId: supplierDid, dialect: '2025-1', offer: catalogOffer, actor: 'user:test' });
    if (!n.ok) throw new Error(n.message);
    const provider = await providerOf(n.value.entity.consumerPid);
    return { p: provider?.entity.id as string, c: n.value.entity.id, catalogOffer };
  }

  /** The usage policy narrowed to the OEM's BPN (a counter-offer the supplier may make). */
  function narrowed(): Policy {
    return {
      ...usage,
      permissions: usage.permissions.map((rule) => ({ ...rule, constraints: [...rule.constraints, { type: 'atomic', leftOperand: BPN_CONSTRAINT, operator: 'isAnyOf', rightOperand: [{ value: OEM_BPN }] }] })),
    };
  }
  const policyBody = (p: Policy) => ({ '@context': EDC, policy: serializePolicy({ ...p, id: undefined, type: 'Offer' }, 'edc-management') });

  it('CN_C provider-initiated: offer → OFFERED on both (no auto-accept) → consumer accepts → agreement → FINALIZED on both', async () => {
    const { p, c } = await offer();
    const shown = await mgmt(OEM, 'GET', `/${encodeURIComponent(c)}`);
    expect(shown.body).toMatchObject({ '@id': c, type: 'CONSUMER', state: 'OFFERED', counterPartyId: supplierDid });
    const offered = await mgmt(OEM, 'GET', `/${encodeURIComponent(c)}/offer`);
    expect(decodeContractId((offered.body as { '@id': string })['@id'])).toMatchObject({ ok: true, value: { definitionId: 'def-pcf', assetId: ASSET } });
    await new Promise((r) => setTimeout(r, 300));
    expect((await find(OEM, c))?.entity.state).toBe('OFFERED');

    expect((await mgmt(OEM, 'POST', `/${encodeURIComponent(c)}/accept`)).status).toBe(204);
    await both(c, p, 'FINALIZED');
    const agreementId = (await find(OEM, c))?.entity.agreementId as string;
    expect(decodeContractId(agreementId)).toMatchObject({ ok: true, value: { definitionId: 'def-pcf', assetId: ASSET } });
    const agreements = await Promise.all([OEM, SUPPLIER].map((t) => h.db.withTenant(t, (tx) => h.cp.negotiationStore.findAgreement(tx, agreementId))));
    expect(agreements.map((a) => a?.role)).toEqual(['consumer', 'provider']);
    expect(policiesEquivalent(agreements[0]?.policy as Policy, usage)).toBe(true);
    // Accepting again is a state conflict in the management format.
    const again = await mgmt(OEM, 'POST', `/${encodeURIComponent(c)}/accept`);
    expect(again.status).toBe(409);
    expect(again.body).toEqual([expect.objectContaining({ type: 'ObjectConflict' })]);
  }, 30_000);

  it('CN:01-03 / CN_C:01-01: request (manual approval) waits in REQUESTED → provider counter-offer → consumer accepts → FINALIZED with the counter-offer', async () => {
    const { p, c } = await request('def-manual');
    await both(c, p, 'REQUESTED');
    // Widening the contract policy is refused.
    const wider = await mgmt(SUPPLIER, 'POST', `/${encodeURIComponent(p)}/counteroffer`, policyBody({ ...usage, permissions: usage.permissions.map((r) => ({ ...r, constraints: [] })) }));
    expect(wider.status).toBe(400);
    expect(wider.body).toEqual([expect.objectContaining({ type: 'BadRequest' })]);
    expect((await mgmt(OEM, 'POST', `/${encodeURIComponent(c)}/counteroffer`, policyBody(narrowed()))).status).toBe(409);

    expect((await mgmt(SUPPLIER, 'POST', `/${encodeURIComponent(p)}/counteroffer`, policyBody(narrowed()))).status).toBe(204);
    await both(c, p, 'OFFERED');
    const counter = asPolicy((await find(OEM, c))?.entity.offerPolicy);
    expect(counter.ok && policiesEquivalent(counter.value, narrowed())).toBe(true);
    expect((await mgmt(SUPPLIER, 'POST', `/${encodeURIComponent(p)}/approve`)).status).toBe(409);

    await ok(OEM, `/${encodeURIComponent(c)}/accept`);
    await both(c, p, 'FINALIZED');
    const agreementId = (await find(SUPPLIER, p))?.entity.agreementId as string;
    const agreement = await h.db.withTenant(OEM, (tx) => h.cp.negotiationStore.findAgreement(tx, agreementId));
    expect(policiesEquivalent(agreement?.policy as Policy, narrowed())).toBe(true);
    expect(decodeContractId(agreementId)).toMatchObject({ ok: true, value: { definitionId: 'def-manual' } });
  }, 30_000);

  it('CN:01-02 variant: counter-offer → consumer counter-requests the catalog terms → REQUESTED → provider approves → FINALIZED', async () => {
    const { p, c, catalogOffer } = await request('def-manual');
    await both(c, p, 'REQUESTED');
    await ok(SUPPLIER, `/${encodeURIComponent(p)}/counteroffer`, policyBody(narrowed()));
    await both(c, p, 'OFFERED');
    const counterRequest = { '@context': EDC, policy: serializePolicy(catalogOffer, 'edc-management') };
    expect((await mgmt(OEM, 'POST', `/${encodeURIComponent(c)}/counterrequest`, counterRequest)).status).toBe(204);
    await both(c, p, 'REQUESTED');
    await ok(SUPPLIER, `/${encodeURIComponent(p)}/approve`);
    await both(c, p, 'FINALIZED');
    const agreementId = (await find(OEM, c))?.entity.agreementId as string;
    const agreement = await h.db.withTenant(SUPPLIER, (tx) => h.cp.negotiationStore.findAgreement(tx, agreementId));
    expect(policiesEquivalent(agreement?.policy as Policy, usage)).toBe(true);
  }, 30_000);

  it('CN_C:01-03: offer → consumer declines (terminates) → TERMINATED on both with the reason', async () => {
    const { p, c } = await offer();
    expect((await mgmt(OEM, 'POST', `/${encodeURIComponent(c)}/terminate`, { '@context': EDC, reason: 'not interested' })).status).toBe(204);
    await both(c, p, 'TERMINATED');
    expect((await find(SUPPLIER, p))?.entity.errorDetail).toContain('not interested');
  }, 30_000);

  it('CN:02-06 / CN_C:02-05: offer of a usage policy the consumer does not meet → accepted → provider terminates with the reason', async () => {
    const { p, c } = await offer('def-strict', STRICT_ASSET);
    await ok(OEM, `/${encodeURIComponent(c)}/accept`);
    await both(c, p, 'TERMINATED');
    const ended = await find(OEM, c);
    expect(ended?.entity.errorDetail).toContain('usage policy not satisfied');
    expect(ended?.entity.errorDetail).toContain('BusinessPartnerNumber');
    expect(ended?.entity.agreementId).toBeUndefined();
  }, 30_000);

  it('bad offers are refused in the management error format', async () => {
    const base = { '@context': EDC, counterPartyAddress: callbackAddressOf(h.cp.dspBase(OEM, '2025-1')), counterPartyId: oemDid, protocol: PROTOCOL };
    for (const body of [
      { ...base, contractDefinitionId: 'def-unknown', assetId: ASSET },
      { ...base, contractDefinitionId: 'def-pcf', assetId: STRICT_ASSET },
      { ...base, contractDefinitionId: 'def-pcf' },
      { ...base, counterPartyAddress: 'ftp://x', contractDefinitionId: 'def-pcf', assetId: ASSET },
    ]) {
      const r = await mgmt(SUPPLIER, 'POST', '/offers', body);
      expect(r.status).toBe(400);
      expect(r.body).toEqual([expect.objectContaining({ type: 'BadRequest' })]);
    }
    expect((await mgmt(OEM, 'POST', '/urn:uuid:unknown/accept')).status).toBe(404);
  });

  it('CN:01-01 / CN_C:01-03: request → provider counter-offer → consumer terminates → TERMINATED on both', async () => {
    const { p, c } = await request('def-manual');
    await both(c, p, 'REQUESTED');
    await ok(SUPPLIER, `/${encodeURIComponent(p)}/counteroffer`, policyBody(narrowed()));
    await both(c, p, 'OFFERED');
    await ok(OEM, `/${encodeURIComponent(c)}/terminate`, { reason: 'terms too narrow' });
    await both(c, p, 'TERMINATED');
    expect((await find(SUPPLIER, p))?.entity.errorDetail).toContain('terms too narrow');
  }, 30_000);

  it('CN:02-05: request waits → provider declines → TERMINATED on both', async () => {
    const { p, c } = await request('def-manual');
    await both(c, p, 'REQUESTED');
    await ok(SUPPLIER, `/${encodeURIComponent(p)}/terminate`, { reason: 'no capacity' });
    await both(c, p, 'TERMINATED');
  }, 30_000);

  it('illegal events get 400 + ContractNegotiationError; a replayed initial offer answers the same ACK', async () => {
    const post = async (from: string, to: string, url: string, message: Parameters<Harness['codec']['encode']>[0]) => {
      const auth = await h.identity.dcp.authorizationFor(from, h.identity.dids.didOf(to));
      const res = await fetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(h.codec.encode(message, '2025-1')) });
      return { status: res.status, body: await res.json() as unknown };
    };
    // ACCEPTED while the current offer came from the consumer (provider REQUESTED).
    const { p, c } = await request('def-manual');
    await both(c, p, 'REQUESTED');
    const pids = { providerPid: p, consumerPid: (await find(OEM, c))?.entity.consumerPid as string };
    const accepted = await post(OEM, SUPPLIER, `${h.cp.dspBase(SUPPLIER, '2025-1')}/negotiations/${encodeURIComponent(p)}/events`, { type: 'ContractNegotiationEventMessage', ...pids, eventType: 'ACCEPTED' });
    expect(accepted.status).toBe(400);
    expect(accepted.body).toMatchObject({ '@type': 'ContractNegotiationError', ...pids, code: '400' });
    expect((await find(SUPPLIER, p))?.entity.state).toBe('REQUESTED');

    // CN:03-02: a verification while OFFERED.
    const o = await offer();
    const oPids = { providerPid: o.p, consumerPid: o.c };
    const verification = await post(OEM, SUPPLIER, `${h.cp.dspBase(SUPPLIER, '2025-1')}/negotiations/${encodeURIComponent(o.p)}/agreement/verification`, { type: 'ContractAgreementVerificationMessage', ...oPids });
    expect(verification.status).toBe(400);
    expect(verification.body).toMatchObject({ '@type': 'ContractNegotiationError', ...oPids });

    // The initial offer sent again (same message) is idempotent: 201 with the same consumerPid.
    const initial = capture.sent(['ContractOfferMessage']).find((m) => m.body['providerPid'] === o.p && m.body['consumerPid'] === undefined);
    expect(initial).toBeDefined();
    const auth = await h.identity.dcp.authorizationFor(SUPPLIER, oemDid);
    const replay = await fetch(initial?.url as string, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(initial?.body) });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toMatchObject({ consumerPid: o.c, providerPid: o.p, state: 'OFFERED' });
  }, 30_000);

  it('every DSP message sent in these sequences is valid against the DSP 2025-1 schemas', () => {
    const types = new Set(capture.sent().map((m) => m.type));
    for (const t of ['ContractOfferMessage', 'ContractRequestMessage', 'ContractNegotiationEventMessage', 'ContractAgreementMessage', 'ContractAgreementVerificationMessage', 'ContractNegotiationTerminationMessage']) {
      expect(types).toContain(t);
    }
    const offers = capture.sent(['ContractOfferMessage']);
    expect(offers.some((m) => m.url.endsWith('/negotiations/offers'))).toBe(true);
    expect(offers.some((m) => /\/negotiations\/[^/]+\/offers$/.test(m.url))).toBe(true);
    expect(capture.invalid('2025-1')).toEqual([]);
  });
});

// The real composition root: the flag set through the contract definition API reaches the negotiation service.
describe.each(testEngines())('manual approval through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const keys = await onboard(rt, { supplier: 'BPNL00000000SUPP', oem: 'BPNL000000000OEM' });
    sup = managementOf(rt, keys.supplier);
    oem = managementOf(rt, keys.oem);
    await publishPcf(rt, sup, 'supplier');
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
  });

  it('a request under a manualApproval definition waits in REQUESTED until the supplier approves; then FINALIZED on both', async () => {
    const def = await sup('GET', '/contractdefinitions/pcf-contract');
    expect((await sup('PUT', '/contractdefinitions', { ...(def.body as object), privateProperties: { manualApproval: true } })).status).toBe(204);
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const base = { counterPartyAddress: dspBase(rt, 'supplier', PROTOCOL), counterPartyId: supplierDid, protocol: PROTOCOL };
    const catalog = await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', ...base });
    const cat = catalog.body as Record<string, unknown>;
    const datasets = (cat['dataset'] ?? cat['dcat:dataset']) as Record<string, unknown>[] | Record<string, unknown>;
    const dataset = (Array.isArray(datasets) ? datasets : [datasets]).find((d) => d['@id'] === 'pcf-exchange') as Record<string, unknown>;
    const policies = (dataset['hasPolicy'] ?? dataset['odrl:hasPolicy']) as Record<string, unknown>[] | Record<string, unknown>;
    const started = await oem('POST', '/contractnegotiations', {
      '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
      '@type': 'ContractRequest', ...base, policy: { ...(Array.isArray(policies) ? policies[0] : policies), target: 'pcf-exchange' },
    });
    expect(started.status).toBe(200);
    const c = (started.body as { '@id': string })['@id'];
    await waitState(oem, 'contractnegotiations', c, 'REQUESTED');
    const provider = await eventually(() => sup('POST', '/contractnegotiations/request', { '@context': EDC }), (r) => (r.body as { type: string; state: string }[]).some((n) => n.type === 'PROVIDER' && n.state === 'REQUESTED'));
    const p = (provider.body as { '@id': string; type: string }[]).find((n) => n.type === 'PROVIDER')?.['@id'] as string;
    await new Promise((r) => setTimeout(r, 300));
    expect(((await sup('GET', `/contractnegotiations/${encodeURIComponent(p)}/state`)).body as { state: string }).state).toBe('REQUESTED');
    expect((await sup('POST', `/contractnegotiations/${encodeURIComponent(p)}/approve`)).status).toBe(204);
    await waitState(oem, 'contractnegotiations', c, 'FINALIZED');
    await waitState(sup, 'contractnegotiations', p, 'FINALIZED');
  }, 60_000);
});
