// AWS SDK v3 client factories (injected so tests can count and intercept calls) and the AWS call counter.
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

/** Temporary (or static) AWS credentials, structurally what the SDK clients accept. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Builds SDK clients; every client is bound to one region. Clients retry nothing themselves (we do, with backoff). */
export interface AwsClientFactory {
  /** STS client with the connector's own identity, in `region`. */
  sts(region: string): STSClient;
  /** Secrets Manager client signing with `credentials` (a tenant's assumed role), in `region`. */
  secretsManager(region: string, credentials: AwsCredentials): SecretsManagerClient;
  /** Cognito IdP client in `region`; with `credentials` (tenant) or the connector's own identity (provisioning). */
  cognito(region: string, credentials?: AwsCredentials): CognitoIdentityProviderClient;
  /** Secrets Manager client with the connector's own identity (provisioning). */
  ownSecretsManager(region: string): SecretsManagerClient;
}

export interface AwsClientFactoryOptions {
  /** The connector's own credentials; default: the SDK's provider chain (task role, instance profile, env). */
  readonly credentials?: STSClientConfig['credentials'];
}

/** Default factory: regional endpoints, `maxAttempts: 1` (retries are ours), own-identity clients reused per region. */
export function createAwsClientFactory(options: AwsClientFactoryOptions = {}): AwsClientFactory {
  const stsByRegion = new Map<string, STSClient>();
  const cognitoByRegion = new Map<string, CognitoIdentityProviderClient>();
  const smByRegion = new Map<string, SecretsManagerClient>();
  const own = options.credentials === undefined ? {} : { credentials: options.credentials };
  function memo<C>(map: Map<string, C>, region: string, make: () => C): C {
    const existing = map.get(region);
    if (existing !== undefined) return existing;
    const created = make();
    map.set(region, created);
    return created;
  }
  return {
    sts: (region) => memo(stsByRegion, region, () => new STSClient({ region, maxAttempts: 1, ...own })),
    secretsManager: (region, credentials) => new SecretsManagerClient({ region, maxAttempts: 1, credentials }),
    cognito: (region, credentials) => credentials === undefined
      ? memo(cognitoByRegion, region, () => new CognitoIdentityProviderClient({ region, maxAttempts: 1, ...own }))
      : new CognitoIdentityProviderClient({ region, maxAttempts: 1, credentials }),
    ownSecretsManager: (region) => memo(smByRegion, region, () => new SecretsManagerClient({ region, maxAttempts: 1, ...own })),
  };
}

export interface AwsCallRecord {
  readonly tenantId: string;
  readonly service: 'sts' | 'secretsmanager' | 'cognito-idp' | 'cognito-oauth2';
  readonly operation: string;
  readonly region: string;
}

/** Counts AWS calls (every attempt, including retries) so tests and the benchmark can report calls per mint. */
export interface AwsCallCounter {
  record(call: AwsCallRecord): void;
  /** Number of recorded calls matching every given field. */
  count(filter?: Partial<AwsCallRecord>): number;
  /** Distinct call kinds with their counts. */
  snapshot(): ReadonlyArray<AwsCallRecord & { readonly calls: number }>;
  reset(): void;
}

export function createAwsCallCounter(): AwsCallCounter {
  const counts = new Map<string, { record: AwsCallRecord; calls: number }>();
  return {
    record(call) {
      const key = `${call.tenantId}|${call.service}|${call.operation}|${call.region}`;
      const entry = counts.get(key);
      if (entry === undefined) counts.set(key, { record: { ...call }, calls: 1 });
      else entry.calls += 1;
    },
    count(filter = {}) {
      let total = 0;
      for (const { record, calls } of counts.values()) {
        const matches = (Object.keys(filter) as (keyof AwsCallRecord)[]).every((k) => filter[k] === undefined || filter[k] === record[k]);
        if (matches) total += calls;
      }
      return total;
    },
    snapshot: () => [...counts.values()].map(({ record, calls }) => ({ ...record, calls })),
    reset: () => counts.clear(),
  };
}
