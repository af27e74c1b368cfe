// Builds the domain modules (keys, credentials, identity, catalog, control plane, PACT host) and the routes they serve.
import { Router, type Router as ExpressRouter } from 'express';
import { createCatalogDataService, createSqlAssetStore, createSqlContractDefinitionStore, createSqlPolicyDefinitionStore } from '../catalog';
import { createCatalogCache, createStoreCatalogSource } from '../catalog-service/catalog-store-source';
import { fail, ok } from '../common/result';
import { createOutboundHttpClient } from '../common/outbound-http';
import { createLocalKeyStore } from '../credentials/local/local-key-store';
import { createTenantCredentials } from '../credentials/tenant/tenant-credentials';
import { createDspCodec, createDspValidators } from '../dsp';
import { createDspFastRoutes } from '../dsp/http/dsp-fast-routes';
import { createDcpParticipantAuthenticator } from '../dsp/http/participant-authenticator';
import { createIdentityModule } from '../identity/module/identity-module';
import { createCatalogDataRouter } from '../management/catalog-routes';
import { createCatalogRequestRoutes } from '../management/catalog-request-routes';
import { createEventsModule, composeSinks } from '../events/events-module';
import { createEdrRoutes } from '../management/edr-routes';
import { createSecretRoutes, isSecretId, managementSecretName } from '../management/secret-routes';
import { createAgreementRoutes, createNegotiationRoutes } from '../management/negotiation-routes';
import { createTransferRoutes } from '../management/transfer-routes';
import { createCallbackDispatcher } from '../negotiation/control-plane-events';
import { createControlPlane } from '../negotiation/control-plane';
import type { Logger } from '../observability/logger';
import type { Database } from '../store/database';
import type { TenantLifecycleHooks } from '../tenancy/tenant-service';
import { findTenant } from '../tenancy/tenant-store';
import { createDataPlaneAccessVerifier } from '../transfer/data-plane-access';
import { createSecretBoxEdrVault } from '../transfer/transfer-store';
import { createUsagePolicyGuard } from '../transfer/usage-policy-guard';
import { createPactModule } from '../../pcf-exchange-module/api/pact-module';
import { createPactFastRoutes } from '../../pcf-exchange-module/api/pact-fast-routes';
import type { FastRoute } from '../http/fast-lane';
import type { CacheStats } from '../observability/metrics';
import { pactOutboundFrom } from '../../pcf-exchange-module/events/outbound';
import type { AppConfig } from './config';

export interface Components {
  /** Unauthenticated routers at the root (per-tenant protocol endpoints, DID documents, trust anchor). */
  readonly publicRouters: readonly { readonly path: string; readonly router: ExpressRouter }[];
  /** Routers under /management/v3 after the authorizer. */
  readonly managementRouters: readonly ExpressRouter[];
  /** Hot data-plane routes served on node:http ahead of Express (same answers, less overhead). */
  readonly fastRoutes: readonly FastRoute[];
  /** The PACT host's read cache counters (exported as metrics). */
  readonly pactReadCacheStats: () => CacheStats;
  readonly catalogCacheStats: () => CacheStats;
  /** Routers under /operator/v1 after the operator check. */
  readonly operatorRouters: readonly ExpressRouter[];
  /** Tenant lifecycle hooks of every module, in the order they must run. */
  readonly hooks: TenantLifecycleHooks;
  /** Ends open event streams (SSE) so the HTTP server's graceful drain does not wait on them. */
  closeStreams(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs each module's hook in order; the first refusal of `prepareCredentials` wins. */
function combineHooks(list: readonly TenantLifecycleHooks[]): TenantLifecycleHooks {
  return {
    async prepareCredentials(tenantId, mode, aws) {
      let settings: Record<string, unknown> | null = null;
      for (const h of list) {
        if (!h.prepareCredentials) continue;
        const r = await h.prepareCredentials(tenantId, mode, aws);
        if (!r.ok) return r;
        settings = r.value ?? settings;
      }
      return ok(settings);
    },
    async afterOnboard(tenant) {
      for (const h of list) await h.afterOnboard?.(tenant);
    },
    async beforeErase(tenant) {
      for (const h of list) await h.beforeErase?.(tenant);
    },
    afterErase(tenantId) {
      for (const h of list) h.afterErase?.(tenantId);
    },
  };
}

export async function createComponents(config: AppConfig, deps: { readonly db: Database; readonly masterKey: Buffer; readonly logger: Logger; readonly now: () => Date }): Promise<Components> {
  const { db, masterKey, logger, now } = deps;
  const publicUrl = config.server.publicUrl;
  const outboundConfig = {
    allowLoopback: config.outbound.allowLoopback, allowPrivate: config.outbound.allowPrivate,
    timeoutMs: config.outbound.timeoutMs, maxResponseBytes: config.outbound.maxResponseBytes,
  };
  const http = createOutboundHttpClient(outboundConfig);
  const keyStore = createLocalKeyStore({ db, masterKey, now });
  const credentials = createTenantCredentials({ db, keyStore, publicUrl, logger: logger.child({ component: 'credentials' }), now, aws: { provisioning: config.aws.provisioning } });
  const identity = createIdentityModule({
    db, keys: keyStore, masterKey, publicUrl, outbound: outboundConfig, logger: logger.child({ component: 'identity' }), now,
    trustAnchor: { enabled: config.identity.devTrustAnchor }, trustedIssuers: config.identity.trustedIssuers,
    identity: { presentationCacheSeconds: config.identity.presentationCacheSeconds },
    ...(config.identity.bdrsUrl === undefined ? {} : { bdrs: { url: config.identity.bdrsUrl, cacheSeconds: config.identity.bdrsCacheSeconds } }),
  });

  const catalogStores = { assets: createSqlAssetStore(), policies: createSqlPolicyDefinitionStore(), contractDefinitions: createSqlContractDefinitionStore() };
  const catalogCache = createCatalogCache(db);
  const catalogData = createCatalogDataService({ db, ...catalogStores, now, onChanged: (tenantId) => catalogCache.invalidate(tenantId) });
  const cpLog = logger.child({ component: 'control-plane' });
  const eventsLog = logger.child({ component: 'events' });
  const events = createEventsModule({ db, onError: (err, context) => eventsLog.warn('event stream fault', { context, error: err }) });
  const cp = createControlPlane(
    { publicUrl, dspTimeoutMs: config.outbound.timeoutMs, monitorIntervalMs: config.controlPlane.policyMonitorIntervalMs },
    {
      db, http, now, codec: createDspCodec({ validators: createDspValidators() }), dcp: identity.dcp,
      // A refused DSP caller gets the generic unauthorized answer; the precise DCP failure code is logged (never the token).
      authenticator: createDcpParticipantAuthenticator(identity.dcp, { onFailure: (tenantId, code) => cpLog.warn('DSP caller not authenticated', { tenantId, code }) }),
      catalogSource: createStoreCatalogSource(catalogStores, catalogCache), minter: credentials.minter,
      revokeTokens: async (tenantId, transferId) => void (await credentials.minter.revokeTransferTokens?.(tenantId, transferId)),
      vault: createSecretBoxEdrVault(keyStore), didOf: (t) => identity.components.dids.didOf(t),
      resolveDid: (id, tenantId) => identity.bpnDirectory.didOf(id, tenantId),
      events: composeSinks(createCallbackDispatcher({
        http, now, secrets: { get: (tenantId, id) => (isSecretId(id) ? keyStore.getSecret(tenantId, managementSecretName(id)) : Promise.resolve(undefined)) },
        onError: (message) => cpLog.warn('callback delivery failed', { reason: message }),
      }), events.sink),
      edrRefresh: {
        createClientToken: (tenantId, providerDid, accessToken) => identity.components.siTokens.create(tenantId, providerDid, { token: accessToken }),
        verifyClientToken: async (tenantId, jwt) => {
          const v = await identity.components.siTokens.verify(tenantId, jwt);
          return v.ok ? ok({ did: v.value.issuer, ...(v.value.token !== undefined ? { token: v.value.token } : {}) }) : fail('unauthorized', v.code);
        },
        refresh: (request) => credentials.minter.refresh(request),
      },
      onError: (err, context) => cpLog.error('control-plane fault', { context, error: err }),
    },
  );

  // Data-plane tokens are valid only while the transfer they serve is running and its agreement's usage terms hold.
  const dataPlaneVerifier = createDataPlaneAccessVerifier({
    tokens: credentials.verifier, liveness: cp.liveness, usage: createUsagePolicyGuard({ db, agreements: cp.negotiationStore, now }),
  });
  const pact = createPactModule({
    db, keys: keyStore, secrets: keyStore, dataPlaneVerifier, publicUrl, now, logger: logger.child({ component: 'pact' }),
    options: { readCacheBytes: config.pact.readCacheMb * 1024 * 1024 },
    outbound: pactOutboundFrom(http), allowHttpPartners: config.outbound.allowLoopback || config.outbound.allowPrivate,
    tenants: {
      get: async (id) => {
        const t = await db.withSystem((tx) => findTenant(tx, id)).catch(() => undefined);
        return t && t.status === 'active' ? { id: t.id, bpn: t.bpn, displayName: t.displayName } : undefined;
      },
    },
  });

  const mgmt = { cp, allowLoopback: config.outbound.allowLoopback, allowPrivate: config.outbound.allowPrivate };
  const controlPlaneRoutes = Router();
  controlPlaneRoutes.use('/catalog', createCatalogRequestRoutes(mgmt));
  controlPlaneRoutes.use('/contractnegotiations', createNegotiationRoutes(mgmt));
  controlPlaneRoutes.use('/contractagreements', createAgreementRoutes(mgmt));
  controlPlaneRoutes.use('/transferprocesses', createTransferRoutes(mgmt));
  controlPlaneRoutes.use('/edrs', createEdrRoutes(mgmt));
  controlPlaneRoutes.use('/secrets', createSecretRoutes({ secrets: keyStore }));

  return {
    publicRouters: [
      ...identity.publicRouters,
      { path: '/tenants/:tenantId/.well-known/dspace-version', router: cp.versionRouter },
      { path: '/tenants/:tenantId/dsp', router: cp.dspRouter },
      { path: '/tenants/:tenantId/pact/token', router: cp.tokenRefreshRouter },
      { path: '/tenants/:tenantId/pact', router: pact.pactRouter },
    ],
    managementRouters: [
      createCatalogDataRouter({ service: catalogData, logger, bodyLimit: `${config.server.bodyLimitBytes}b` }),
      pact.managementRouter,
      controlPlaneRoutes,
      events.managementRouter,
    ],
    fastRoutes: [...createPactFastRoutes(pact.host), ...createDspFastRoutes(cp.dspEndpoints, { bodyLimitBytes: config.server.bodyLimitBytes })],
    pactReadCacheStats: () => pact.shared.cache.stats(),
    catalogCacheStats: () => catalogCache.stats(),
    operatorRouters: [identity.operatorRouter],
    // Onboarding: credentials, then identity (its key and credentials). Erasure: identity first, while the tenant's
    // keys still exist, then the credential hooks erase the key store and any AWS resources.
    hooks: combineHooks([
      { prepareCredentials: credentials.hooks.prepareCredentials, afterOnboard: credentials.hooks.afterOnboard },
      identity.hooks,
      { beforeErase: credentials.hooks.beforeErase, afterErase: credentials.hooks.afterErase },
      { afterErase: (tenantId) => cp.forgetTenant(tenantId) },
    ]),
    closeStreams: () => events.closeStreams(),
    async start() {
      await identity.start();
      await catalogCache.start();
      cp.start();
      await pact.start();
      events.start();
    },
    async stop() {
      await events.stop();
      await pact.stop();
      await cp.stop();
      await catalogCache.stop();
      await identity.stop();
      http.close();
    },
  };
}
