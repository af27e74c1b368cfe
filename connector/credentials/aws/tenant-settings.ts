// A tenant's AWS credential settings (stored in the tenant record) and their validator for onboarding.
import { fail, ok, type Result } from '../../common/result';

export type CognitoTokenMode = 'token-endpoint' | 'get-client-token';

export interface CognitoTenantSettings {
  /** `{region}_{id}`; must be in the tenant's region. */
  readonly userPoolId: string;
  /** User pool domain prefix (`{domain}.auth.{region}.amazoncognito.com`); required for `token-endpoint`. */
  readonly domain?: string;
  /** The tenant's app client id (also inside the secret; used by the verifier to check `client_id`). */
  readonly clientId: string;
  /** `{resourceServerIdentifier}/{scopeName}` on the tenant's pcf-exchange resource server. */
  readonly scope: string;
  readonly tokenMode: CognitoTokenMode;
}

export interface AwsTenantSettings {
  /** Every AWS call for this tenant goes to this region. */
  readonly region: string;
  /** `arn:aws:iam::{account}:role/{name}`: the tenant role the connector assumes. */
  readonly roleArn: string;
  readonly externalId?: string;
  /** Name (`pcf/tenants/{tenantId}/…`) or ARN of the secret holding `{"clientId","clientSecret"}`. */
  readonly secretId: string;
  readonly cognito: CognitoTenantSettings;
}

export interface SettingsValidationOptions {
  /** Secret names must start with `${secretPrefix}${tenantId}/` (default `pcf/tenants/`). */
  readonly secretPrefix?: string;
}

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;
const SECRET_ARN = /^arn:aws(-[a-z]+)*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;
const POOL_ID = /^([a-z0-9-]+)_[A-Za-z0-9]+$/;
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const CLIENT_ID = /^[\w+]{1,128}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+\/[\x21\x23-\x5B\x5D-\x7E]+$/;
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

function str(record: Record<string, unknown>, name: string, errors: string[], path: string, required = true): string | undefined {
  const v = record[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v === '') {
    errors.push(`${path}${name}: must be a non-empty string`);
    return undefined;
  }
  return v;
}

/**
 * Validates untrusted input as `tenantId`'s AWS settings: formats, region residency (pool, secret ARN), the secret path
 * naming the tenant, the token mode's prerequisites. Returns a frozen copy or a `bad-request` with one message per field.
 */
export function validateAwsTenantSettings(tenantId: string, input: unknown, options: SettingsValidationOptions = {}): Result<AwsTenantSettings> {
  if (!TENANT_ID.test(tenantId)) return fail('bad-request', 'tenantId: invalid');
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return fail('bad-request', 'aws settings: must be an object');
  const raw = input as Record<string, unknown>;
  const errors: string[] = [];
  const region = str(raw, 'region', errors, '');
  if (region !== undefined && !REGION.test(region)) errors.push('region: not an AWS region name');
  const roleArn = str(raw, 'roleArn', errors, '');
  if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) errors.push('roleArn: not an IAM role ARN');
  const externalId = str(raw, 'externalId', errors, '', false);
  if (externalId !== undefined && !EXTERNAL_ID.test(externalId)) errors.push('externalId: invalid characters or length');
  const secretId = str(raw, 'secretId', errors, '');
  if (secretId !== undefined) {
    const prefix = `${options.secretPrefix ?? 'pcf/tenants/'}${tenantId}/`;
    const arn = SECRET_ARN.exec(secretId);
    const name = arn === null ? secretId : arn[4];
    if (arn !== null && region !== undefined && arn[2] !== region) errors.push('secretId: secret ARN is in another region');
    if (!name.startsWith(prefix)) errors.push(`secretId: must be under ${prefix}`);
  }
  const cognitoRaw = raw.cognito;
  let cognito: CognitoTenantSettings | undefined;
  if (cognitoRaw === null || typeof cognitoRaw !== 'object' || Array.isArray(cognitoRaw)) {
    errors.push('cognito: must be an object');
  } else {
    const c = cognitoRaw as Record<string, unknown>;
    const userPoolId = str(c, 'userPoolId', errors, 'cognito.');
    const poolMatch = userPoolId === undefined ? null : POOL_ID.exec(userPoolId);
    if (userPoolId !== undefined && poolMatch === null) errors.push('cognito.userPoolId: invalid');
    if (poolMatch !== null && region !== undefined && poolMatch[1] !== region) errors.push('cognito.userPoolId: user pool is in another region');
    const domain = str(c, 'domain', errors, 'cognito.', false);
    if (domain !== undefined && !DOMAIN_PREFIX.test(domain)) errors.push('cognito.domain: must be a user pool domain prefix');
    const clientId = str(c, 'clientId', errors, 'cognito.');
    if (clientId !== undefined && !CLIENT_ID.test(clientId)) errors.push('cognito.clientId: invalid');
    const scope = str(c, 'scope', errors, 'cognito.');
    if (scope !== undefined && !SCOPE.test(scope)) errors.push('cognito.scope: must be {resourceServer}/{scopeName}');
    const tokenMode = c.tokenMode;
    if (tokenMode !== 'token-endpoint' && tokenMode !== 'get-client-token') errors.push('cognito.tokenMode: must be token-endpoint or get-client-token');
    if (tokenMode === 'token-endpoint' && domain === undefined) errors.push('cognito.domain: required for token-endpoint mode');
    if (userPoolId !== undefined && clientId !== undefined && scope !== undefined && (tokenMode === 'token-endpoint' || tokenMode === 'get-client-token')) {
      cognito = Object.freeze({ userPoolId, clientId, scope, tokenMode, ...(domain === undefined ? {} : { domain }) });
    }
  }
  const unknownKeys = Object.keys(raw).filter((k) => !['region', 'roleArn', 'externalId', 'secretId', 'cognito'].includes(k));
  for (const k of unknownKeys) errors.push(`${k}: unknown setting`);
  if (errors.length > 0 || region === undefined || roleArn === undefined || secretId === undefined || cognito === undefined) {
    return fail('bad-request', `invalid aws settings: ${errors.join('; ')}`, errors);
  }
  return ok(Object.freeze({ region, roleArn, secretId, cognito, ...(externalId === undefined ? {} : { externalId }) }));
}

/** The Cognito issuer of a tenant's access tokens. */
export function cognitoIssuer(settings: AwsTenantSettings): string {
  return `https://cognito-idp.${settings.region}.amazonaws.com/${settings.cognito.userPoolId}`;
}

/** The tenant's user pool JWKS URL. */
export function cognitoJwksUrl(settings: AwsTenantSettings): string {
  return `${cognitoIssuer(settings)}/.well-known/jwks.json`;
}

/** The tenant's user pool OAuth2 token endpoint (domain prefix form). */
export function cognitoTokenEndpoint(settings: AwsTenantSettings): string | undefined {
  const domain = settings.cognito.domain;
  return domain === undefined ? undefined : `https://${domain}.auth.${settings.region}.amazoncognito.com/oauth2/token`;
}

/** Looks up a tenant's AWS settings (from the tenant record); undefined when the tenant has none. */
export type AwsTenantSettingsLookup = (tenantId: string) => Promise<AwsTenantSettings | undefined>;
