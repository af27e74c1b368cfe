// Reads configuration once (defaults ← optional JSON file ← environment), validates it, freezes it, reports unsafe settings.
import Ajv from 'ajv';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_SCHEMA, type AppConfig } from './config-schema';

export type { AppConfig } from './config-schema';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  readonly config: AppConfig;
  /** Settings that work but are unsafe for production; logged at start. */
  readonly warnings: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variable → configuration path. The README's configuration table lists the same names. */
export const ENV_OPTIONS: ReadonlyArray<readonly [string, string, 'string' | 'int' | 'bool' | 'list']> = [
  ['PCF_MODE', '/mode', 'string'],
  ['PCF_DATA_DIR', '/dataDir', 'string'],
  ['HOST', '/server/host', 'string'],
  ['PORT', '/server/port', 'int'],
  ['PCF_PUBLIC_URL', '/server/publicUrl', 'string'],
  ['PCF_BODY_LIMIT_BYTES', '/server/bodyLimitBytes', 'int'],
  ['PCF_REQUEST_TIMEOUT_MS', '/server/requestTimeoutMs', 'int'],
  ['PCF_SHUTDOWN_GRACE_MS', '/server/shutdownGraceMs', 'int'],
  ['PCF_TLS_CERT_FILE', '/server/tls/certFile', 'string'],
  ['PCF_TLS_KEY_FILE', '/server/tls/keyFile', 'string'],
  ['DATABASE_URL', '/database/url', 'string'],
  ['PCF_DB_POOL_SIZE', '/database/poolSize', 'int'],
  ['PCF_OPERATOR_KEY', '/operator/key', 'string'],
  ['PCF_MASTER_KEY', '/security/masterKey', 'string'],
  ['PCF_ALLOWED_REGIONS', '/tenancy/allowedRegions', 'list'],
  ['PCF_DEFAULT_REGION', '/tenancy/defaultRegion', 'string'],
  ['PCF_AUTH_ISSUER', '/auth/issuer', 'string'],
  ['PCF_COGNITO_REGION', '/auth/cognito/region', 'string'],
  ['PCF_COGNITO_USER_POOL_ID', '/auth/cognito/userPoolId', 'string'],
  ['PCF_COGNITO_CLIENT_IDS', '/auth/cognito/clientIds', 'list'],
  ['PCF_TENANT_CLAIM', '/auth/tenantClaim', 'string'],
  ['PCF_ROLES_CLAIM', '/auth/rolesClaim', 'string'],
  ['PCF_BUILTIN_TOKEN_TTL_SECONDS', '/auth/builtinTokenTtlSeconds', 'int'],
  ['PCF_API_KEY_CACHE_SECONDS', '/auth/apiKeyCacheSeconds', 'int'],
  ['PCF_OUTBOUND_ALLOW_LOOPBACK', '/outbound/allowLoopback', 'bool'],
  ['PCF_OUTBOUND_ALLOW_PRIVATE', '/outbound/allowPrivate', 'bool'],
  ['PCF_OUTBOUND_TIMEOUT_MS', '/outbound/timeoutMs', 'int'],
  ['PCF_OUTBOUND_MAX_RESPONSE_BYTES', '/outbound/maxResponseBytes', 'int'],
  ['PCF_LOG_LEVEL', '/log/level', 'string'],
  ['PCF_DEV_TRUST_ANCHOR', '/identity/devTrustAnchor', 'bool'],
  ['PCF_TRUSTED_ISSUERS', '/identity/trustedIssuers', 'list'],
  ['PCF_BDRS_URL', '/identity/bdrsUrl', 'string'],
  ['PCF_BDRS_CACHE_SECONDS', '/identity/bdrsCacheSeconds', 'int'],
  ['PCF_PRESENTATION_CACHE_SECONDS', '/identity/presentationCacheSeconds', 'int'],
  ['PCF_AWS_PROVISIONING', '/aws/provisioning', 'bool'],
  ['PCF_POLICY_MONITOR_INTERVAL_MS', '/controlPlane/policyMonitorIntervalMs', 'int'],
  ['PCF_PACT_READ_CACHE_MB', '/pact/readCacheMb', 'int'],
];

function defaults(): Record<string, unknown> {
  return {
    mode: 'embedded',
    dataDir: './data',
    server: { host: '0.0.0.0', port: 8080, bodyLimitBytes: 1_048_576, requestTimeoutMs: 30_000, shutdownGraceMs: 10_000 },
    database: { poolSize: 10 },
    operator: {},
    security: {},
    tenancy: { allowedRegions: ['eu-central-1'], defaultRegion: 'eu-central-1' },
    auth: { issuer: 'builtin', tenantClaim: 'custom:tenant_id', rolesClaim: 'cognito:groups', builtinTokenTtlSeconds: 3600, apiKeyCacheSeconds: 60 },
    outbound: { allowPrivate: false, timeoutMs: 10_000, maxResponseBytes: 5_242_880 },
    log: { level: 'info' },
    identity: { trustedIssuers: [], bdrsCacheSeconds: 900, presentationCacheSeconds: 60 },
    aws: { provisioning: false },
    controlPlane: { policyMonitorIntervalMs: 60_000 },
    pact: { readCacheMb: 64 },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(target: Record<string, unknown>, source: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(source)) {
    target[k] = isObject(v) && isObject(target[k]) ? merge({ ...(target[k] as Record<string, unknown>) }, v) : v;
  }
  return target;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('/').slice(1);
  let node = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(node[p])) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function convert(raw: string, kind: 'string' | 'int' | 'bool' | 'list'): unknown {
  switch (kind) {
    case 'int':
      return /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
    case 'bool':
      return /^(true|1|yes)$/i.test(raw.trim()) ? true : /^(false|0|no)$/i.test(raw.trim()) ? false : raw;
    case 'list':
      return raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    default:
      return raw;
  }
}

const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(CONFIG_SCHEMA);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}

/** Loads configuration; throws ConfigError naming the failing option's path and source. */
export function loadConfig(env: Env = process.env, configFile: string | undefined = env.PCF_CONFIG_FILE): LoadedConfig {
  const raw = defaults();
  const sources = new Map<string, string>();
  if (configFile) {
    const path = resolve(configFile);
    if (!existsSync(path)) throw new ConfigError(`config file ${path} does not exist`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
    }
    if (!isObject(parsed)) throw new ConfigError(`config file ${path} must contain a JSON object`);
    merge(raw, parsed);
  }
  for (const [name, path, kind] of ENV_OPTIONS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, convert(value, kind));
    sources.set(path, name);
  }
  if (env.LOG_LEVEL && !env.PCF_LOG_LEVEL) setPath(raw, '/log/level', env.LOG_LEVEL);
  const identity = raw.identity as Record<string, unknown>;
  // The development trust anchor is on by default in embedded mode only.
  if (identity.devTrustAnchor === undefined) identity.devTrustAnchor = raw.mode !== 'production';
  const server = raw.server as Record<string, unknown>;
  if (server.publicUrl === undefined) server.publicUrl = `http://localhost:${String(server.port)}`;
  if (typeof server.publicUrl === 'string') server.publicUrl = server.publicUrl.replace(/\/+$/, '');
  // Unless set: embedded on a loopback URL, the co-hosted tenants call each other on loopback, so allow it there only.
  const outbound = raw.outbound as Record<string, unknown>;
  if (outbound.allowLoopback === undefined) {
    outbound.allowLoopback = raw.mode !== 'production' && typeof server.publicUrl === 'string' && URL.canParse(server.publicUrl) && isLoopbackUrl(server.publicUrl);
  }

  if (!validate(raw)) {
    const messages = (validate.errors ?? []).map((e) => {
      const path = e.instancePath || '/';
      const missing = e.keyword === 'required' ? `${path === '/' ? '' : path}/${String(e.params.missingProperty)}` : undefined;
      const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
      const where = missing ?? path;
      const source = sources.get(where) ? ` (from ${sources.get(where)})` : '';
      return `${where}${source}: ${missing ? 'is required' : e.message ?? 'is invalid'}${extra}`;
    });
    throw new ConfigError(`invalid configuration: ${messages.join('; ')}`);
  }
  const config = raw as unknown as AppConfig;
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!config.tenancy.allowedRegions.includes(config.tenancy.defaultRegion)) {
    errors.push('/tenancy/defaultRegion: must be one of /tenancy/allowedRegions');
  }
  if (config.auth.issuer === 'cognito' && !config.auth.cognito) errors.push('/auth/cognito: is required when /auth/issuer is cognito');
  if (config.server.tls) {
    for (const f of ['certFile', 'keyFile'] as const) {
      if (!existsSync(config.server.tls[f])) errors.push(`/server/tls/${f}: file ${config.server.tls[f]} does not exist`);
    }
  }
  if (config.mode === 'production') {
    if (!config.database.url) errors.push('/database/url (DATABASE_URL): is required in production mode');
    if (!config.security.masterKey) errors.push('/security/masterKey (PCF_MASTER_KEY): is required in production mode');
    if (!config.operator.key) errors.push('/operator/key (PCF_OPERATOR_KEY): is required in production mode');
    if (config.auth.issuer === 'builtin') warnings.push('the built-in token issuer is enabled in production mode: its keys live in the database, not in a managed identity provider');
    if (config.outbound.allowLoopback || config.outbound.allowPrivate) warnings.push('outbound calls to loopback/private addresses are allowed in production mode (SSRF risk)');
    if (config.server.publicUrl.startsWith('http://')) warnings.push('the public URL is plain http in production mode; PACT and DSP partners expect https');
    if (config.identity.devTrustAnchor) warnings.push('the development trust anchor is enabled in production mode: it issues credentials every connector of this deployment trusts');
    if (config.identity.bdrsUrl?.startsWith('http://')) warnings.push('the BDRS URL is plain http in production mode: the membership presentation sent to it could be intercepted');
  } else {
    if (!config.security.masterKey) warnings.push(`no PCF_MASTER_KEY: the master key is generated and kept in ${config.dataDir}, next to the data it protects`);
    if (!isLoopbackUrl(config.server.publicUrl) && config.server.publicUrl.startsWith('http://')) {
      warnings.push('the public URL is plain http on a non-loopback host');
    }
  }
  if (config.identity.presentationCacheSeconds > 300) {
    warnings.push(`/identity/presentationCacheSeconds is ${config.identity.presentationCacheSeconds}: a revoked partner credential is accepted for up to that long`);
  }
  if (errors.length > 0) throw new ConfigError(`invalid configuration: ${errors.join('; ')}`);
  return { config: deepFreeze(config), warnings };
}
