// Two tenants (OEM consumer, supplier provider) in one process over real loopback HTTP: identity, DSP, control plane.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createDspFastRoutes } from '../../../connector/dsp/http/dsp-fast-routes';
import { createFastLane } from '../../../connector/http/fast-lane';
import { createMetrics } from '../../../connector/observability/metrics';
import { parseExpandedPolicy, parsePolicyDefinition, pcfAccessPolicy, pcfUsagePolicy, serializePolicy, type Policy } from '../../../policies/index';
import { createInMemoryCatalogSource, type InMemoryCatalogData } from '../../../connector/catalog-service/catalog-source';
import { createOutboundHttpClient, type OutboundHttpClient } from '../../../connector/common/outbound-http';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { createLocalTokenMinter, type LocalTokenMinter } from '../../../connector/credentials/local/local-token-minter';
import { createDspCodec, createDspValidators, type Catalog, type DspCodec } from '../../../connector/dsp';
import { createDevTrustAnchor, generateDevIssuerKey, type DevTrustAnchor } from '../../../connector/identity/dev-trust-anchor';
import { heldCredentialFromJwt } from '../../../connector/identity/held-credential-repository';
import { createIdentityComponents, type IdentityComponents } from '../../../connector/identity/identity-components';
import { createControlPlane, type ControlPlane, type ControlPlaneConfig } from '../../../connector/negotiation/control-plane';
import { silentLogger } from '../../../connector/observability/logger';
import { setCaller } from '../../../connector/tenancy/caller';
import { createCatalogRequestRoutes } from '../../../connector/management/catalog-request-routes';
import { createEdrRoutes } from '../../../connector/management/edr-routes';
import { createAgreementRoutes, createNegotiationRoutes } from '../../../connector/management/negotiation-routes';
import { createTransferRoutes } from '../../../connector/management/transfer-routes';
import { createSecretBoxEdrVault } from '../../../connector/transfer/transfer-store';
import { insertTenantRow, openTestDatabase, type EngineName, type TestDatabase } from '../../support/databases';

export const OEM = 'oem';
export const SUPPLIER = 'supplier';
export const OEM_BPN = 'BPNL00000000OEM1';
export const SUPPLIER_BPN = 'BPNL00000000SUP1';
export const ASSET = 'pcf-asset';
export const HIDDEN_ASSET = 'hidden-asset';
export const STRICT_ASSET = 'strict-asset';

export interface Harness {
  readonly base: string;
  readonly db: TestDatabase;
  readonly cp: ControlPlane;
  readonly identity: IdentityComponents;
  readonly keys: LocalKeyStore;
  readonly minter: LocalTokenMinter;
  readonly codec: DspCodec;
  readonly http: OutboundHttpClient;
  readonly anchor: DevTrustAnchor;
  readonly catalog: Map<string, InMemoryCatalogData>;
  readonly errors: unknown[];
  /** Extra routes mounted before the 404 handler (e.g. management routers under test). */
  readonly app: express.Express;
  /** A second control plane on the same database (another "replica"), not serving HTTP. */
  replica(config?: Partial<ControlPlaneConfig>): ControlPlane;
  close(): Promise<void>;
}

async function policyOf(doc: unknown): Promise<Policy> {
  const p = await parsePolicyDefinition(doc);
  if (!p.ok) throw new Error(p.message);
  return p.value.policy;
}

/** Starts the server; `mount` lets a test add routers (management) to the app before the fallback handler. */
export async function startControlPlaneHarness(db: TestDatabase, options: { readonly config?: Partial<ControlPlaneConfig>; readonly start?: boolean } = {}): Promise<Harness> {
  const app = express();
  // As in the runtime: DSP requests go through the fast lane, everything else (and unusual DSP requests) to Express.
  let listener: http.RequestListener = app;
  const server = http.createServer((req, res) => listener(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const now = (): Date => new Date();
  const errors: unknown[] = [];

  const keys = createLocalKeyStore({ db, masterKey: Buffer.alloc(32, 7), now });
  const httpClient = createOutboundHttpClient({ allowLoopback: true, timeoutMs: 5000 });
  const anchor = createDevTrustAnchor({ publicBaseUrl: base, key: generateDevIssuerKey('ES256K'), now });
  const identity = createIdentityComponents({ publicBaseUrl: base, trustedIssuers: [anchor.did], allowLoopbackHttp: true, statusListCacheTtlMs: 60_000 }, { keys, http: httpClient, db, now });
  const minter = createLocalTokenMinter({ keys, db, publicUrl: base, logger: silentLogger(), now });
  const codec = createDspCodec({ validators: createDspValidators() });

  const access = await policyOf(pcfAccessPolicy({}));
  const bpnOnly = await policyOf(pcfAccessPolicy({ bpns: ['BPNL0000000OTHER'] }));
  const usage = await policyOf(pcfUsagePolicy({}));
  // A usage policy the OEM cannot meet: the permission also demands another BPN (checked at negotiation).
  const strictUsage: Policy = {
    ...usage,
    permissions: usage.permissions.map((r) => ({
      ...r,
      constraints: [...r.constraints, { type: 'atomic', leftOperand: 'https://w3id.org/catenax/2025/9/policy/BusinessPartnerNumber', operator: 'isAnyOf', rightOperand: [{ value: 'BPNL0000000OTHER' }] }],
    })),
  };
  const catalog = new Map<string, InMemoryCatalogData>([[SUPPLIER, {
    assets: [
      { id: ASSET, properties: { 'http://purl.org/dc/terms/type': { '@id': 'https://w3id.org/catenax/taxonomy#PcfExchange' }, description: 'PCF data' } },
      { id: HIDDEN_ASSET, properties: {} },
      { id: STRICT_ASSET, properties: {} },
    ],
    policies: new Map([['access', access], ['access-other', bpnOnly], ['usage', usage], ['usage-strict', strictUsage]]),
    definitions: [
      { id: 'def-pcf', accessPolicyId: 'access', contractPolicyId: 'usage', assetIds: [ASSET] },
      { id: 'def-hidden', accessPolicyId: 'access-other', contractPolicyId: 'usage', assetIds: [HIDDEN_ASSET] },
      { id: 'def-strict', accessPolicyId: 'access', contractPolicyId: 'usage-strict', assetIds: [STRICT_ASSET] },
    ],
  }]]);

  const controlPlaneOf = (config: Partial<ControlPlaneConfig>): ControlPlane => createControlPlane(
    { publicUrl: base, pollIntervalMs: 200, retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, ...options.config, ...config },
    {
      db, http: httpClient, codec, dcp: identity.dcp, catalogSource: createInMemoryCatalogSource(catalog), minter,
      revokeTokens: async (t, id) => void (await minter.revokeTransferTokens(t, id)),
      vault: createSecretBoxEdrVault(keys), now, didOf: identity.dids.didOf,
      onError: (err, context) => { errors.push(err); if (process.env.CP_DEBUG) console.error(context, err); },
    },
  );
  const cp = controlPlaneOf({});
  const replicas: ControlPlane[] = [];
  listener = createFastLane({
    routes: createDspFastRoutes(cp.dspEndpoints, { bodyLimitBytes: 1024 * 1024 }), logger: silentLogger(), metrics: createMetrics(), requestTimeoutMs: 30_000,
    queryParser: app.get('query parser fn') as (search: string) => Record<string, unknown>,
  }, app);

  app.use(express.json({ limit: '1mb' }));
  app.get('/tenants/:tenantId/did.json', async (req, res) => void res.json(await identity.dids.documentOf(req.params.tenantId)));
  app.post('/tenants/:tenantId/credentials/presentations/query', async (req, res) => {
    const r = await identity.credentialService.answerQuery(req.params.tenantId, req.get('authorization'), req.body);
    if (r.ok) res.json(r.value);
    else res.status(r.reason === 'bad-request' ? 400 : 401).json({ code: r.code });
  });
  app.get('/issuer/did.json', (_req, res) => void res.json(anchor.didDocument()));
  app.get('/issuer/status/revocation', async (_req, res) => void res.type('application/vc+jwt').send(await anchor.statusListCredential()));
  app.use('/tenants/:tenantId/.well-known/dspace-version', cp.versionRouter);
  app.use('/tenants/:tenantId/dsp', cp.dspRouter);
  // Test stand-in for the management authorizer: the caller's tenant comes from a header the test controls.
  app.use('/management', (req: Request, res: Response, next: NextFunction) => {
    setCaller(res, { tenantId: String(req.get('x-test-tenant')), subject: 'tester', role: 'admin', via: 'api-key', actor: 'api-key:tester' });
    next();
  });
  const mgmt = { cp, allowLoopback: true };
  app.use('/management/v3/catalog', createCatalogRequestRoutes(mgmt));
  app.use('/management/v3/contractnegotiations', createNegotiationRoutes(mgmt));
  app.use('/management/v3/contractagreements', createAgreementRoutes(mgmt));
  app.use('/management/v3/transferprocesses', createTransferRoutes(mgmt));
  app.use('/management/v3/edrs', createEdrRoutes(mgmt));

  for (const [tenant, bpn] of [[OEM, OEM_BPN], [SUPPLIER, SUPPLIER_BPN]]) {
    const set = await anchor.issueStandardSet(identity.dids.didOf(tenant), bpn);
    if (!set.ok) throw new Error(set.message);
    for (const c of set.value) {
      const held = heldCredentialFromJwt(c.jwt);
      if (!held.ok) throw new Error(held.message);
      await db.withTenant(tenant, (tx) => identity.heldCredentials.save(tx, held.value));
    }
  }
  if (options.start !== false) cp.start();

  return {
    base, db, cp, identity, keys, minter, codec, http: httpClient, anchor, catalog, errors, app,
    replica(config = {}) {
      const r = controlPlaneOf(config);
      replicas.push(r);
      return r;
    },
    async close() {
      for (const r of replicas) await r.stop();
      await cp.stop();
      httpClient.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Polls `read` until `done` holds (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v)) return v;
    if (Date.now() > until) throw new Error(`condition not reached in ${timeoutMs} ms; last value: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fresh database with the OEM and the supplier as tenants, and the harness on it (close with `closeTwoTenants`). */
export async function openTwoTenants(engine: EngineName): Promise<{ db: TestDatabase; h: Harness; supplierDid: string; dsp: string }> {
  const db = await openTestDatabase(engine);
  await insertTenantRow(db, OEM, OEM_BPN);
  await insertTenantRow(db, SUPPLIER, SUPPLIER_BPN);
  const h = await startControlPlaneHarness(db);
  return { db, h, supplierDid: h.identity.dids.didOf(SUPPLIER), dsp: h.cp.dspBase(SUPPLIER, '2025-1') };
}

/** The supplier's offer for ASSET as the OEM reads it from the catalog over DSP, with its target set. */
export async function supplierOffer(h: Harness, supplierDid: string, dsp: string): Promise<Policy> {
  const r = await h.cp.client.send({ tenantId: OEM, counterPartyId: supplierDid, baseUrl: dsp, path: '/catalog/request', dialect: '2025-1', message: { type: 'CatalogRequestMessage' }, expect: 'Catalog' });
  if (!r.ok) throw new Error(r.message);
  const p = parseExpandedPolicy((r.value as Catalog).dataset.find((d) => d.id === ASSET)?.hasPolicy[0]);
  if (!p.ok) throw new Error(p.message);
  return { ...p.value, target: ASSET };
}

/** `openTwoTenants`, plus the supplier's catalog offer as the OEM reads it (`supplierOffer`). */
export async function openTwoTenantsWithOffer(engine: EngineName): Promise<{ db: TestDatabase; h: Harness; supplierDid: string; dsp: string; offer: Policy }> {
  const opened = await openTwoTenants(engine);
  return { ...opened, offer: await supplierOffer(opened.h, opened.supplierDid, opened.dsp) };
}

/** The JSON body of the OEM's DSP 2025-1 ContractRequestMessage for `offer` under `consumerPid`. */
export function contractRequestBody(h: Harness, offer: Policy, consumerPid: string): string {
  return JSON.stringify(h.codec.encode(
    { type: 'ContractRequestMessage', consumerPid, callbackAddress: `${h.cp.dspBase(OEM, '2025-1')}/callback`, offer: serializePolicy(offer, 'dsp-2025-1') }, '2025-1'));
}

/** Stops what `openTwoTenants` started (each part only if it was started). */
export async function closeTwoTenants(h: Harness | undefined, db: TestDatabase | undefined): Promise<void> {
  await h?.close();
  await db?.close();
}
