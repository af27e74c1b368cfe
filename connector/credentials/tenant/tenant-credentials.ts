// Composes per-tenant credentials: one minter and one verifier for every tenant (local or aws mode) and the lifecycle hooks.
import type { Logger } from '../../observability/logger';
import type { Database } from '../../store/database';
import type { TenantLifecycleHooks } from '../../tenancy/tenant-service';
import { createAwsCallCounter, createAwsClientFactory, type AwsCallCounter, type AwsClientFactory } from '../aws/aws-clients';
import { createAwsTokenMinter, type AwsTokenMinterDeps } from '../aws/aws-token-minter';
import { createCognitoTokenVerifier, type CognitoTokenVerifierDeps } from '../aws/cognito-token-verifier';
import { createAwsTenantProvisioning, type AwsProvisioningDeps } from '../aws/provisioning';
import { createLocalTokenMinter, type LocalTokenMinterDeps } from '../local/local-token-minter';
import { createLocalTokenVerifier, type LocalTokenVerifierDeps } from '../local/local-token-verifier';
import { createVerifiedTokenCache } from '../token-verifier';
import { createTenantCredentialHooks, type ErasableKeyStore } from './tenant-credential-hooks';
import { createTenantCredentialDirectory, type TenantCredentialDirectory } from './tenant-directory';
import { createTenantTokenMinter, type TenantTokenMinter } from './tenant-token-minter';
import { createTenantTokenVerifier, type TenantTokenVerifier } from './tenant-token-verifier';

export interface TenantAwsOptions {
  /** The connector creates each aws tenant's Cognito app client and secret at onboarding and deletes them at offboarding. */
  readonly provisioning: boolean;
  /** SDK client factory (default `createAwsClientFactory()`: the SDK provider chain as the connector's own identity). */
  readonly clientFactory?: AwsClientFactory;
  /** Counts every AWS call (default: a fresh counter, exposed as `awsCallCounter`). */
  readonly counter?: AwsCallCounter;
  /** Tenant secrets live under `${secretPrefix}${tenantId}/` (default `pcf/tenants/`). */
  readonly secretPrefix?: string;
  /** Provisioned resource servers are `${resourceServerPrefix}${tenantId}` (default `pcf-exchange/`). */
  readonly resourceServerPrefix?: string;
  /** Scope name on a provisioned resource server (default `footprints.read`). */
  readonly scopeName?: string;
  /** Access-token lifetime of provisioned app clients, minutes (default 60). */
  readonly accessTokenMinutes?: number;
  /** Tuning of the AWS minter (token sharing, session tags, retries, cache margins). */
  readonly minter?: Omit<AwsTokenMinterDeps, 'settings' | 'clients' | 'logger' | 'counter' | 'now'>;
  /** Tuning of the Cognito verifier (JWKS cache, clock skew). */
  readonly verifier?: Pick<CognitoTokenVerifierDeps, 'clockToleranceSeconds' | 'jwksCacheMaxAgeMs' | 'jwksFor'>;
}

export interface TenantCredentialsDeps {
  readonly db: Database;
  /** The local key store (`createLocalKeyStore`): data-plane keys of local tenants, erased at offboarding. */
  readonly keyStore: ErasableKeyStore;
  /** The connector's public base URL (issuer and audience of local tokens). */
  readonly publicUrl: string;
  readonly logger: Logger;
  readonly now?: () => Date;
  readonly aws: TenantAwsOptions;
  /** Tuning of the local minter (token and refresh lifetimes). */
  readonly local?: Pick<LocalTokenMinterDeps, 'defaultTtlSeconds' | 'maxTtlSeconds' | 'refreshTtlSeconds'>
    & Pick<LocalTokenVerifierDeps, 'audiences' | 'algorithms' | 'clockToleranceSeconds' | 'jwksCacheMs'>;
  /** How long a tenant's credential mode and settings are reused before re-reading the tenant record (default 30 s). */
  readonly tenantCacheMs?: number;
}

export interface TenantCredentials {
  /** Mints for any tenant through its mode's implementation; refresh and revocation where the mode supports them. */
  readonly minter: TenantTokenMinter;
  /** Verifies data-plane tokens of any tenant with its mode's verifier. */
  readonly verifier: TenantTokenVerifier;
  /** Pass to `createTenantService({ hooks })`. */
  readonly hooks: Required<Pick<TenantLifecycleHooks, 'prepareCredentials' | 'afterOnboard' | 'beforeErase' | 'afterErase'>>;
  /** Every AWS call made for any tenant (minting, provisioning), for benchmarks and metrics. */
  readonly awsCallCounter: AwsCallCounter;
  /** The cached tenant profile lookup the minter and verifier route by. */
  readonly directory: TenantCredentialDirectory;
}

export function createTenantCredentials(deps: TenantCredentialsDeps): TenantCredentials {
  const now = deps.now ?? (() => new Date());
  const secretPrefix = deps.aws.secretPrefix ?? 'pcf/tenants/';
  const resourceServerPrefix = deps.aws.resourceServerPrefix ?? 'pcf-exchange/';
  const scopeName = deps.aws.scopeName ?? 'footprints.read';
  const counter = deps.aws.counter ?? createAwsCallCounter();
  const clients = deps.aws.clientFactory ?? createAwsClientFactory();
  const directory = createTenantCredentialDirectory({ db: deps.db, logger: deps.logger, now, secretPrefix, ...(deps.tenantCacheMs === undefined ? {} : { cacheMs: deps.tenantCacheMs }) });
  const { defaultTtlSeconds, maxTtlSeconds, refreshTtlSeconds, audiences, algorithms, clockToleranceSeconds, jwksCacheMs } = deps.local ?? {};
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

  const cache = createVerifiedTokenCache();
  const localVerifier = createLocalTokenVerifier({
    keys: deps.keyStore, publicUrl: deps.publicUrl, logger: deps.logger, now, cache,
    ...defined({ audiences, algorithms, clockToleranceSeconds, jwksCacheMs }),
  });
  const cognitoVerifier = createCognitoTokenVerifier({ settings: directory.awsSettings, logger: deps.logger, now, cache, ...deps.aws.verifier });
  const verifier = createTenantTokenVerifier({ directory, local: localVerifier, cognito: cognitoVerifier, cache });

  const minter = createTenantTokenMinter({
    directory,
    db: deps.db,
    logger: deps.logger,
    local: createLocalTokenMinter({ keys: deps.keyStore, db: deps.db, publicUrl: deps.publicUrl, logger: deps.logger, now, ...defined({ defaultTtlSeconds, maxTtlSeconds, refreshTtlSeconds }) }),
    aws: createAwsTokenMinter({ ...deps.aws.minter, settings: directory.awsSettings, clients, logger: deps.logger, counter, now }),
  });

  const provisioningDeps: AwsProvisioningDeps = {
    clients, logger: deps.logger, counter, secretPrefix, resourceServerPrefix, scopeName,
    ...(deps.aws.accessTokenMinutes === undefined ? {} : { accessTokenMinutes: deps.aws.accessTokenMinutes }),
  };
  const hooks = createTenantCredentialHooks({
    db: deps.db, keyStore: deps.keyStore, logger: deps.logger, secretPrefix, resourceServerPrefix, scopeName,
    ...(deps.aws.provisioning ? { provisioning: createAwsTenantProvisioning(provisioningDeps) } : {}),
    evict(tenantId) {
      minter.evictTenant(tenantId);
      verifier.evictTenant(tenantId);
    },
  });

  return { minter, verifier, hooks, awsCallCounter: counter, directory };
}
