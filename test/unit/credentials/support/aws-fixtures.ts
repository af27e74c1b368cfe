// nock fixtures answering the AWS wire protocols (STS query/XML, Secrets Manager and Cognito JSON 1.1, OAuth2 token, JWKS).
import { generateKeyPair, exportJWK, SignJWT, type CryptoKey, type JWK } from 'jose';
import nock from '../../../support/nock';
import type { AwsTenantSettings } from '../../../../connector/credentials/aws/tenant-settings';

export const TENANT_A: AwsTenantSettings = {
  region: 'eu-central-1',
  roleArn: 'arn:aws:iam::111111111111:role/pcf-tenant-a',
  externalId: 'ext-a',
  secretId: 'pcf/tenants/tenant-a/cognito-client',
  cognito: { userPoolId: 'eu-central-1_PoolA', domain: 'pool-a', clientId: 'clientaaaaaaaaaaaaaaaaaaaa', scope: 'pcf-exchange/tenant-a/footprints.read', tokenMode: 'token-endpoint' },
};

export const TENANT_B: AwsTenantSettings = {
  region: 'eu-west-1',
  roleArn: 'arn:aws:iam::222222222222:role/pcf-tenant-b',
  secretId: 'pcf/tenants/tenant-b/cognito-client',
  cognito: { userPoolId: 'eu-west-1_PoolB', clientId: 'clientbbbbbbbbbbbbbbbbbbbb', scope: 'pcf-exchange/tenant-b/footprints.read', tokenMode: 'get-client-token' },
};

export const SECRETS: Record<string, string> = { 'tenant-a': 'secret-of-tenant-a-0123456789', 'tenant-b': 'secret-of-tenant-b-9876543210' };
export const ASSUMED: Record<string, { key: string; secret: string; session: string }> = {
  'tenant-a': { key: 'ASIATENANTAEXAMPLE01', secret: 'assumedSecretKeyOfTenantA/EXAMPLE', session: 'SessionTokenOfTenantAEXAMPLE==' },
  'tenant-b': { key: 'ASIATENANTBEXAMPLE02', secret: 'assumedSecretKeyOfTenantB/EXAMPLE', session: 'SessionTokenOfTenantBEXAMPLE==' },
};

export interface SeenRequest {
  readonly host: string;
  readonly path: string;
  readonly target?: string;
  readonly authorization?: string;
  readonly securityToken?: string;
  readonly body: string;
}

/** Records every request nock answers (host, target, auth headers, body) through reply callbacks. */
export function createRecorder(): { seen: SeenRequest[]; record: (host: string, path: string, headers: Record<string, unknown>, body: unknown) => void } {
  const seen: SeenRequest[] = [];
  const h = (headers: Record<string, unknown>, name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  };
  return {
    seen,
    record(host, path, headers, body) {
      const target = h(headers, 'x-amz-target');
      const authorization = h(headers, 'authorization');
      const securityToken = h(headers, 'x-amz-security-token');
      seen.push({ host, path, body: typeof body === 'string' ? body : JSON.stringify(body),
        ...(target === undefined ? {} : { target }), ...(authorization === undefined ? {} : { authorization }), ...(securityToken === undefined ? {} : { securityToken }) });
    },
  };
}

export function stsXml(tenantId: string, expiration: Date): string {
  const a = ASSUMED[tenantId];
  return `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:pcf-${tenantId}</AssumedRoleId><Arn>arn:aws:sts::111111111111:assumed-role/pcf-${tenantId}/pcf-${tenantId}</Arn></AssumedRoleUser>
    <Credentials><AccessKeyId>${a.key}</AccessKeyId><SecretAccessKey>${a.secret}</SecretAccessKey><SessionToken>${a.session}</SessionToken><Expiration>${expiration.toISOString()}</Expiration></Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`;
}

export function stsErrorXml(code: string): string {
  return `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>not allowed</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`;
}

export function secretJson(settings: AwsTenantSettings, tenantId: string, clientId = settings.cognito.clientId): Record<string, unknown> {
  return {
    ARN: `arn:aws:secretsmanager:${settings.region}:111111111111:secret:${settings.secretId}-AbCdEf`, Name: settings.secretId, VersionId: 'v1',
    SecretString: JSON.stringify({ clientId, clientSecret: SECRETS[tenantId] }), VersionStages: ['AWSCURRENT'], CreatedDate: 1523477145.713,
  };
}

export const JSON11 = { 'content-type': 'application/x-amz-json-1.1' };
export const XML = { 'content-type': 'text/xml' };

export interface CognitoSigner {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
  /** A Cognito-shaped access token for `settings` (override claims as needed). */
  token(settings: AwsTenantSettings, nowSeconds: number, overrides?: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
}

export async function createCognitoSigner(kid = 'cognito-kid-1'): Promise<CognitoSigner> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid, privateKey, publicJwk,
    async token(settings, nowSeconds, overrides = {}, header = {}) {
      const claims = {
        iss: `https://cognito-idp.${settings.region}.amazonaws.com/${settings.cognito.userPoolId}`,
        sub: settings.cognito.clientId, client_id: settings.cognito.clientId, token_use: 'access', scope: settings.cognito.scope,
        auth_time: nowSeconds, iat: nowSeconds, exp: nowSeconds + 3600, jti: `jti-${Math.random().toString(36).slice(2)}`, version: 2, ...overrides,
      };
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, ...header }).sign(privateKey);
    },
  };
}

/** Blocks every outbound connection except loopback (local PostgreSQL). */
export function lockNetwork(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
}
