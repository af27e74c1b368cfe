// Bench suite: DSP catalog requests/s with DCP authentication on (presentation cache off and on) vs off (pass-through authenticator), same run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Router } from 'express';
import { createHttpApp } from '../../connector/app/http-app';
import { createSqlAssetStore, createSqlContractDefinitionStore, createSqlPolicyDefinitionStore } from '../../connector/catalog';
import { createStoreCatalogSource } from '../../connector/catalog-service/catalog-store-source';
import type { Participant } from '../../connector/catalog-service/participant';
import { ok } from '../../connector/common/result';
import { createOutboundHttpClient } from '../../connector/common/outbound-http';
import { createLocalKeyStore } from '../../connector/credentials/local/local-key-store';
import { mintFailure } from '../../connector/credentials/token-minter';
import { createDspCodec, createDspValidators } from '../../connector/dsp';
import type { ParticipantAuthenticator } from '../../connector/dsp/http/participant-authenticator';
import { createIdentityModule } from '../../connector/identity/module/identity-module';
import { createControlPlane } from '../../connector/negotiation/control-plane';
import { createMetrics } from '../../connector/observability/metrics';
import { createSecretBoxEdrVault } from '../../connector/transfer/transfer-store';
import { runLoad } from '../lib/load';
import { ratioOf, type BenchSuite } from '../lib/report';
import { call, expectStatus, publishPcfOffer, startBenchRuntime } from './aws-calls';

const AUTOCANNON = join(__dirname, '../../node_modules/autocannon');
const CATALOG_REQUEST = JSON.stringify({ '@context': ['https://w3id.org/dspace/2025/1/context.jsonld'], '@type': 'CatalogRequestMessage' });

/** Load generator for single-use tokens (SI token `jti`s are replay-checked): each request takes the next token. */
const ROTATING_LOAD = `
const autocannon = require(process.argv[2]);
const tokens = require('node:fs').readFileSync(process.argv[3], 'utf8').split('\\n').filter(Boolean);
let next = 0;
autocannon({
  url: process.argv[4], connections: Number(process.argv[5]), amount: tokens.length, method: 'POST',
  headers: { 'content-type': 'application/json' }, body: process.argv[6],
  requests: [{ setupRequest(req) { req.headers = { ...req.headers, authorization: tokens[next++ % tokens.length] }; return req; } }],
}, (err, r) => {
  if (err) { console.error(String(err)); process.exit(1); }
  const seconds = r.duration;
  console.log(JSON.stringify({ total: r.requests.total, seconds, rps: r.requests.total / seconds, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors }));
});
`;

interface RotatingResult { readonly total: number; readonly seconds: number; readonly rps: number; readonly p50: number; readonly p99: number; readonly non2xx: number; readonly errors: number }

function rotatingLoad(script: string, tokenFile: string, url: string, connections: number): Promise<RotatingResult> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, [script, AUTOCANNON, tokenFile, url, String(connections), CATALOG_REQUEST], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? done(JSON.parse(out) as RotatingResult) : reject(new Error(`load exited ${code}: ${err}`))));
  });
}

export const suite: BenchSuite = {
  name: 'dcp-cost',
  async run(ctx) {
    const rt = await startBenchRuntime({});
    const work = mkdtempSync(join(tmpdir(), 'pcf-dcp-bench-'));
    const closers: (() => Promise<void> | void)[] = [() => rmSync(work, { recursive: true, force: true })];
    try {
      const op = { authorization: `Bearer ${rt.operatorKey}` };
      const s = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'supplier', displayName: 'Supplier AG', bpn: 'BPNL00000000SUPP' });
      const o = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op, { id: 'oem', displayName: 'OEM SE', bpn: 'BPNL000000000OEM' });
      expectStatus('onboard supplier', s, (x) => x === 201);
      expectStatus('onboard oem', o, (x) => x === 201);
      await publishPcfOffer(rt, (s.body as { adminApiKey: string }).adminApiKey);
      const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json', {})).body as { id: string }).id;

      // The same modules the runtime composes, on its database: identity (DID cache, status-list cache, replay store) and
      // two DSP routers that differ only in the authenticator.
      const { db } = rt.runtime;
      const outbound = { allowLoopback: true, allowPrivate: false, timeoutMs: 10_000, maxResponseBytes: 5_242_880 };
      const keyStore = createLocalKeyStore({ db, masterKey: rt.masterKey });
      const identityModule = (presentationCacheSeconds: number) => createIdentityModule({
        db, keys: keyStore, masterKey: rt.masterKey, publicUrl: rt.baseUrl, outbound, trustAnchor: { enabled: true }, trustedIssuers: [], logger: rt.logger,
        identity: { presentationCacheSeconds },
      });
      // Uncached: every DSP request queries the OEM's Credential Service. Cached: the default 60 s verified-presentation cache.
      const identity = identityModule(0);
      const cachedIdentity = identityModule(60);
      for (const m of [identity, cachedIdentity]) {
        await m.start();
        closers.push(() => m.stop());
      }
      const http = createOutboundHttpClient(outbound);
      closers.push(() => http.close());
      const stores = { assets: createSqlAssetStore(), policies: createSqlPolicyDefinitionStore(), contractDefinitions: createSqlContractDefinitionStore() };
      const controlPlane = (authenticator?: ParticipantAuthenticator, dcp = identity.dcp) => createControlPlane({ publicUrl: rt.baseUrl }, {
        db, http, now: () => new Date(), codec: createDspCodec({ validators: createDspValidators() }), dcp,
        catalogSource: createStoreCatalogSource(stores), vault: createSecretBoxEdrVault(keyStore), didOf: (t) => identity.components.dids.didOf(t),
        minter: { mint: async () => mintFailure('tenant-not-configured', 'not used by the catalog bench'), evictTenant: () => undefined },
        ...(authenticator === undefined ? {} : { authenticator }),
      });
      const first = await identity.dcp.authenticate('supplier', await identity.dcp.authorizationFor('oem', supplierDid));
      if (!first.ok) throw new Error(`DCP authentication failed: ${first.code}`);
      const oemParticipant: Participant = { did: first.value.did, ...(first.value.bpn === undefined ? {} : { bpn: first.value.bpn }), credentials: first.value.credentials };
      const passThrough: ParticipantAuthenticator = { authenticate: async () => ok(oemParticipant) };
      const app = createHttpApp({
        logger: rt.logger, metrics: createMetrics(), bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, isReady: async () => true,
        operatorRouter: Router(), managementAuthorizer: (_req, _res, next) => next(), managementRouters: [],
        publicRouters: [
          { path: '/on/tenants/:tenantId/dsp', router: controlPlane().dspRouter },
          { path: '/cached/tenants/:tenantId/dsp', router: controlPlane(undefined, cachedIdentity.dcp).dspRouter },
          { path: '/off/tenants/:tenantId/dsp', router: controlPlane(passThrough).dspRouter },
        ],
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise<void>((r) => server.once('listening', () => r()));
      closers.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const onUrl = `${base}/on/tenants/supplier/dsp/2025-1/catalog/request`;
      const cachedUrl = `${base}/cached/tenants/supplier/dsp/2025-1/catalog/request`;
      const offUrl = `${base}/off/tenants/supplier/dsp/2025-1/catalog/request`;

      // Same answer either way (the catalog the OEM is entitled to), so the runs move the same bytes.
      const probe = async (url: string) => call(url, 'POST', '', { authorization: await identity.dcp.authorizationFor('oem', supplierDid), 'content-type': 'application/json' }, JSON.parse(CATALOG_REQUEST));
      const on = await probe(onUrl);
      const off = await probe(offUrl);
      const cached = await probe(cachedUrl);
      expectStatus('catalog with DCP', on, (x) => x === 200);
      expectStatus('catalog with DCP, presentation cache', cached, (x) => x === 200);
      if (cached.text.length !== on.text.length) throw new Error('the cached router answers differently');
      expectStatus('catalog without DCP', off, (x) => x === 200);
      if (!on.text.includes('pcf-exchange') || on.text.length !== off.text.length) throw new Error('the two routers answer differently');
      const replay = await call(onUrl, 'POST', '', { authorization: await identity.dcp.authorizationFor('oem', supplierDid) }, JSON.parse(CATALOG_REQUEST));
      expectStatus('catalog with DCP, fresh token', replay, (x) => x === 200);

      const count = ctx.quick ? 150 : 500;
      const connections = 10;
      ctx.log(`signing ${2 * count + 100} single-use SI tokens for the OEM`);
      const tokens: string[] = [];
      for (let i = 0; i < 2 * count + 100; i++) tokens.push(await identity.dcp.authorizationFor('oem', supplierDid));
      const script = join(work, 'rotating-load.js');
      writeFileSync(script, ROTATING_LOAD);
      writeFileSync(join(work, 'warm.txt'), tokens.slice(count, count + 50).join('\n'));
      writeFileSync(join(work, 'tokens.txt'), tokens.slice(0, count).join('\n'));
      writeFileSync(join(work, 'cached-warm.txt'), tokens.slice(2 * count + 50).join('\n'));
      writeFileSync(join(work, 'cached-tokens.txt'), tokens.slice(count + 50, 2 * count + 50).join('\n'));

      ctx.log('load: DCP on (warm-up, then measured)');
      await rotatingLoad(script, join(work, 'warm.txt'), onUrl, connections);
      const dcpOn = await rotatingLoad(script, join(work, 'tokens.txt'), onUrl, connections);
      if (dcpOn.non2xx > 0 || dcpOn.errors > 0) throw new Error(`DCP on: ${dcpOn.non2xx} non-2xx, ${dcpOn.errors} errors`);
      ctx.log('load: DCP on with the presentation cache (warm-up, then measured)');
      await rotatingLoad(script, join(work, 'cached-warm.txt'), cachedUrl, connections);
      const dcpCached = await rotatingLoad(script, join(work, 'cached-tokens.txt'), cachedUrl, connections);
      if (dcpCached.non2xx > 0 || dcpCached.errors > 0) throw new Error(`DCP cached: ${dcpCached.non2xx} non-2xx, ${dcpCached.errors} errors`);
      ctx.log('load: DCP off (pass-through authenticator)');
      const offHeaders = { 'content-type': 'application/json', authorization: tokens[0] };
      await runLoad({ url: offUrl, method: 'POST', headers: offHeaders, body: CATALOG_REQUEST, connections, durationSeconds: 1 });
      const dcpOff = await runLoad({ url: offUrl, method: 'POST', headers: offHeaders, body: CATALOG_REQUEST, connections, durationSeconds: ctx.quick ? 3 : 8 });
      if (dcpOff.non2xx > 0 || dcpOff.errors > 0) throw new Error(`DCP off: ${dcpOff.non2xx} non-2xx, ${dcpOff.errors} errors`);

      const onRps = Math.round(dcpOn.rps);
      const offRps = Math.round(dcpOff.requestsPerSecond);
      const cachedRps = Math.round(dcpCached.rps);
      const perRequestMs = Math.round((1000 / onRps - 1000 / offRps) * 100) / 100;
      const perCachedRequestMs = Math.round((1000 / cachedRps - 1000 / offRps) * 100) / 100;
      return {
        suite: 'dcp-cost',
        description: `DSP 2025-1 CatalogRequestMessage to one tenant (1 dataset), ${connections} connections from autocannon in a separate process; the same DSP router with the DCP authenticator (verified-presentation cache off, then on) vs a pass-through one; PGlite in memory`,
        metrics: [
          { name: 'catalog request, DCP off (pass-through authenticator)', value: offRps, unit: 'req/s' },
          { name: 'catalog request, DCP on, presentation cache off (SI token + presentation query + VP/VC verification)', value: onRps, unit: 'req/s', baseline: { name: 'DCP off', value: offRps }, ratio: ratioOf(onRps, offRps) },
          { name: 'catalog request, DCP on, presentation cache on (SI token verification; presentation reused)', value: cachedRps, unit: 'req/s', baseline: { name: 'DCP off', value: offRps }, ratio: ratioOf(cachedRps, offRps) },
          { name: 'DCP cost per DSP request, uncached (1/on − 1/off, one process)', value: perRequestMs, unit: 'ms' },
          { name: 'DCP cost per DSP request, cached (1/cached − 1/off, one process)', value: perCachedRequestMs, unit: 'ms' },
        ],
        notes: [
          `DCP on, uncached: ${dcpOn.total} requests with single-use SI tokens, p50 ${dcpOn.p50} ms, p99 ${dcpOn.p99} ms; cached: ${dcpCached.total} requests, p50 ${dcpCached.p50} ms, p99 ${dcpCached.p99} ms; DCP off: p50 ${dcpOff.p50Ms} ms, p99 ${dcpOff.p99Ms} ms`,
          'DID documents (5 min) and status lists (5 min) cached in both DCP runs; uncached = presentationCacheSeconds 0 (every DSP request costs one Credential Service round trip), cached = the default 60 s verified-presentation cache (the SI token is still verified and its jti recorded on every request)',
          "the OEM's Credential Service runs in the same process (it answers the presentation query), so the DCP-on figure carries both sides of the exchange",
        ],
      };
    } finally {
      for (const c of closers.reverse()) await c();
      await rt.runtime.stop();
    }
  },
};
