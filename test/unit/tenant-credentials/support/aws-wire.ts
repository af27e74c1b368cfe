// nock interceptors for one tenant's AWS calls (STS, Secrets Manager, Cognito IdP, OAuth2 token, JWKS), recording every request.
import nock from '../../../support/nock';
import type { AwsTenantSettings } from '../../../../connector/credentials/aws/tenant-settings';
import { JSON11, XML, stsErrorXml, stsXml, type CognitoSigner, type SeenRequest } from '../../credentials/support/aws-fixtures';

export interface AwsWire {
  /** Every request nock answered, in order. */
  readonly seen: SeenRequest[];
  /** Access tokens handed out by the Cognito interceptors. */
  readonly issued: string[];
  /** STS AssumeRole in `region`: the tenant's temporary credentials, or an error code with HTTP 403. */
  sts(region: string, assumedAs: string, error?: string): nock.Scope;
  /** A JSON 1.1 call (`x-amz-target`) on `host` answered with `status` and `body`. */
  json(host: string, target: string, status: number, body: Record<string, unknown>): nock.Scope;
  /** GetSecretValue answering `{clientId, clientSecret}` for `settings`. */
  secret(settings: AwsTenantSettings, clientSecret: string): nock.Scope;
  /** The user pool's OAuth2 token endpoint issuing a signed Cognito access token. */
  oauth(settings: AwsTenantSettings, signer: CognitoSigner, nowSeconds: number): nock.Scope;
  /** Cognito IdP GetClientToken issuing a signed access token. */
  clientToken(settings: AwsTenantSettings, signer: CognitoSigner, nowSeconds: number): nock.Scope;
  /** The user pool's JWKS. */
  jwks(settings: AwsTenantSettings, signer: CognitoSigner): nock.Scope;
  /** Parsed JSON body of the first recorded call with `target`. */
  bodyOf(target: string): Record<string, unknown>;
  /** Hosts of all recorded requests. */
  hosts(): string[];
}

export function createAwsWire(): AwsWire {
  const seen: SeenRequest[] = [];
  const issued: string[] = [];
  const header = (headers: Record<string, unknown>, name: string): string | undefined => {
    const v = headers[name];
    return Array.isArray(v) ? String(v[0]) : v === undefined ? undefined : String(v);
  };
  function record(host: string, path: string, headers: Record<string, unknown>, body: unknown): void {
    const target = header(headers, 'x-amz-target');
    const authorization = header(headers, 'authorization');
    const securityToken = header(headers, 'x-amz-security-token');
    seen.push({ host, path, body: typeof body === 'string' ? body : JSON.stringify(body),
      ...(target === undefined ? {} : { target }), ...(authorization === undefined ? {} : { authorization }), ...(securityToken === undefined ? {} : { securityToken }) });
  }
  const idp = (s: AwsTenantSettings) => `https://cognito-idp.${s.region}.amazonaws.com`;
  return {
    seen,
    issued,
    sts(region, assumedAs, error) {
      const host = `https://sts.${region}.amazonaws.com`;
      return nock(host).post('/').reply(function (uri, body) {
        record(host, uri, this.req.headers, body);
        return error === undefined ? [200, stsXml(assumedAs, new Date(Date.now() + 3600_000)), XML] : [403, stsErrorXml(error), XML];
      });
    },
    json(host, target, status, body) {
      return nock(host).post('/').matchHeader('x-amz-target', target).reply(function (uri, reqBody) {
        record(host, uri, this.req.headers, reqBody);
        return [status, body, JSON11];
      });
    },
    secret(settings, clientSecret) {
      const host = `https://secretsmanager.${settings.region}.amazonaws.com`;
      return this.json(host, 'secretsmanager.GetSecretValue', 200, {
        ARN: `arn:aws:secretsmanager:${settings.region}:111111111111:secret:${settings.secretId}-AbCdEf`, Name: settings.secretId, VersionId: 'v1',
        SecretString: JSON.stringify({ clientId: settings.cognito.clientId, clientSecret }), VersionStages: ['AWSCURRENT'], CreatedDate: 1523477145.713,
      });
    },
    oauth(settings, signer, nowSeconds) {
      const host = `https://${settings.cognito.domain ?? 'none'}.auth.${settings.region}.amazoncognito.com`;
      return nock(host).post('/oauth2/token').reply(async function (uri, body) {
        record(host, uri, this.req.headers, body);
        const token = await signer.token(settings, nowSeconds);
        issued.push(token);
        return [200, { access_token: token, expires_in: 3600, token_type: 'Bearer' }];
      });
    },
    clientToken(settings, signer, nowSeconds) {
      const host = idp(settings);
      return nock(host).post('/').matchHeader('x-amz-target', 'AWSCognitoIdentityProviderService.GetClientToken').reply(async function (uri, body) {
        record(host, uri, this.req.headers, body);
        const token = await signer.token(settings, nowSeconds);
        issued.push(token);
        return [200, { ClientAuthenticationResult: { AccessToken: token, ExpiresIn: 3600, TokenType: 'Bearer' } }, JSON11];
      });
    },
    jwks(settings, signer) {
      const host = idp(settings);
      return nock(host).get(`/${settings.cognito.userPoolId}/.well-known/jwks.json`).reply(function (uri) {
        record(host, uri, this.req.headers, '');
        return [200, { keys: [signer.publicJwk] }];
      });
    },
    bodyOf(target) {
      const call = seen.find((s) => s.target === target);
      if (call === undefined) throw new Error(`no ${target} call recorded`);
      return JSON.parse(call.body) as Record<string, unknown>;
    },
    hosts: () => seen.map((s) => s.host),
  };
}
