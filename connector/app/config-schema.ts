// The one configuration schema: every option, its type, default and constraints (validated with ajv at boot).
import type { JSONSchemaType } from 'ajv';

export type DeploymentMode = 'embedded' | 'production';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Externally visible base URL without a trailing slash (DIDs, callback addresses, Link headers). */
  readonly publicUrl: string;
  readonly bodyLimitBytes: number;
  readonly requestTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
}

export interface DatabaseConfig {
  /** PostgreSQL connection URL; when absent the embedded PGlite database in `dataDir` is used. */
  readonly url?: string;
  readonly poolSize: number;
}

export interface AuthConfig {
  /** Who issues management-API JWTs: the built-in issuer (embedded) or a Cognito user pool. */
  readonly issuer: 'builtin' | 'cognito';
  readonly cognito?: { readonly region: string; readonly userPoolId: string; readonly clientIds: readonly string[] };
  /** The trusted claim naming the caller's tenant. */
  readonly tenantClaim: string;
  /** The claim listing the caller's roles (groups). */
  readonly rolesClaim: string;
  /** Lifetime of tokens from the built-in issuer. */
  readonly builtinTokenTtlSeconds: number;
  /** How long an API key found active is reused without a database read (the change feed drops it sooner); 0: off. */
  readonly apiKeyCacheSeconds: number;
}

export interface IdentitySettings {
  readonly devTrustAnchor: boolean;
  readonly trustedIssuers: readonly string[];
  /** Catena-X BDRS directory base URL (`GET {bdrsUrl}/bpn-directory`); unset = the built-in directory. */
  readonly bdrsUrl?: string;
  /** How long a fetched BDRS map is reused, seconds. */
  readonly bdrsCacheSeconds: number;
  /** Longest reuse of a verified partner presentation, seconds; 0 disables the cache. */
  readonly presentationCacheSeconds: number;
}

export interface AppConfig {
  readonly mode: DeploymentMode;
  readonly dataDir: string;
  readonly server: ServerConfig;
  readonly database: DatabaseConfig;
  readonly operator: { readonly key?: string };
  readonly security: { readonly masterKey?: string };
  readonly tenancy: { readonly allowedRegions: readonly string[]; readonly defaultRegion: string };
  readonly auth: AuthConfig;
  readonly outbound: { readonly allowLoopback: boolean; readonly allowPrivate: boolean; readonly timeoutMs: number; readonly maxResponseBytes: number };
  readonly log: { readonly level: 'error' | 'warn' | 'info' | 'http' | 'debug' };
  /** Development trust anchor (issues Membership/BPN/DataExchangeGovernance credentials), trusted issuer DIDs, BDRS and DCP caches. */
  readonly identity: IdentitySettings;
  /** AWS credential mode: whether onboarding provisions the tenant's Cognito app client and secret itself. */
  readonly aws: { readonly provisioning: boolean };
  /** Control-plane timers: how often the policy monitor re-checks the usage policies of running provider transfers. */
  readonly controlPlane: { readonly policyMonitorIntervalMs: number };
  /** PACT host: the read cache of serialized footprint answers (MiB; 0 turns it off). */
  readonly pact: { readonly readCacheMb: number };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] extends object ? Mutable<T[K]> : T[K] };

const REGION = '^[a-z]{2}(-gov)?-[a-z]+-\\d$';

export const CONFIG_SCHEMA: JSONSchemaType<Mutable<AppConfig>> = {
  type: 'object',
  additionalProperties: false,
  required: ['mode', 'dataDir', 'server', 'database', 'operator', 'security', 'tenancy', 'auth', 'outbound', 'log', 'identity', 'aws', 'controlPlane', 'pact'],
  properties: {
    mode: { type: 'string', enum: ['embedded', 'production'] },
    dataDir: { type: 'string', minLength: 1 },
    server: {
      type: 'object',
      additionalProperties: false,
      required: ['host', 'port', 'publicUrl', 'bodyLimitBytes', 'requestTimeoutMs', 'shutdownGraceMs'],
      properties: {
        host: { type: 'string', minLength: 1 },
        port: { type: 'integer', minimum: 0, maximum: 65535 },
        publicUrl: { type: 'string', pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*[^/?#\\s])?$' },
        bodyLimitBytes: { type: 'integer', minimum: 1024, maximum: 104857600 },
        requestTimeoutMs: { type: 'integer', minimum: 1000, maximum: 600000 },
        shutdownGraceMs: { type: 'integer', minimum: 0, maximum: 120000 },
        tls: {
          type: 'object', nullable: true, additionalProperties: false, required: ['certFile', 'keyFile'],
          properties: { certFile: { type: 'string', minLength: 1 }, keyFile: { type: 'string', minLength: 1 } },
        },
      },
    },
    database: {
      type: 'object',
      additionalProperties: false,
      required: ['poolSize'],
      properties: {
        url: { type: 'string', nullable: true, pattern: '^postgres(ql)?://' },
        poolSize: { type: 'integer', minimum: 1, maximum: 200 },
      },
    },
    operator: {
      type: 'object', additionalProperties: false, required: [],
      properties: { key: { type: 'string', nullable: true, minLength: 24 } },
    },
    security: {
      type: 'object', additionalProperties: false, required: [],
      properties: { masterKey: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9+/_-]{43}=?$' } },
    },
    tenancy: {
      type: 'object', additionalProperties: false, required: ['allowedRegions', 'defaultRegion'],
      properties: {
        allowedRegions: { type: 'array', minItems: 1, items: { type: 'string', pattern: REGION } },
        defaultRegion: { type: 'string', pattern: REGION },
      },
    },
    auth: {
      type: 'object', additionalProperties: false,
      required: ['issuer', 'tenantClaim', 'rolesClaim', 'builtinTokenTtlSeconds', 'apiKeyCacheSeconds'],
      properties: {
        issuer: { type: 'string', enum: ['builtin', 'cognito'] },
        cognito: {
          type: 'object', nullable: true, additionalProperties: false, required: ['region', 'userPoolId', 'clientIds'],
          properties: {
            region: { type: 'string', pattern: REGION },
            userPoolId: { type: 'string', pattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d_[A-Za-z0-9]+$' },
            clientIds: { type: 'array', items: { type: 'string', minLength: 1 } },
          },
        },
        tenantClaim: { type: 'string', minLength: 1 },
        rolesClaim: { type: 'string', minLength: 1 },
        builtinTokenTtlSeconds: { type: 'integer', minimum: 60, maximum: 86400 },
        apiKeyCacheSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
      },
    },
    outbound: {
      type: 'object', additionalProperties: false, required: ['allowLoopback', 'allowPrivate', 'timeoutMs', 'maxResponseBytes'],
      properties: {
        allowLoopback: { type: 'boolean' },
        allowPrivate: { type: 'boolean' },
        timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 },
        maxResponseBytes: { type: 'integer', minimum: 1024, maximum: 104857600 },
      },
    },
    log: {
      type: 'object', additionalProperties: false, required: ['level'],
      properties: { level: { type: 'string', enum: ['error', 'warn', 'info', 'http', 'debug'] } },
    },
    identity: {
      type: 'object', additionalProperties: false, required: ['devTrustAnchor', 'trustedIssuers', 'bdrsCacheSeconds', 'presentationCacheSeconds'],
      properties: {
        devTrustAnchor: { type: 'boolean' },
        trustedIssuers: { type: 'array', items: { type: 'string', pattern: '^did:[a-z0-9]+:.+' } },
        bdrsUrl: { type: 'string', nullable: true, maxLength: 2048, pattern: '^https?://[^/?#@\\s]+(/[^?#\\s]*)?$' },
        bdrsCacheSeconds: { type: 'integer', minimum: 30, maximum: 86400 },
        presentationCacheSeconds: { type: 'integer', minimum: 0, maximum: 3600 },
      },
    },
    aws: {
      type: 'object', additionalProperties: false, required: ['provisioning'],
      properties: { provisioning: { type: 'boolean' } },
    },
    controlPlane: {
      type: 'object', additionalProperties: false, required: ['policyMonitorIntervalMs'],
      properties: { policyMonitorIntervalMs: { type: 'integer', minimum: 1000, maximum: 86_400_000 } },
    },
    pact: {
      type: 'object', additionalProperties: false, required: ['readCacheMb'],
      properties: { readCacheMb: { type: 'integer', minimum: 0, maximum: 65_536 } },
    },
  },
};
