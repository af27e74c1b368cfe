// Steps of the supplier → OEM flow through a real runtime's management API, shared by the control-plane runtime tests.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pcfAccessPolicy, pcfUsagePolicy } from '../../../policies/templates';
import type { EngineName } from '../../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../../support/runtime';

export const SPECS = resolve(__dirname, '../../../../shared/specs');
export const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
export type Protocol = 'dataspace-protocol-http:2025-1' | 'dataspace-protocol-http:2024/1' | 'dataspace-protocol-http';

export interface Reply { status: number; body: unknown; headers: Headers }
export type Api = (method: string, path: string, body?: unknown) => Promise<Reply>;

export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The management API of one tenant. */
export function managementOf(rt: TestRuntime, apiKey: string): Api {
  return (method, path, body) => call(rt.baseUrl, method, `/management/v3${path}`, { 'x-api-key': apiKey }, body);
}

/** Onboards tenants (id → BPN) and returns their admin API keys. */
export async function onboard(rt: TestRuntime, tenants: Record<string, string>): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const [id, bpn] of Object.entries(tenants)) {
    const r = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${rt.operatorKey}` }, { id, displayName: id, bpn });
    if (r.status !== 201) throw new Error(`onboarding ${id}: ${r.status} ${JSON.stringify(r.body)}`);
    keys[id] = (r.body as { adminApiKey: string }).adminApiKey;
  }
  return keys;
}

/** Supplier: one footprint, the PCF asset, the CX-0136 policies and a contract definition. Returns the footprint id. */
export async function publishPcf(rt: TestRuntime, supplier: Api, tenantId: string, usage = pcfUsagePolicy({})): Promise<string> {
  const footprint = JSON.parse(readFileSync(resolve(SPECS, 'pact/v3/examples/example-1.json'), 'utf8')) as { id: string };
  const ok = (r: Reply, what: string) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`); };
  ok(await supplier('POST', '/footprints', footprint), 'footprint');
  ok(await supplier('POST', '/assets', {
    '@context': EDC, '@id': 'pcf-exchange',
    properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' } },
    dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: `${rt.baseUrl}/tenants/${tenantId}/pact` },
  }), 'asset');
  const access = pcfAccessPolicy({});
  ok(await supplier('POST', '/policydefinitions', access), 'access policy');
  ok(await supplier('POST', '/policydefinitions', usage), 'usage policy');
  ok(await supplier('POST', '/contractdefinitions', {
    '@context': EDC, '@id': 'pcf-contract', accessPolicyId: access['@id'], contractPolicyId: usage['@id'],
    assetsSelector: [{ operandLeft: 'https://w3id.org/edc/v0.0.1/ns/id', operator: '=', operandRight: 'pcf-exchange' }],
  }), 'contract definition');
  return footprint.id;
}

export interface FlowTarget {
  readonly protocol: Protocol;
  /** DSP base of the provider for that protocol. */
  readonly address: string;
  /** DID (2025-1, 2024/1) or BPNL (0.8). */
  readonly counterPartyId: string;
}

/** The DSP base path segment of a protocol id. */
export function dspBase(rt: TestRuntime, tenantId: string, protocol: Protocol): string {
  const seg = protocol === 'dataspace-protocol-http:2025-1' ? '/2025-1' : protocol === 'dataspace-protocol-http:2024/1' ? '/2024-1' : '';
  return `${rt.baseUrl}/tenants/${tenantId}/dsp${seg}`;
}

/** Consumer: catalog → negotiation (FINALIZED); returns the ids and the catalog. */
export async function negotiate(consumer: Api, target: FlowTarget): Promise<{ negotiationId: string; agreementId: string; catalog: Record<string, unknown> }> {
  const base = { counterPartyAddress: target.address, counterPartyId: target.counterPartyId, protocol: target.protocol };
  const catalog = await consumer('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', ...base });
  if (catalog.status !== 200) throw new Error(`catalog: ${catalog.status} ${JSON.stringify(catalog.body)}`);
  const cat = catalog.body as Record<string, unknown>;
  const datasets = (cat['dataset'] ?? cat['dcat:dataset']) as Record<string, unknown>[] | Record<string, unknown>;
  const dataset = (Array.isArray(datasets) ? datasets : [datasets]).find((d) => d['@id'] === 'pcf-exchange');
  if (dataset === undefined) throw new Error(`no pcf-exchange dataset in ${JSON.stringify(cat)}`);
  const policies = (dataset['hasPolicy'] ?? dataset['odrl:hasPolicy']) as Record<string, unknown>[] | Record<string, unknown>;
  const offer = Array.isArray(policies) ? policies[0] : policies;
  const negotiation = await consumer('POST', '/contractnegotiations', {
    '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
    '@type': 'ContractRequest', ...base, policy: { ...offer, target: 'pcf-exchange' },
  });
  if (negotiation.status !== 200) throw new Error(`negotiation: ${negotiation.status} ${JSON.stringify(negotiation.body)}`);
  const negotiationId = (negotiation.body as { '@id': string })['@id'];
  const nid = encodeURIComponent(negotiationId);
  const n = await eventually(() => consumer('GET', `/contractnegotiations/${nid}`), (r) => ['FINALIZED', 'TERMINATED'].includes((r.body as { state?: string }).state ?? ''));
  const agreementId = (n.body as { contractAgreementId?: string }).contractAgreementId;
  if (agreementId === undefined) throw new Error(`negotiation ended ${JSON.stringify(n.body)}`);
  return { negotiationId, agreementId, catalog: cat };
}

/** Consumer: a PULL transfer under `agreementId`, waited for until STARTED; returns its id. */
export async function startTransfer(consumer: Api, target: FlowTarget, agreementId: string): Promise<string> {
  const transfer = await consumer('POST', '/transferprocesses', {
    '@context': EDC, '@type': 'TransferRequest', contractId: agreementId, counterPartyAddress: target.address, protocol: target.protocol,
    transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' },
  });
  if (transfer.status !== 200) throw new Error(`transfer: ${transfer.status} ${JSON.stringify(transfer.body)}`);
  const transferId = (transfer.body as { '@id': string })['@id'];
  await waitState(consumer, 'transferprocesses', transferId, 'STARTED');
  return transferId;
}

/** Consumer: catalog → negotiation (FINALIZED) → transfer (STARTED); returns the ids and the catalog's offer. */
export async function negotiateAndStart(consumer: Api, target: FlowTarget): Promise<{ negotiationId: string; agreementId: string; transferId: string; catalog: Record<string, unknown> }> {
  const n = await negotiate(consumer, target);
  return { ...n, transferId: await startTransfer(consumer, target, n.agreementId) };
}

/** Waits until a negotiation or transfer reaches `state` (fails fast on another terminal state). */
export async function waitState(api: Api, kind: 'transferprocesses' | 'contractnegotiations', id: string, state: string): Promise<void> {
  const terminal = ['TERMINATED', 'COMPLETED', 'FINALIZED'];
  const r = await eventually(() => api('GET', `/${kind}/${encodeURIComponent(id)}/state`), (x) => {
    const s = (x.body as { state?: string }).state ?? '';
    return s === state || (terminal.includes(s) && s !== state);
  });
  const got = (r.body as { state?: string }).state;
  if (got !== state) throw new Error(`${kind} ${id} reached ${got}, expected ${state}`);
}

/** A runtime with a supplier (publishing the PCF offer under `usage`) and an OEM, and both tenants' management APIs. */
export async function startSupplierAndOem(engine: EngineName, usage = pcfUsagePolicy({})): Promise<{ rt: TestRuntime; sup: Api; oem: Api; footprintId: string }> {
  const rt = await startTestRuntime(engine);
  const keys = await onboard(rt, { supplier: 'BPNL00000000SUPP', oem: 'BPNL000000000OEM' });
  const sup = managementOf(rt, keys.supplier);
  return { rt, sup, oem: managementOf(rt, keys.oem), footprintId: await publishPcf(rt, sup, 'supplier', usage) };
}
