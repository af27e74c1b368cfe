// Bench suite: AWS calls per 1,000 transfers of one aws-mode tenant (nock-counted), and data-plane req/s with vs without token checks.
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import express, { Router } from 'express';
import nock from 'nock';
import winston from 'winston';
import { createHttpApp } from '../../connector/app/http-app';
import { loadConfig } from '../../connector/app/config';
import { createRuntime, type Runtime } from '../../connector/app/runtime';
import { createLocalKeyStore } from '../../connector/credentials/local/local-key-store';
import { createTenantCredentials } from '../../connector/credentials/tenant/tenant-credentials';
import { createLogger, type Logger } from '../../connector/observability/logger';
import { createMetrics } from '../../connector/observability/metrics';
import { createPgliteDatabase } from '../../connector/store/pglite-database';
import { pcfAccessPolicy, pcfUsagePolicy } from '../../policies/templates';
import { CONNECTOR_OWN_CREDENTIALS, lockNetworkToLoopback, startFakeAws, type FakeAws } from '../../test/e2e/support/aws-nock';
import { runLoad, type LoadResult } from '../lib/load';
import { startRawServer } from '../lib/raw-server';
import { ratioOf, type BenchMetric, type BenchSuite } from '../lib/report';

// Importing nock replaces node:http's client for the whole process. Only this suite's run wants that: every other
// suite measured in the same process (or importing helpers from here) would pay nock's interception on each request.
if (nock.isActive()) nock.restore();

const REGION = 'eu-central-1';
const ACCOUNT = '210987654321';
const POOL = 'eu-central-1_BenchPool';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/pcf-tenant-supplier`;
const EDC = { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' };
const PROTOCOL = 'dataspace-protocol-http:2025-1';
const SPECS = resolve(__dirname, '../../../shared/specs');

export interface BenchRuntime { readonly runtime: Runtime; readonly baseUrl: string; readonly operatorKey: string; readonly masterKey: Buffer; readonly logger: Logger }

function freePort(): Promise<number> {
  return new Promise((done, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

/** A runtime on a loopback port with an in-memory PGlite database and a logger that keeps only warnings (not written). */
export async function startBenchRuntime(env: Record<string, string>): Promise<BenchRuntime> {
  const port = await freePort();
  const masterKey = randomBytes(32);
  const operatorKey = `pcfop_${randomBytes(24).toString('base64url')}`;
  const { config } = loadConfig({
    PCF_DATA_DIR: `/tmp/pcf-bench-${randomBytes(4).toString('hex')}`, HOST: '127.0.0.1', PORT: String(port), PCF_PUBLIC_URL: `http://127.0.0.1:${port}`,
    PCF_OUTBOUND_ALLOW_LOOPBACK: 'true', PCF_OPERATOR_KEY: operatorKey, PCF_MASTER_KEY: masterKey.toString('base64url'), PCF_LOG_LEVEL: 'warn', ...env,
  }, undefined);
  const sink = new Writable({ write(_c, _e, cb) { cb(); } });
  const logger = createLogger({ level: 'warn', transports: [new winston.transports.Stream({ stream: sink })] });
  const runtime = await createRuntime(config, logger, { db: await createPgliteDatabase({}) });
  const address = await runtime.start();
  return { runtime, baseUrl: `http://127.0.0.1:${address.port}`, operatorKey, masterKey, logger };
}

export async function call(baseUrl: string, method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(`${baseUrl}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body: parsed, text };
}

async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function expectStatus(what: string, r: { status: number; text: string }, ok: (s: number) => boolean): void {
  if (!ok(r.status)) throw new Error(`${what}: HTTP ${r.status} ${r.text.slice(0, 300)}`);
}

/** The supplier publishes a footprint, the PCF asset, the CX-0136 policies and a contract definition; returns the footprint id. */
export async function publishPcfOffer(rt: BenchRuntime, supplierKey: string): Promise<string> {
  const sup = (m: string, p: string, b?: unknown) => call(rt.baseUrl, m, `/management/v3${p}`, { 'x-api-key': supplierKey }, b);
  const footprint = JSON.parse(readFileSync(resolve(SPECS, 'pact/v3/examples/example-1.json'), 'utf8')) as { id: string };
  expectStatus('footprint', await sup('POST', '/footprints', footprint), (s) => s < 300);
  expectStatus('asset', await sup('POST', '/assets', {
    '@context': EDC, '@id': 'pcf-exchange', properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' } },
    dataAddress: { '@type': 'DataAddress', type: 'HttpData', baseUrl: `${rt.baseUrl}/tenants/supplier/pact` },
  }), (s) => s === 200);
  const access = pcfAccessPolicy({});
  const usage = pcfUsagePolicy({});
  expectStatus('access policy', await sup('POST', '/policydefinitions', access), (s) => s === 200);
  expectStatus('usage policy', await sup('POST', '/policydefinitions', usage), (s) => s === 200);
  expectStatus('contract definition', await sup('POST', '/contractdefinitions', {
    '@context': EDC, '@id': 'pcf-contract', accessPolicyId: access['@id'], contractPolicyId: usage['@id'],
    assetsSelector: [{ operandLeft: 'https://w3id.org/edc/v0.0.1/ns/id', operator: '=', operandRight: 'pcf-exchange' }],
  }), (s) => s === 200);
  return footprint.id;
}

/** Supplier publishes; OEM negotiates and starts a transfer; returns the EDR (endpoint + token) and the footprint id. */
async function startTransfer(rt: BenchRuntime, supplierKey: string, oemKey: string): Promise<{ endpoint: string; token: string; footprintId: string }> {
  const oem = (m: string, p: string, b?: unknown) => call(rt.baseUrl, m, `/management/v3${p}`, { 'x-api-key': oemKey }, b);
  const footprintId = await publishPcfOffer(rt, supplierKey);
  const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json', {})).body as { id: string }).id;
  const dsp = `${rt.baseUrl}/tenants/supplier/dsp/2025-1`;
  const catalog = await oem('POST', '/catalog/request', { '@context': EDC, '@type': 'CatalogRequest', counterPartyId: supplierDid, counterPartyAddress: dsp, protocol: PROTOCOL });
  expectStatus('catalog', catalog, (s) => s === 200);
  const dataset = ((catalog.body as { dataset: Record<string, unknown>[] }).dataset).find((d) => d['@id'] === 'pcf-exchange') as Record<string, unknown>;
  const offer = (dataset.hasPolicy as Record<string, unknown>[])[0];
  const negotiation = await oem('POST', '/contractnegotiations', {
    '@context': ['https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', EDC],
    '@type': 'ContractRequest', counterPartyAddress: dsp, counterPartyId: supplierDid, protocol: PROTOCOL, policy: { ...offer, target: 'pcf-exchange' },
  });
  expectStatus('negotiation', negotiation, (s) => s === 200);
  const nid = encodeURIComponent((negotiation.body as { '@id': string })['@id']);
  await eventually(() => oem('GET', `/contractnegotiations/${nid}/state`, undefined), (r) => (r.body as { state?: string }).state === 'FINALIZED');
  const agreementId = ((await oem('GET', `/contractnegotiations/${nid}`)).body as { contractAgreementId: string }).contractAgreementId;
  const transfer = await oem('POST', '/transferprocesses', {
    '@context': EDC, '@type': 'TransferRequest', contractId: agreementId, counterPartyAddress: dsp, protocol: PROTOCOL, transferType: 'HttpData-PULL', dataDestination: { type: 'HttpProxy' },
  });
  expectStatus('transfer', transfer, (s) => s === 200);
  const tid = encodeURIComponent((transfer.body as { '@id': string })['@id']);
  await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string }).state === 'STARTED');
  const edr = (await oem('GET', `/edrs/${tid}/dataaddress`)).body as { endpoint: string; authorization: string };
  return { endpoint: edr.endpoint, token: edr.authorization, footprintId };
}

/** AWS calls the fake saw, except the JWKS (that is the verifier's, counted separately). */
const awsCalls = (aws: FakeAws): number => aws.calls.filter((c) => c.service !== 'cognito-jwks').length;

export const suite: BenchSuite = {
  name: 'aws-calls',
  async run(ctx) {
    const saved = { ...process.env };
    Object.assign(process.env, CONNECTOR_OWN_CREDENTIALS, { AWS_EC2_METADATA_DISABLED: 'true' });
    if (!nock.isActive()) nock.activate();
    lockNetworkToLoopback();
    const aws = await startFakeAws({ region: REGION, account: ACCOUNT, userPoolId: POOL, domain: 'bench-pool' });
    const rt = await startBenchRuntime({ PCF_AWS_PROVISIONING: 'true' });
    const closers: (() => Promise<void>)[] = [];
    try {
      const op = { authorization: `Bearer ${rt.operatorKey}` };
      const s = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, {
        id: 'supplier', displayName: 'Supplier AG', bpn: 'BPNL00000000SUPP', region: REGION, credentialMode: 'aws',
        aws: { region: REGION, roleArn: ROLE, cognito: { userPoolId: POOL, domain: 'bench-pool', tokenMode: 'token-endpoint' } },
      });
      expectStatus('onboard supplier', s, (x) => x === 201);
      const o = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'oem', displayName: 'OEM SE', bpn: 'BPNL000000000OEM' });
      expectStatus('onboard oem', o, (x) => x === 201);
      const provisioningCalls = awsCalls(aws);

      // 1. The runtime's minter (createTenantCredentials on the runtime's database and tenant record), cold caches.
      const creds = createTenantCredentials({
        db: rt.runtime.db, keyStore: createLocalKeyStore({ db: rt.runtime.db, masterKey: rt.masterKey }), publicUrl: rt.baseUrl, logger: rt.logger, aws: { provisioning: true },
      });
      const oemDid = ((await call(rt.baseUrl, 'GET', '/tenants/oem/did.json', {})).body as { id: string }).id;
      const transfers = 1000;
      const mintAll = async (consumers: number): Promise<{ calls: number; ms: number; tokens: Set<string> }> => {
        creds.minter.evictTenant('supplier');
        aws.reset();
        const tokens = new Set<string>();
        const started = performance.now();
        for (let i = 0; i < transfers; i++) {
          const r = await creds.minter.mint({ tenantId: 'supplier', agreementId: 'agr-1', transferId: `tp-${i}`, consumer: { did: consumers === 1 ? oemDid : `${oemDid}-${i % consumers}` } });
          if (!r.ok) throw new Error(`mint failed: ${r.code} ${r.message}`);
          tokens.add(r.value.token);
        }
        return { calls: awsCalls(aws), ms: performance.now() - started, tokens };
      };
      ctx.log(`minting ${transfers} transfer tokens for one consumer`);
      const one = await mintAll(1);
      ctx.log(`minting ${transfers} transfer tokens for 10 consumers`);
      const ten = await mintAll(10);
      aws.reset();
      const token = [...one.tokens][0];
      for (let i = 0; i < transfers; i++) {
        const v = await creds.verifier.verify('supplier', token);
        if (!v.ok) throw new Error(`verify failed: ${v.code}`);
      }
      const jwksFetches = aws.count({ service: 'cognito-jwks' });

      // 2. Data plane: the runtime's PACT host with a live Cognito-token transfer, against the same bytes without checks.
      ctx.log('running the supplier → OEM flow for a live transfer');
      aws.reset();
      const edr = await startTransfer(rt, (s.body as { adminApiKey: string }).adminApiKey, (o.body as { adminApiKey: string }).adminApiKey);
      const transferCalls = awsCalls(aws);
      const url = `${edr.endpoint}/3/footprints/${edr.footprintId}`;
      const reference = await call(url, 'GET', '', { authorization: `Bearer ${edr.token}` });
      expectStatus('footprint with the EDR token', reference, (x) => x === 200);
      const bytes = Buffer.from(reference.text);

      const bench = express.Router({ mergeParams: true });
      bench.get('/nocheck', (_req, res) => void res.type('application/json').send(bytes));
      bench.get('/check', async (req, res) => {
        const v = await creds.verifier.verify(String((req.params as Record<string, string>).tenantId), (req.get('authorization') ?? '').replace(/^Bearer /, ''));
        if (!v.ok) return void res.status(401).json({ code: 'BadAccessToken' });
        res.type('application/json').send(bytes);
      });
      const benchApp = createHttpApp({
        logger: rt.logger, metrics: createMetrics(), bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, isReady: async () => true,
        operatorRouter: Router(), managementAuthorizer: (_req, _res, next) => next(), managementRouters: [], publicRouters: [{ path: '/tenants/:tenantId/bench', router: bench }],
      });
      const server = benchApp.listen(0, '127.0.0.1');
      await new Promise<void>((r) => server.once('listening', () => r()));
      closers.push(() => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }));
      const benchBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenants/supplier/bench`;
      const raw = await startRawServer(bytes);
      closers.push(() => raw.close());

      const duration = ctx.quick ? 3 : 8;
      const auth = { authorization: `Bearer ${edr.token}` };
      const load = async (name: string, target: string, headers: Record<string, string> = {}): Promise<LoadResult> => {
        ctx.log(`load: ${name}`);
        await runLoad({ url: target, headers, connections: 50, durationSeconds: 1 }); // warm-up (JIT, caches, keep-alive), discarded
        const r = await runLoad({ url: target, headers, connections: 50, durationSeconds: duration });
        if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
        return r;
      };
      const rawR = await load('raw node:http, same bytes', raw.url);
      const noCheck = await load('express app, same bytes, no token check', `${benchBase}/nocheck`);
      const check = await load('express app, same bytes, Cognito token check', `${benchBase}/check`, auth);
      const pact = await load('runtime PACT host GET 3/footprints/{id}', url, auth);

      const rps = (r: LoadResult) => Math.round(r.requestsPerSecond);
      const metrics: BenchMetric[] = [
        { name: `AWS calls for ${transfers.toLocaleString('en')} transfers, one consumer`, value: one.calls, unit: 'calls', target: { text: '≤ 3 while credentials are valid', met: one.calls <= 3 } },
        { name: `AWS calls for ${transfers.toLocaleString('en')} transfers, 10 consumers`, value: ten.calls, unit: 'calls', target: { text: '≤ 2 + consumers (one token per consumer)', met: ten.calls <= 12 } },
        { name: `JWKS fetches for ${transfers.toLocaleString('en')} verifications`, value: jwksFetches, unit: 'fetches', target: { text: '≤ 1', met: jwksFetches <= 1 } },
        { name: 'mint latency, one consumer (cached after the first)', value: Math.round((one.ms / transfers) * 1000) / 1000, unit: 'ms/mint' },
        { name: 'data plane, same bytes, no token check (Express app of the runtime)', value: rps(noCheck), unit: 'req/s', baseline: { name: 'raw node:http', value: rps(rawR) }, ratio: ratioOf(rps(noCheck), rps(rawR)) },
        { name: 'data plane, same bytes, Cognito token check (cached verification)', value: rps(check), unit: 'req/s', baseline: { name: 'no token check', value: rps(noCheck) }, ratio: ratioOf(rps(check), rps(noCheck)), target: { text: '≥ 0.8 of no check', met: rps(check) >= 0.8 * rps(noCheck) } },
        { name: 'runtime PACT host, Cognito token + transfer check + footprint read', value: rps(pact), unit: 'req/s', baseline: { name: 'no token check', value: rps(noCheck) }, ratio: ratioOf(rps(pact), rps(noCheck)) },
      ];
      return {
        suite: 'aws-calls',
        description: `aws-mode tenant provisioned through the operator API against a nock fake of ${REGION}; minting through createTenantCredentials on the runtime's database; load from autocannon in a separate process (50 connections, ${duration} s)`,
        metrics,
        notes: [
          `provisioning at onboarding: ${provisioningCalls} AWS calls (AssumeRole check, DescribeResourceServer, CreateResourceServer, CreateUserPoolClient, CreateSecret)`,
          `one real DSP transfer through the runtime: ${transferCalls} AWS calls + ${aws.count({ service: 'cognito-jwks' })} JWKS fetch by the PACT host`,
          `distinct tokens: ${one.tokens.size} for one consumer, ${ten.tokens.size} for 10 consumers (tokenSharing 'consumer')`,
          `p99 latency: no check ${noCheck.p99Ms} ms, token check ${check.p99Ms} ms, PACT host ${pact.p99Ms} ms`,
          'PGlite in memory (one connection): the PACT host figure includes the transfer liveness check and the footprint read on it',
        ],
      };
    } finally {
      for (const c of closers.reverse()) await c();
      await rt.runtime.stop();
      aws.close();
      nock.enableNetConnect();
      nock.restore();
      process.env = saved;
    }
  },
};

