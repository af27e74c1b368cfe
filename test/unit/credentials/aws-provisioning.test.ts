// Tests: AWS onboarding/offboarding over nock.
import nock from '../../support/nock';
import { createAwsCallCounter, createAwsClientFactory } from '../../../connector/credentials/aws/aws-clients';
import { createAwsTenantProvisioning } from '../../../connector/credentials/aws/provisioning';
import { JSON11, XML, createRecorder, lockNetwork, stsErrorXml, stsXml } from './support/aws-fixtures';
import { captureLogs } from './support/log-capture';

const IDP = 'https://cognito-idp.eu-central-1.amazonaws.com';
const SM = 'https://secretsmanager.eu-central-1.amazonaws.com';
const STS = 'https://sts.eu-central-1.amazonaws.com';
const NEW_SECRET = 'generated-client-secret-abcdefghijklmnop';
const input = { tenantId: 'tenant-a', region: 'eu-central-1', roleArn: 'arn:aws:iam::111111111111:role/pcf-tenant-a', userPoolId: 'eu-central-1_PoolA', domain: 'pool-a', tokenMode: 'token-endpoint' as const };

describe('AWS tenant provisioning (Cognito IdP, Secrets Manager, STS role check over nock)', () => {
  let rec: ReturnType<typeof createRecorder>;
  let logs: ReturnType<typeof captureLogs>;
  const counter = createAwsCallCounter();
  const provisioning = () => createAwsTenantProvisioning({
    clients: createAwsClientFactory({ credentials: { accessKeyId: 'AKIACONNECTOREXAMPLE', secretAccessKey: 'connectorOwnSecretEXAMPLE' } }), logger: logs.logger, counter,
  });
  function json(host: string, target: string, status: number, body: Record<string, unknown>): void {
    nock(host).post('/').matchHeader('x-amz-target', target).reply(function (uri, reqBody) { rec.record(host, uri, this.req.headers, reqBody); return [status, body, JSON11]; });
  }
  function sts(status = 200): void {
    nock(STS).post('/').reply(function (uri, body) { rec.record(STS, uri, this.req.headers, body); return status === 200 ? [200, stsXml('tenant-a', new Date(Date.now() + 900_000)), XML] : [403, stsErrorXml('AccessDenied'), XML]; });
  }
  const bodyOf = (target: string) => JSON.parse(rec.seen.find((s) => s.target === target)!.body) as Record<string, unknown>;

  beforeAll(() => lockNetwork());
  beforeEach(() => { nock.cleanAll(); rec = createRecorder(); logs = captureLogs(); counter.reset(); });
  afterAll(() => { nock.cleanAll(); nock.enableNetConnect(); });

  it('onboards: role check, resource server, client-credentials app client, secret under the tenant path', async () => {
    sts();
    json(IDP, 'AWSCognitoIdentityProviderService.DescribeResourceServer', 400, { __type: 'ResourceNotFoundException', message: 'none' });
    json(IDP, 'AWSCognitoIdentityProviderService.CreateResourceServer', 200, { ResourceServer: { Identifier: 'pcf-exchange/tenant-a' } });
    json(IDP, 'AWSCognitoIdentityProviderService.CreateUserPoolClient', 200, { UserPoolClient: { ClientId: 'newclientid0000000000000aa', ClientSecret: NEW_SECRET } });
    json(SM, 'secretsmanager.CreateSecret', 200, { ARN: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:pcf/tenants/tenant-a/cognito-client-AbCdEf', Name: 'pcf/tenants/tenant-a/cognito-client' });
    const r = await provisioning().onboard(input);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ region: 'eu-central-1', roleArn: input.roleArn, secretId: 'pcf/tenants/tenant-a/cognito-client',
      cognito: { userPoolId: 'eu-central-1_PoolA', domain: 'pool-a', clientId: 'newclientid0000000000000aa', scope: 'pcf-exchange/tenant-a/footprints.read', tokenMode: 'token-endpoint' } });
    expect(new URLSearchParams(rec.seen[0].body).get('RoleArn')).toBe(input.roleArn);
    expect(bodyOf('AWSCognitoIdentityProviderService.CreateResourceServer')).toMatchObject({ UserPoolId: 'eu-central-1_PoolA', Identifier: 'pcf-exchange/tenant-a', Scopes: [{ ScopeName: 'footprints.read' }] });
    expect(bodyOf('AWSCognitoIdentityProviderService.CreateUserPoolClient')).toMatchObject({ GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['pcf-exchange/tenant-a/footprints.read'], AllowedOAuthFlowsUserPoolClient: true });
    const secret = bodyOf('secretsmanager.CreateSecret');
    expect(secret.Name).toBe('pcf/tenants/tenant-a/cognito-client');
    expect(JSON.parse(secret.SecretString as string)).toEqual({ clientId: 'newclientid0000000000000aa', clientSecret: NEW_SECRET });
    for (const s of rec.seen) expect(s.host).toContain('eu-central-1');
    expect(logs.text()).not.toContain(NEW_SECRET);
    expect(counter.count({ tenantId: 'tenant-a' })).toBe(5);
  });

  it('get-client-token mode asks for ALLOW_CLIENT_TOKEN_AUTH as the only explicit flow', async () => {
    sts();
    json(IDP, 'AWSCognitoIdentityProviderService.DescribeResourceServer', 200, { ResourceServer: { Identifier: 'pcf-exchange/tenant-a' } });
    json(IDP, 'AWSCognitoIdentityProviderService.CreateUserPoolClient', 200, { UserPoolClient: { ClientId: 'newclientid0000000000000aa', ClientSecret: NEW_SECRET } });
    json(SM, 'secretsmanager.CreateSecret', 200, {});
    const r = await provisioning().onboard({ ...input, domain: undefined, tokenMode: 'get-client-token' });
    expect(r.ok).toBe(true);
    expect(bodyOf('AWSCognitoIdentityProviderService.CreateUserPoolClient').ExplicitAuthFlows).toEqual(['ALLOW_CLIENT_TOKEN_AUTH']);
  });

  it('refuses a role the connector cannot assume before creating anything', async () => {
    sts(403);
    const r = await provisioning().onboard(input);
    expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
    expect(rec.seen).toHaveLength(1);
  });

  it('rejects invalid input (pool in another region) without any AWS call', async () => {
    const r = await provisioning().onboard({ ...input, userPoolId: 'us-east-1_PoolA' });
    expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
    expect(counter.count()).toBe(0);
  });

  it('deletes the new app client when the secret cannot be stored', async () => {
    sts();
    json(IDP, 'AWSCognitoIdentityProviderService.DescribeResourceServer', 200, {});
    json(IDP, 'AWSCognitoIdentityProviderService.CreateUserPoolClient', 200, { UserPoolClient: { ClientId: 'newclientid0000000000000aa', ClientSecret: NEW_SECRET } });
    json(SM, 'secretsmanager.CreateSecret', 400, { __type: 'ResourceExistsException', Message: 'exists' });
    json(IDP, 'AWSCognitoIdentityProviderService.DeleteUserPoolClient', 200, {});
    const r = await provisioning().onboard(input);
    expect(r).toMatchObject({ ok: false, reason: 'conflict' });
    expect(bodyOf('AWSCognitoIdentityProviderService.DeleteUserPoolClient')).toEqual({ UserPoolId: 'eu-central-1_PoolA', ClientId: 'newclientid0000000000000aa' });
  });

  it('offboards: deletes app client, secret (no recovery) and resource server; already-gone parts are fine', async () => {
    const settings = { region: 'eu-central-1', roleArn: input.roleArn, secretId: 'pcf/tenants/tenant-a/cognito-client',
      cognito: { userPoolId: 'eu-central-1_PoolA', clientId: 'newclientid0000000000000aa', scope: 'pcf-exchange/tenant-a/footprints.read', tokenMode: 'token-endpoint' as const, domain: 'pool-a' } };
    json(IDP, 'AWSCognitoIdentityProviderService.DeleteUserPoolClient', 400, { __type: 'ResourceNotFoundException', message: 'gone' });
    json(SM, 'secretsmanager.DeleteSecret', 200, { Name: settings.secretId });
    json(IDP, 'AWSCognitoIdentityProviderService.DeleteResourceServer', 200, {});
    const r = await provisioning().offboard('tenant-a', settings);
    expect(r.ok).toBe(true);
    expect(bodyOf('secretsmanager.DeleteSecret')).toEqual({ SecretId: settings.secretId, ForceDeleteWithoutRecovery: true });
    expect(bodyOf('AWSCognitoIdentityProviderService.DeleteResourceServer')).toEqual({ UserPoolId: 'eu-central-1_PoolA', Identifier: 'pcf-exchange/tenant-a' });
    json(IDP, 'AWSCognitoIdentityProviderService.DeleteUserPoolClient', 400, { __type: 'NotAuthorizedException', message: 'no' });
    json(SM, 'secretsmanager.DeleteSecret', 200, {});
    json(IDP, 'AWSCognitoIdentityProviderService.DeleteResourceServer', 200, {});
    expect(await provisioning().offboard('tenant-a', settings)).toMatchObject({ ok: false, reason: 'conflict' });
  });
});
