// `npm run demo`: the whole PCF exchange, supplier publishes → OEM negotiates, transfers and reads → terminate revokes, one line per step.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pcfAccessPolicy, pcfUsagePolicy } from '../policies/templates';
import { resolveTarget, type DemoTarget, type Side } from './target';

const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
const PROTOCOL = 'dataspace-protocol-http:2025-1';
const FIXTURES = join(__dirname, 'fixtures');
const PACT_FIXTURES = ['pact-v3-gearbox-housing.json', 'pact-v3-steel-coil.json', 'pact-v3-pa66-gf30.json'];
const CATENAX_FIXTURE = 'catenax-9.0.0-door-wire-harness.json';

interface Reply {
  readonly status: number;
  readonly body: unknown;
}

class StepError extends Error {}

async function request(base: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { accept: 'application/json', ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: res.status, body: parsed };
}

function expectStatus(r: Reply, ok: readonly number[], what: string): Record<string, unknown> {
  if (!ok.includes(r.status)) throw new StepError(`${what}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (typeof r.body === 'object' && r.body !== null ? r.body : {}) as Record<string, unknown>;
}

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new StepError(`${what} not reached in ${timeoutMs / 1000} s (last: ${JSON.stringify(v).slice(0, 200)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let stepNo = 0;
/** Runs one step and prints `[ok]  n. title — detail (ms)`; a failure prints `[FAIL]` and ends the demo. */
async function step<T>(title: string, work: () => Promise<{ value: T; detail: string }>): Promise<T> {
  stepNo += 1;
  const started = Date.now();
  const n = String(stepNo).padStart(2, ' ');
  try {
    const { value, detail } = await work();
    console.log(`[ok]   ${n}. ${title} — ${detail} (${Date.now() - started} ms)`);
    return value;
  } catch (err) {
    console.log(`[FAIL] ${n}. ${title} — ${err instanceof Error ? err.message : String(err)} (${Date.now() - started} ms)`);
    throw err;
  }
}

function bpnOf(suffix: string, kind: 'S' | 'O'): string {
  return `BPNL${kind === 'S' ? '5' : '7'}${suffix.toUpperCase().padStart(11, '0').slice(-11)}`;
}

async function onboard(side: Side, id: string, displayName: string, bpn: string): Promise<string> {
  const r = await request(side.url, 'POST', '/operator/v1/tenants', { authorization: `Bearer ${side.operatorKey}` }, { id, displayName, bpn });
  const body = expectStatus(r, [201], `onboarding ${id}`);
  if (typeof body['adminApiKey'] !== 'string') throw new StepError('onboarding returned no admin API key');
  return body['adminApiKey'];
}

async function flow(target: DemoTarget): Promise<void> {
  const { supplier, consumer } = target;
  const suffix = randomBytes(4).toString('hex');
  const sid = `demo-supplier-${suffix}`;
  const oid = `demo-oem-${suffix}`;

  const supplierKey = await step('Onboard the supplier tenant', async () => {
    const bpn = bpnOf(suffix, 'S');
    return { value: await onboard(supplier, sid, 'Muster Zulieferer AG', bpn), detail: `${sid} (${bpn}); DID, keys and credentials from the built-in trust anchor` };
  });
  const oemKey = await step('Onboard the OEM tenant', async () => {
    const bpn = bpnOf(suffix, 'O');
    return { value: await onboard(consumer, oid, 'Beispiel Automobil SE', bpn), detail: `${oid} (${bpn})` };
  });
  const sup = (method: string, path: string, body?: unknown): Promise<Reply> => request(supplier.url, method, `/management/v3${path}`, { 'x-api-key': supplierKey }, body);
  const oem = (method: string, path: string, body?: unknown): Promise<Reply> => request(consumer.url, method, `/management/v3${path}`, { 'x-api-key': oemKey }, body);

  const published: string[] = [];
  for (const file of [...PACT_FIXTURES, CATENAX_FIXTURE]) {
    const doc = JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown>;
    const catenax = file === CATENAX_FIXTURE;
    const name = catenax
      ? String(((doc['companyAndProductInformation'] as Record<string, unknown>[])[0]['productInformation'] as Record<string, unknown>[])[0]['productNameCompany'])
      : String(doc['productNameCompany']);
    await step(`Publish a ${catenax ? 'Catena-X 9.0.0' : 'PACT v3.0'} footprint`, async () => {
      const r = await sup('POST', '/footprints', doc);
      const body = expectStatus(r, [200, 201], `publishing ${file}`);
      const id = typeof body['id'] === 'string' ? body['id'] : typeof doc['id'] === 'string' ? doc['id'] : '(stored)';
      published.push(id);
      return { value: undefined, detail: `"${name}" → ${id}${catenax ? ' (mapped to PACT v3.0, Catena-X fields kept as an extension)' : ''}` };
    });
  }

  const pactBase = `${supplier.publicUrl}/tenants/${sid}/pact`;
  await step('Create the PCF asset', async () => {
    expectStatus(await sup('POST', '/assets', {
      '@context': EDC, '@id': 'pcf-exchange',
      properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' }, description: 'Product carbon footprints (PACT v3.0)' },
      dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: pactBase },
    }), [200, 201], 'creating the asset');
    return { value: undefined, detail: `pcf-exchange → ${pactBase}` };
  });
  const access = pcfAccessPolicy({});
  const usage = pcfUsagePolicy({});
  await step('Create the CX-0136 access and usage policies', async () => {
    expectStatus(await sup('POST', '/policydefinitions', access), [200, 201], 'creating the access policy');
    expectStatus(await sup('POST', '/policydefinitions', usage), [200, 201], 'creating the usage policy');
    return { value: undefined, detail: `${access['@id']}, ${usage['@id']} (from policies/templates)` };
  });
  await step('Create the contract definition', async () => {
    expectStatus(await sup('POST', '/contractdefinitions', {
      '@context': EDC, '@id': 'pcf-contract', accessPolicyId: access['@id'], contractPolicyId: usage['@id'],
      assetsSelector: [{ operandLeft: 'https://w3id.org/edc/v0.0.1/ns/id', operator: '=', operandRight: 'pcf-exchange' }],
    }), [200, 201], 'creating the contract definition');
    return { value: undefined, detail: 'pcf-contract offers pcf-exchange under the usage policy' };
  });

  // From here on: the OEM, only through its management API and the supplier's public endpoints.
  const supplierDid = await step('Resolve the supplier’s DID', async () => {
    const did = expectStatus(await request(supplier.url, 'GET', `/tenants/${sid}/did.json`, {}), [200], 'reading the DID document');
    if (typeof did['id'] !== 'string') throw new StepError('the DID document has no id');
    return { value: did['id'], detail: did['id'] };
  });
  const dsp = `${supplier.publicUrl}/tenants/${sid}/dsp/2025-1`;
  const offer = await step('OEM requests the supplier’s catalog', async () => {
    const body = expectStatus(await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', counterPartyId: supplierDid, counterPartyAddress: dsp, protocol: PROTOCOL }), [200], 'the catalog request');
    const datasets = Array.isArray(body['dataset']) ? (body['dataset'] as Record<string, unknown>[]) : body['dataset'] ? [body['dataset'] as Record<string, unknown>] : [];
    const dataset = datasets.find((d) => d['@id'] === 'pcf-exchange');
    if (dataset === undefined) throw new StepError(`the catalog does not offer pcf-exchange (datasets: ${datasets.map((d) => String(d['@id'])).join(', ') || 'none'})`);
    const policies = Array.isArray(dataset['hasPolicy']) ? (dataset['hasPolicy'] as Record<string, unknown>[]) : [dataset['hasPolicy'] as Record<string, unknown>];
    return { value: policies[0], detail: `${datasets.length} dataset(s); offer ${String(policies[0]?.['@id'])}` };
  });
  const agreementId = await step('OEM negotiates the contract', async () => {
    const body = expectStatus(await oem('POST', '/contractnegotiations', {
      '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
      '@type': 'ContractRequest', counterPartyAddress: dsp, counterPartyId: supplierDid, protocol: PROTOCOL, policy: { ...offer, target: 'pcf-exchange' },
    }), [200], 'starting the negotiation');
    const nid = encodeURIComponent(String(body['@id']));
    const final = await eventually(() => oem('GET', `/contractnegotiations/${nid}/state`), (r) => ['FINALIZED', 'TERMINATED'].includes(String((r.body as { state?: string } | undefined)?.state)), 'FINALIZED');
    if ((final.body as { state: string }).state !== 'FINALIZED') throw new StepError('the negotiation was terminated');
    const n = expectStatus(await oem('GET', `/contractnegotiations/${nid}`), [200], 'reading the negotiation');
    return { value: String(n['contractAgreementId']), detail: `FINALIZED, agreement ${String(n['contractAgreementId'])}` };
  });
  const tid = await step('OEM starts the transfer', async () => {
    const body = expectStatus(await oem('POST', '/transferprocesses', {
      '@context': EDC, '@type': 'TransferRequest', contractId: agreementId, counterPartyAddress: dsp, protocol: PROTOCOL,
      transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' },
    }), [200], 'starting the transfer');
    const id = encodeURIComponent(String(body['@id']));
    const final = await eventually(() => oem('GET', `/transferprocesses/${id}/state`), (r) => ['STARTED', 'TERMINATED'].includes(String((r.body as { state?: string } | undefined)?.state)), 'STARTED');
    if ((final.body as { state: string }).state !== 'STARTED') throw new StepError('the transfer was terminated');
    return { value: id, detail: `STARTED (${decodeURIComponent(id)})` };
  });
  const edr = await step('OEM reads its EDR', async () => {
    const e = expectStatus(await oem('GET', `/edrs/${tid}/dataaddress`), [200], 'reading the EDR');
    if (typeof e['endpoint'] !== 'string' || typeof e['authorization'] !== 'string') throw new StepError('the EDR has no endpoint or token');
    // Outside the connectors' network (compose) the endpoint's public host is reached through the supplier URL.
    const endpoint = e['endpoint'].startsWith(supplier.publicUrl) ? supplier.url + e['endpoint'].slice(supplier.publicUrl.length) : e['endpoint'];
    return { value: { endpoint, token: e['authorization'] }, detail: `endpoint ${e['endpoint']}, token ${e['authorization'].length} chars (not shown)` };
  });
  const bearer = { authorization: `Bearer ${edr.token}` };
  await step('OEM fetches the footprints from the supplier’s PACT host', async () => {
    const list = expectStatus(await request(edr.endpoint, 'GET', '/3/footprints?limit=50', bearer), [200], 'listing footprints');
    const data = Array.isArray(list['data']) ? (list['data'] as { id?: string; productNameCompany?: string; pcf?: { pcfExcludingBiogenicUptake?: string; declaredUnitOfMeasurement?: string; declaredUnitAmount?: string } }[]) : [];
    if (data.length !== published.length) throw new StepError(`expected ${published.length} footprints, got ${data.length}`);
    const one = expectStatus(await request(edr.endpoint, 'GET', `/3/footprints/${encodeURIComponent(String(data[0].id))}`, bearer), [200], 'reading one footprint');
    const first = (one['data'] ?? {}) as { productNameCompany?: string; pcf?: { pcfExcludingBiogenicUptake?: string; declaredUnitOfMeasurement?: string } };
    const summary = data.map((f) => `${f.productNameCompany ?? f.id}: ${f.pcf?.pcfExcludingBiogenicUptake ?? '?'} kg CO2e per ${f.pcf?.declaredUnitAmount ?? '?'} ${f.pcf?.declaredUnitOfMeasurement ?? '?'}`).join('; ');
    return { value: undefined, detail: `${data.length} footprints (${summary}); by id: ${first.productNameCompany ?? '?'}` };
  });
  await step('OEM terminates the transfer', async () => {
    expectStatus(await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'demo finished' }), [200, 204], 'terminating the transfer');
    await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string } | undefined)?.state === 'TERMINATED', 'TERMINATED');
    return { value: undefined, detail: 'TERMINATED' };
  });
  await step('The EDR token no longer opens the PACT host', async () => {
    const r = await eventually(() => request(edr.endpoint, 'GET', '/3/footprints?limit=1', bearer), (x) => x.status === 401 || x.status === 403, 'access revoked');
    return { value: undefined, detail: `HTTP ${r.status} although the token has not expired` };
  });
}

async function main(): Promise<number> {
  const started = Date.now();
  let target: DemoTarget;
  try {
    target = await step('Find or start a connector', async () => {
      const t = await resolveTarget();
      return { value: t, detail: t.description };
    });
  } catch {
    return 1;
  }
  let code = 0;
  try {
    await flow(target);
    console.log(`Demo complete: ${stepNo} steps in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    if (!(err instanceof StepError) && err instanceof Error && err.stack) console.error(err.stack);
    console.log('Demo failed.');
    code = 1;
  } finally {
    await target.close();
  }
  return code;
}

void main().then((code) => {
  process.exitCode = code;
});
