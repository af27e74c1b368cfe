// A stateful fake of one AWS region over nock (STS, Cognito IdP + OAuth2 + JWKS, Secrets Manager), real wire formats, every call recorded.
import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import nock from '../../support/nock';

export interface FakeAwsOptions {
  readonly region: string;
  readonly account: string;
  readonly userPoolId: string;
  /** User pool domain prefix of the OAuth2 token endpoint. */
  readonly domain: string;
  /** Access-token lifetime the pool hands out (default 3600 s). */
  readonly tokenLifetimeSeconds?: number;
}

/** One AWS request as the fake saw it (no secrets: the SigV4 credential scope, not the signature). */
export interface AwsCall {
  readonly host: string;
  readonly service: 'sts' | 'cognito-idp' | 'cognito-oauth2' | 'cognito-jwks' | 'secretsmanager';
  /** `AssumeRole`, the `x-amz-target` operation, `token` or `jwks`. */
  readonly operation: string;
  /** Access key id of the SigV4 signature (who signed), when signed. */
  readonly accessKeyId?: string;
  /** Region of the SigV4 credential scope, when signed. */
  readonly signedRegion?: string;
  /** Whether `x-amz-security-token` was present (temporary credentials). */
  readonly sessionToken: boolean;
  /** Request body: parsed JSON for JSON 1.1, form fields for STS/OAuth2. */
  readonly body: Record<string, unknown>;
}

export interface FakeAppClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly scopes: readonly string[];
}

export interface FakeAws {
  readonly options: FakeAwsOptions;
  readonly calls: AwsCall[];
  /** Access tokens the pool issued. */
  readonly issued: string[];
  readonly resourceServers: Map<string, { readonly scopes: readonly string[] }>;
  readonly clients: Map<string, FakeAppClient>;
  readonly secrets: Map<string, { readonly arn: string; readonly value: string; readonly tags: unknown }>;
  /** The access key ids handed out by AssumeRole (keyed by access key id → role ARN). */
  readonly assumed: Map<string, string>;
  /** The JWKS the pool publishes. */
  readonly publicJwk: JWK;
  count(filter?: Partial<Pick<AwsCall, 'service' | 'operation'>>): number;
  /** Signs a Cognito-shaped access token for an app client (as the pool would). */
  sign(clientId: string, scope: string, overrides?: Record<string, unknown>): Promise<string>;
  reset(): void;
  /** Removes the interceptors. */
  close(): void;
}

const JSON11 = { 'content-type': 'application/x-amz-json-1.1' };
const XML = { 'content-type': 'text/xml' };

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
}

function parseBody(body: unknown): Record<string, unknown> {
  if (body !== null && typeof body === 'object') return body as Record<string, unknown>;
  const text = typeof body === 'string' ? body : '';
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') return parsed as Record<string, unknown>;
  } catch {
    // form encoded
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function awsError(type: string, message: string, status = 400): [number, Record<string, unknown>, Record<string, string>] {
  return [status, { __type: type, message }, JSON11];
}

/** Starts the interceptors (persisted) for one region. Call `close()` when done. */
export async function startFakeAws(options: FakeAwsOptions): Promise<FakeAws> {
  const { region, account, userPoolId, domain } = options;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const kid = `kid-${randomBytes(4).toString('hex')}`;
  const pair = await generateKeyPair('RS256', { extractable: true });
  const privateKey: CryptoKey = pair.privateKey;
  const publicJwk: JWK = { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
  const calls: AwsCall[] = [];
  const issued: string[] = [];
  const resourceServers = new Map<string, { scopes: string[] }>();
  const clients = new Map<string, FakeAppClient>();
  const secrets = new Map<string, { arn: string; value: string; tags: unknown }>();
  const assumed = new Map<string, string>();
  const scopes: nock.Scope[] = [];

  function record(host: string, service: AwsCall['service'], operation: string, headers: Record<string, unknown>, body: Record<string, unknown>): void {
    const auth = header(headers, 'authorization') ?? '';
    const scope = /Credential=([A-Z0-9]+)\/\d{8}\/([a-z0-9-]+)\/([a-z-]+)\/aws4_request/.exec(auth);
    calls.push({
      host, service, operation, body, sessionToken: header(headers, 'x-amz-security-token') !== undefined,
      ...(scope === null ? {} : { accessKeyId: scope[1], signedRegion: scope[2] }),
    });
  }

  async function sign(clientId: string, scope: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      iss: `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`, sub: clientId, client_id: clientId, token_use: 'access', scope,
      auth_time: now, iat: now, exp: now + lifetime, jti: `jti-${randomBytes(8).toString('hex')}`, version: 2, ...overrides,
    }).setProtectedHeader({ alg: 'RS256', kid }).sign(privateKey);
  }

  const sts = `https://sts.${region}.amazonaws.com`;
  scopes.push(nock(sts).persist().post('/').reply(function (_uri, raw) {
    const body = parseBody(raw);
    record(sts, 'sts', String(body.Action), this.req.headers, body);
    const roleArn = String(body.RoleArn);
    const session = String(body.RoleSessionName);
    const key = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    assumed.set(key, roleArn);
    const roleName = roleArn.slice(roleArn.lastIndexOf('/') + 1);
    const expiration = new Date(Date.now() + Number(body.DurationSeconds ?? 3600) * 1000).toISOString();
    return [200, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><AssumedRoleId>AROA3XFRBF535PLBIFPI4:${session}</AssumedRoleId><Arn>arn:aws:sts::${account}:assumed-role/${roleName}/${session}</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>${key}</AccessKeyId><SecretAccessKey>${randomBytes(20).toString('base64')}</SecretAccessKey><SessionToken>${randomBytes(32).toString('base64')}</SessionToken><Expiration>${expiration}</Expiration></Credentials>
<PackedPolicySize>6</PackedPolicySize></AssumeRoleResult><ResponseMetadata><RequestId>${randomBytes(8).toString('hex')}</RequestId></ResponseMetadata></AssumeRoleResponse>`, XML];
  }));

  const idp = `https://cognito-idp.${region}.amazonaws.com`;
  scopes.push(nock(idp).persist().get(`/${userPoolId}/.well-known/jwks.json`).reply(function () {
    record(idp, 'cognito-jwks', 'jwks', this.req.headers, {});
    return [200, { keys: [publicJwk] }];
  }));
  scopes.push(nock(idp).persist().post('/').reply(async function (_uri, raw) {
    const body = parseBody(raw);
    const operation = (header(this.req.headers, 'x-amz-target') ?? '').replace('AWSCognitoIdentityProviderService.', '');
    record(idp, 'cognito-idp', operation, this.req.headers, body);
    if (operation !== 'GetClientToken' && body.UserPoolId !== userPoolId) return awsError('ResourceNotFoundException', 'User pool does not exist.');
    switch (operation) {
      case 'DescribeResourceServer': {
        const rs = resourceServers.get(String(body.Identifier));
        return rs === undefined ? awsError('ResourceNotFoundException', 'resource server not found')
          : [200, { ResourceServer: { UserPoolId: userPoolId, Identifier: body.Identifier, Scopes: rs.scopes.map((s) => ({ ScopeName: s })) } }, JSON11];
      }
      case 'CreateResourceServer': {
        const list = (body.Scopes as { ScopeName: string }[]).map((s) => s.ScopeName);
        resourceServers.set(String(body.Identifier), { scopes: list });
        return [200, { ResourceServer: { UserPoolId: userPoolId, Identifier: body.Identifier, Name: body.Name, Scopes: body.Scopes } }, JSON11];
      }
      case 'DeleteResourceServer':
        return resourceServers.delete(String(body.Identifier)) ? [200, {}, JSON11] : awsError('ResourceNotFoundException', 'resource server not found');
      case 'CreateUserPoolClient': {
        const allowed = (body.AllowedOAuthScopes as string[] | undefined) ?? [];
        for (const s of allowed) {
          const rs = resourceServers.get(s.slice(0, s.lastIndexOf('/')));
          if (rs === undefined || !rs.scopes.includes(s.slice(s.lastIndexOf('/') + 1))) return awsError('ScopeDoesNotExistException', `Invalid scope requested: ${s}`);
        }
        const client: FakeAppClient = { clientId: randomBytes(13).toString('hex'), clientSecret: randomBytes(32).toString('base64url'), name: String(body.ClientName), scopes: allowed };
        clients.set(client.clientId, client);
        return [200, { UserPoolClient: { UserPoolId: userPoolId, ClientName: client.name, ClientId: client.clientId, ClientSecret: client.clientSecret, AllowedOAuthScopes: allowed } }, JSON11];
      }
      case 'DeleteUserPoolClient':
        return clients.delete(String(body.ClientId)) ? [200, {}, JSON11] : awsError('ResourceNotFoundException', 'app client not found');
      case 'GetClientToken': {
        const c = clients.get(String(body.ClientId));
        if (c === undefined || c.clientSecret !== body.Secret) return awsError('NotAuthorizedException', 'Incorrect client credentials');
        const wanted = (body.Scopes as string[] | undefined) ?? [...c.scopes];
        if (wanted.some((s) => !c.scopes.includes(s))) return awsError('InvalidParameterException', 'invalid scope');
        const token = await sign(c.clientId, wanted.join(' '));
        issued.push(token);
        return [200, { ClientAuthenticationResult: { AccessToken: token, ExpiresIn: lifetime, TokenType: 'Bearer' } }, JSON11];
      }
      default:
        return awsError('InvalidActionException', `unsupported operation ${operation}`);
    }
  }));

  const oauth = `https://${domain}.auth.${region}.amazoncognito.com`;
  scopes.push(nock(oauth).persist().post('/oauth2/token').reply(async function (_uri, raw) {
    const body = parseBody(raw);
    record(oauth, 'cognito-oauth2', 'token', this.req.headers, { grant_type: body.grant_type, scope: body.scope });
    const basic = /^Basic (.+)$/.exec(header(this.req.headers, 'authorization') ?? '');
    const [id, secret] = basic === null ? [] : Buffer.from(basic[1], 'base64').toString('utf8').split(':');
    const c = id === undefined ? undefined : clients.get(id);
    if (c === undefined || c.clientSecret !== secret) return [400, { error: 'invalid_client' }];
    if (body.grant_type !== 'client_credentials') return [400, { error: 'unsupported_grant_type' }];
    const wanted = typeof body.scope === 'string' ? body.scope.split(' ') : [...c.scopes];
    if (wanted.some((s) => !c.scopes.includes(s))) return [400, { error: 'invalid_scope' }];
    const token = await sign(c.clientId, wanted.join(' '));
    issued.push(token);
    return [200, { access_token: token, expires_in: lifetime, token_type: 'Bearer' }];
  }));

  const sm = `https://secretsmanager.${region}.amazonaws.com`;
  scopes.push(nock(sm).persist().post('/').reply(function (_uri, raw) {
    const body = parseBody(raw);
    const operation = (header(this.req.headers, 'x-amz-target') ?? '').replace('secretsmanager.', '');
    record(sm, 'secretsmanager', operation, this.req.headers, body);
    switch (operation) {
      case 'CreateSecret': {
        const name = String(body.Name);
        if (secrets.has(name)) return awsError('ResourceExistsException', 'the secret already exists');
        const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${name}-${randomBytes(3).toString('hex')}`;
        secrets.set(name, { arn, value: String(body.SecretString), tags: body.Tags });
        return [200, { ARN: arn, Name: name, VersionId: 'v1' }, JSON11];
      }
      case 'GetSecretValue': {
        const s = secrets.get(String(body.SecretId));
        if (s === undefined) return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        return [200, { ARN: s.arn, Name: body.SecretId, VersionId: 'v1', SecretString: s.value, VersionStages: ['AWSCURRENT'], CreatedDate: 1523477145.713 }, JSON11];
      }
      case 'DeleteSecret': {
        const s = secrets.get(String(body.SecretId));
        if (s === undefined) return awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
        secrets.delete(String(body.SecretId));
        return [200, { ARN: s.arn, Name: body.SecretId, DeletionDate: Date.now() / 1000 }, JSON11];
      }
      default:
        return awsError('InvalidRequestException', `unsupported operation ${operation}`);
    }
  }));

  return {
    options, calls, issued, resourceServers, clients, secrets, assumed, publicJwk, sign,
    count(filter = {}) {
      return calls.filter((c) => (filter.service === undefined || c.service === filter.service) && (filter.operation === undefined || c.operation === filter.operation)).length;
    },
    reset() {
      calls.length = 0;
      issued.length = 0;
    },
    close() {
      for (const s of scopes) s.persist(false);
      nock.cleanAll();
    },
  };
}

/** Blocks every outbound connection except loopback (the runtimes and local PostgreSQL). */
export function lockNetworkToLoopback(): void {
  nock.disableNetConnect();
  nock.enableNetConnect(/127\.0\.0\.1|localhost/);
}

/** Static credentials for the connector's own identity, read by the SDK's default provider chain (env). */
export const CONNECTOR_OWN_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIACONNECTOREXAMPLE', AWS_SECRET_ACCESS_KEY: 'connectorOwnSecretKeyEXAMPLE' } as const;
