// Composition of the PACT module for the app: both routers sharing one set of services, and the event delivery worker.
import type { Router } from 'express';
import type { TenantKeyProvider } from '../../connector/credentials/key-provider';
import type { SecretBox } from '../../connector/credentials/local/local-key-store';
import type { DataPlaneTokenVerifier } from '../../connector/credentials/token-verifier';
import type { Logger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import { createEventDeliveryWorker, type EventDeliveryWorker, type EventDeliveryWorkerDeps } from '../events/delivery-worker';
import type { PactOutbound } from '../events/outbound';
import { createFootprintService } from '../service/footprint-service';
import { createFootprintManagementRouter } from './management-router';
import { createPactHostServices, createPactRouter, createPactShared, type PactHostOptions, type PactHostServices, type PactShared, type PactTenantDirectory } from './pact-router';

export interface PactModuleDeps {
  readonly db: Database;
  readonly tenants: PactTenantDirectory;
  readonly keys: TenantKeyProvider;
  readonly secrets: SecretBox;
  readonly dataPlaneVerifier?: DataPlaneTokenVerifier;
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Outbound HTTP for event delivery (back it with `pactOutboundFrom(outboundHttpClient)`). */
  readonly outbound: PactOutbound;
  readonly options?: PactHostOptions;
  readonly delivery?: Partial<Pick<EventDeliveryWorkerDeps, 'pollIntervalMs' | 'batchSize' | 'leaseMs' | 'baseBackoffMs' | 'maxBackoffMs' | 'maxAgeMs' | 'random'>>;
  readonly allowHttpPartners?: boolean;
}

export interface PactModule {
  /** Mount at `/tenants/:tenantId/pact`. */
  readonly pactRouter: Router;
  /** Mount at `/management/v3` after the authorizer. */
  readonly managementRouter: Router;
  /** Start with the app, stop on shutdown. */
  readonly worker: EventDeliveryWorker;
  readonly shared: PactShared;
  /** The framework-neutral host (the data-plane fast lane serves it without Express). */
  readonly host: PactHostServices;
  /** Starts the event worker and the read cache's change feed. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createPactModule(deps: PactModuleDeps): PactModule {
  const worker: EventDeliveryWorker = createEventDeliveryWorker({ db: deps.db, outbound: deps.outbound, secrets: deps.secrets, logger: deps.logger, now: deps.now, ...deps.delivery });
  const onEnqueued = (tenantId: string): void => worker.kick(tenantId);
  const shared = createPactShared({ ...deps, onEnqueued });
  const host = createPactHostServices({ ...deps, onEnqueued }, shared);
  // Changes made here drop this process's cached answers at once; other processes learn from the change feed.
  const footprints = createFootprintService({ db: deps.db, now: deps.now, publicUrl: deps.publicUrl, onEnqueued, onChanged: (t) => shared.cache.invalidate(t) });
  return {
    pactRouter: createPactRouter({ ...deps, shared, host, onEnqueued }),
    managementRouter: createFootprintManagementRouter({ ...deps, shared, footprints, onEnqueued }),
    worker,
    shared,
    host,
    async start() {
      worker.start();
      await shared.cache.start();
    },
    async stop() {
      await shared.cache.stop();
      await worker.stop();
    },
  };
}
