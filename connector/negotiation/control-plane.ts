// Wires the control plane (stores, services, processors, liveness, policy monitor, DSP routers) from one config slice.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import { createCatenaXFunctions, createPolicyEngine, type PolicyEngine } from '../../policies/index';
import { createCatalogService, type CatalogService } from '../catalog-service/catalog-service';
import type { CatalogSource } from '../catalog-service/catalog-source';
import type { OutboundHttpClient } from '../common/outbound-http';
import type { TokenMinter } from '../credentials/token-minter';
import { createDspClient, type DspClient } from '../dsp/client/dsp-client';
import type { DspCodec } from '../dsp/codec';
import type { DspDialect } from '../dsp/dialects';
import { createDspEndpoints, type DspEndpoints } from '../dsp/http/dsp-endpoints';
import { callbackAddressOf, createDspRouter } from '../dsp/http/dsp-router';
import { createDspVersionRouter } from '../dsp/http/dsp-version-router';
import { createDcpParticipantAuthenticator, type ParticipantAuthenticator } from '../dsp/http/participant-authenticator';
import { dspBaseUrl } from '../dsp/version';
import type { DcpIdentityService } from '../identity/dcp-identity-service';
import type { Database } from '../store/database';
import { fail } from '../common/result';
import { mintFailure } from '../credentials/token-minter';
import { createEdrRefresher, type EdrRefresher } from '../transfer/edr-refresh';
import { createPolicyMonitor, type PolicyMonitor } from '../transfer/policy-monitor';
import { createTokenRefreshRouter, createTokenRefreshService, type EdrRefreshSupport } from '../transfer/token-refresh';
import { createTransferLiveness, type TransferLiveness } from '../transfer/transfer-liveness';
import { createTransferProcessor } from '../transfer/transfer-processor';
import { createTransferService, isFinalTransfer, type TransferService } from '../transfer/transfer-service';
import type { TransferProcess } from '../transfer/transfer-process';
import { createTransferStore, type EdrVault, type StoredTransfer, type TransferStore } from '../transfer/transfer-store';
import type { ProcessEventSink } from './control-plane-events';
import { requiresManualApproval } from './manual-approval';
import { createNegotiationProcessor, type RetryPolicy } from './negotiation-processor';
import { createNegotiationService, isFinalNegotiation, type NegotiationService, type SelfIdentity } from './negotiation-service';
import { createRecentProcesses } from './recent-processes';
import { createAgreementCopies } from './agreement-copies';
import type { ContractNegotiation } from './contract-negotiation';
import { createNegotiationStore, type NegotiationStore, type StoredNegotiation } from './negotiation-store';
import type { WorkRunner } from './work-runner';

export interface ControlPlaneConfig {
  /** The connector's public base URL (DSP bases, callbackAddress, PACT host, DIDs derive from it). */
  readonly publicUrl: string;
  /** Lease owner id; default `${hostname}:${pid}:${uuid}`. */
  readonly owner?: string;
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  readonly retry?: RetryPolicy;
  readonly monitorIntervalMs?: number;
  readonly livenessCacheMs?: number;
  readonly dspTimeoutMs?: number;
}

export interface ControlPlaneDeps {
  readonly db: Database;
  /** The SSRF-safe client (its config decides whether loopback/private peers are reachable). */
  readonly http: OutboundHttpClient;
  readonly codec: DspCodec;
  readonly dcp: Pick<DcpIdentityService, 'authenticate' | 'authorizationFor'>;
  readonly catalogSource: CatalogSource;
  readonly minter: TokenMinter;
  /** Retires refresh tokens of ended transfers (local minter); optional. */
  revokeTokens?(tenantId: string, transferId: string): Promise<void>;
  readonly vault: EdrVault;
  readonly now: () => Date;
  didOf(tenantId: string): string;
  /** BPN → DID for DSP 0.8 counter-parties named by BPNL, looked up on behalf of `tenantId`. */
  resolveDid?(counterPartyId: string, tenantId: string): Promise<string | undefined>;
  readonly engine?: PolicyEngine;
  readonly authenticator?: ParticipantAuthenticator;
  readonly events?: ProcessEventSink;
  /** EDR refresh (client JWTs from the identity module, the minter's refresh); without it refresh is refused. */
  readonly edrRefresh?: EdrRefreshSupport;
  readonly onError?: (err: unknown, context: string) => void;
}

/** Used when no refresh support is wired: every refresh is refused as a client error. */
const NO_REFRESH: EdrRefreshSupport = {
  createClientToken: () => Promise.reject(new Error('EDR refresh is not configured')),
  verifyClientToken: () => Promise.resolve(fail('unauthorized', 'EDR refresh is not configured')),
  refresh: () => Promise.resolve(mintFailure('refresh-invalid', 'EDR refresh is not configured')),
};

export interface ControlPlane {
  readonly db: Database;
  readonly codec: DspCodec;
  readonly vault: EdrVault;
  readonly publicUrl: string;
  readonly negotiationStore: NegotiationStore;
  readonly transferStore: TransferStore;
  readonly negotiations: NegotiationService;
  readonly transfers: TransferService;
  readonly catalog: CatalogService;
  readonly client: DspClient;
  readonly liveness: TransferLiveness;
  readonly negotiationProcessor: WorkRunner<StoredNegotiation>;
  readonly transferProcessor: WorkRunner<StoredTransfer>;
  readonly policyMonitor: PolicyMonitor;
  /** Consumer EDRs: read with auto-refresh, explicit refresh. */
  readonly edrs: EdrRefresher;
  /** Mount at `/tenants/:tenantId/pact/token` (the EDR refresh endpoint), ahead of the PACT router. */
  readonly tokenRefreshRouter: Router;
  /** Mount at `/tenants/:tenantId/dsp`. */
  /** Every DSP endpoint of every tenant (the fast lane serves them; `dspRouter` is the same table on Express). */
  readonly dspEndpoints: DspEndpoints;
  readonly dspRouter: Router;
  /** Mount at `/tenants/:tenantId/.well-known/dspace-version`. */
  readonly versionRouter: Router;
  dspBase(tenantId: string, dialect: DspDialect): string;
  selfIdentity(tenantId: string): Promise<SelfIdentity>;
  start(): void;
  stop(): Promise<void>;
  /** Drops what this runtime holds in memory of the tenant's processes and agreements (the tenant was erased). */
  forgetTenant(tenantId: string): void;
}

export function createControlPlane(config: ControlPlaneConfig, deps: ControlPlaneDeps): ControlPlane {
  const { db, now } = deps;
  const owner = config.owner ?? `${hostname()}:${process.pid}:${randomUUID()}`;
  const engine = deps.engine ?? createPolicyEngine({ functions: createCatenaXFunctions() });
  const negotiationStore = createNegotiationStore();
  const transferStore = createTransferStore();
  const catalog = createCatalogService({ source: deps.catalogSource, engine, now });
  const client = createDspClient({ http: deps.http, codec: deps.codec, authorizationFor: deps.dcp.authorizationFor, resolveDid: deps.resolveDid, timeoutMs: config.dspTimeoutMs });
  const liveness = createTransferLiveness({ db, store: transferStore, now, cacheMs: config.livenessCacheMs });
  const dspBase = (tenantId: string, dialect: DspDialect): string => dspBaseUrl(config.publicUrl, tenantId, dialect);
  const callbackAddress = (tenantId: string, dialect: DspDialect): string => callbackAddressOf(dspBase(tenantId, dialect));

  const bpns = new Map<string, string | undefined>();
  async function selfIdentity(tenantId: string): Promise<SelfIdentity> {
    if (!bpns.has(tenantId)) {
      const rows = await db.withTenant(tenantId, (tx) => tx.query<{ bpn: string }>('SELECT bpn FROM tenants WHERE id = $1', [tenantId]));
      bpns.set(tenantId, rows[0]?.bpn);
    }
    const bpn = bpns.get(tenantId);
    return { did: deps.didOf(tenantId), ...(bpn !== undefined ? { bpn } : {}) };
  }
  const listTenants = async (): Promise<readonly string[]> =>
    (await db.withSystem((tx) => tx.query<{ id: string }>("SELECT id FROM tenants WHERE status = 'active' ORDER BY id"))).map((r) => r.id);

  const common = { db, now, owner, listTenants, leaseMs: config.leaseMs, pollIntervalMs: config.pollIntervalMs, retry: config.retry, events: deps.events, onError: deps.onError };
  // Rows this runtime committed last, shared by each service and its processor: a message to a process answered here
  // a moment ago is applied in one round trip (see recent-processes.ts).
  const recentNegotiations = createRecentProcesses<ContractNegotiation>({ isFinal: isFinalNegotiation });
  const recentTransfers = createRecentProcesses<TransferProcess>({ isFinal: isFinalTransfer });
  // Agreements stored here, from which a transfer starts without reading them first (checked at COMMIT).
  const agreementCopies = createAgreementCopies();
  const negotiationProcessor = createNegotiationProcessor({ ...common, store: negotiationStore, client, callbackAddress, dspBase, recent: recentNegotiations });
  const transferProcessor = createTransferProcessor({
    ...common, store: transferStore, client, minter: deps.minter, liveness, publicUrl: config.publicUrl, callbackAddress, revokeTokens: deps.revokeTokens, recent: recentTransfers,
  });
  const negotiations = createNegotiationService({
    db, store: negotiationStore, catalog, source: deps.catalogSource, engine, now, selfIdentity, processor: negotiationProcessor, events: deps.events, recent: recentNegotiations, agreements: agreementCopies,
    manualApproval: async (tx, definitionId) => requiresManualApproval(await deps.catalogSource.contractDefinition(tx, definitionId)),
  });
  const transfers = createTransferService({
    db, store: transferStore, agreements: negotiationStore, engine, now, vault: deps.vault, liveness, revokeTokens: deps.revokeTokens, processor: transferProcessor, events: deps.events,
    recent: recentTransfers, agreementCopies,
  });
  const policyMonitor = createPolicyMonitor({ db, transfers: transferStore, agreements: negotiationStore, service: transfers, engine, now, listTenants, intervalMs: config.monitorIntervalMs, onError: deps.onError });
  const authenticator = deps.authenticator ?? createDcpParticipantAuthenticator(deps.dcp);
  const dspEndpoints = createDspEndpoints({
    codec: deps.codec, auth: authenticator, negotiations, transfers, catalog, db, selfIdentity, dspBase,
    onError: (err, errorId) => deps.onError?.(err, `dsp request failed (errorId ${errorId})`),
  });
  const dspRouter = createDspRouter(dspEndpoints);
  const versionRouter = createDspVersionRouter({ publicUrl: config.publicUrl });
  const support = deps.edrRefresh ?? NO_REFRESH;
  const edrs = createEdrRefresher({ db, store: transferStore, vault: deps.vault, http: deps.http, support, resolveDid: deps.resolveDid, now, timeoutMs: config.dspTimeoutMs });
  const tokenRefreshRouter = createTokenRefreshRouter(
    createTokenRefreshService({ db, store: transferStore, liveness, support, now }),
    (err, errorId) => deps.onError?.(err, `token refresh failed (errorId ${errorId})`),
  );

  return {
    db, codec: deps.codec, vault: deps.vault, publicUrl: config.publicUrl,
    negotiationStore, transferStore, negotiations, transfers, catalog, client, liveness, negotiationProcessor, transferProcessor, policyMonitor,
    edrs, tokenRefreshRouter, dspEndpoints, dspRouter, versionRouter, dspBase, selfIdentity,
    start() {
      negotiationProcessor.start();
      transferProcessor.start();
      policyMonitor.start();
    },
    async stop() {
      await policyMonitor.stop();
      await negotiationProcessor.stop();
      await transferProcessor.stop();
    },
    forgetTenant(tenantId) {
      recentNegotiations.forgetTenant(tenantId);
      recentTransfers.forgetTenant(tenantId);
      agreementCopies.forgetTenant(tenantId);
    },
  };
}
