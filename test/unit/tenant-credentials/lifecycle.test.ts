// Tests: onboarding/offboarding through createTenantService with the credential hooks, on the runtime's database (both engines), AWS over nock.
import { randomBytes } from 'node:crypto';
import nock from '../../support/nock';
import { createAwsClientFactory } from '../../../connector/credentials/aws/aws-clients';
import type { AwsTenantSettings } from '../../../connector/credentials/aws/tenant-settings';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { createTenantCredentials, type TenantCredentials } from '../../../connector/credentials/tenant/tenant-credentials';
import type { MintResult } from '../../../connector/credentials/token-minter';
import { createTenantService, type TenantService } from '../../../connector/tenancy/tenant-service';
import { testEngines } from '../../support/databases';
import { startTestRuntime, type TestRuntime } from '../../support/runtime';
import { createCognitoSigner, lockNetwork, type CognitoSigner } from '../credentials/support/aws-fixtures';
import { captureLogs } from '../credentials/support/log-capture';
import { createAwsWire, type AwsWire } from './support/aws-wire';

const IDP = 'https://cognito-idp.eu-central-1.amazonaws.com';
const SM = 'https://secretsmanager.eu-central-1.amazonaws.com';
const NEW_CLIENT = 'newclientid0000000000000aa';
const NEW_SECRET = 'generated-client-secret-abcdefghijklmnop';
const ROLE = 'arn:aws:iam::111111111111:role/pcf-tenant-a';
const META = { actor: 'operator:test' };
const AWS_BODY = { region: 'eu-central-1', roleArn: ROLE, externalId: 'ext-a', cognito: { userPoolId: 'eu-central-1_PoolA', domain: 'pool-a', tokenMode: 'token-endpoint' } };
const PROVISIONED: AwsTenantSettings = {
  region: 'eu-central-1', roleArn: ROLE, externalId: 'ext-a', secretId: 'pcf/tenants/tenant-a/cognito-client',
  cognito: { userPoolId: 'eu-central-1_PoolA', domain: 'pool-a', clientId: NEW_CLIENT, scope: 'pcf-exchange/tenant-a/footprints.read', tokenMode: 'token-endpoint' },
};
const mintReq = (tenantId: string) => ({ tenantId, agreementId: 'agr-1', transferId: 'tp-1', consumer: { did: 'did:web:oem.example' } });
const tokenOf = (r: MintResult): string => {
  if (!r.ok) throw new Error(`expected a token, got ${r.code}: ${r.message}`);
  return r.value.token;
};

describe.each(testEngines())('tenant credential hooks through the tenant service (%s)', (engine) => {
  let rt: TestRuntime;
  let signer: CognitoSigner;
  let keyStore: LocalKeyStore;
  let wire: AwsWire;
  let logs: ReturnType<typeof captureLogs>;
  const masterKey = randomBytes(32);

  function setup(provisioning: boolean): { creds: TenantCredentials; tenants: TenantService } {
    const creds = createTenantCredentials({
      db: rt.runtime.db, keyStore, publicUrl: 'http://127.0.0.1', logger: logs.logger,
      aws: {
        provisioning,
        clientFactory: createAwsClientFactory({ credentials: { accessKeyId: 'AKIACONNECTOREXAMPLE', secretAccessKey: 'connectorOwnSecretEXAMPLE' } }),
        minter: { retry: { sleep: async () => undefined } },
      },
    });
    const tenants = createTenantService({
      db: rt.runtime.db, allowedRegions: ['eu-central-1', 'eu-west-1'], defaultRegion: 'eu-central-1', pseudonymKey: randomBytes(32), hooks: creds.hooks,
    });
    return { creds, tenants };
  }

  function provisioningCalls(): void {
    wire.sts('eu-central-1', 'tenant-a');
    wire.json(IDP, 'AWSCognitoIdentityProviderService.DescribeResourceServer', 400, { __type: 'ResourceNotFoundException', message: 'none' });
    wire.json(IDP, 'AWSCognitoIdentityProviderService.CreateResourceServer', 200, { ResourceServer: { Identifier: 'pcf-exchange/tenant-a' } });
    wire.json(IDP, 'AWSCognitoIdentityProviderService.CreateUserPoolClient', 200, { UserPoolClient: { ClientId: NEW_CLIENT, ClientSecret: NEW_SECRET } });
    wire.json(SM, 'secretsmanager.CreateSecret', 200, { ARN: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:pcf/tenants/tenant-a/cognito-client-AbCdEf', Name: PROVISIONED.secretId });
  }

  beforeAll(async () => {
    lockNetwork();
    signer = await createCognitoSigner();
    rt = await startTestRuntime(engine);
    keyStore = createLocalKeyStore({ db: rt.runtime.db, masterKey });
  });
  beforeEach(() => {
    nock.cleanAll();
    wire = createAwsWire();
    logs = captureLogs();
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await rt.close();
  });

  it('onboards an aws tenant: role check, resource server, app client and secret; stores the returned settings, which then drive minting', async () => {
    const { creds, tenants } = setup(true);
    provisioningCalls();
    const r = await tenants.onboard({ id: 'tenant-a', displayName: 'Supplier A', bpn: 'BPNL00000000000A', region: 'eu-central-1', credentialMode: 'aws', aws: AWS_BODY }, META);
    if (!r.ok) console.error('ONBOARD FAILED', JSON.stringify(r));
    expect(r).toMatchObject({ ok: true, value: { tenant: { id: 'tenant-a', credentialMode: 'aws', awsSettings: PROVISIONED } } });
    expect((await tenants.get('tenant-a'))?.awsSettings).toEqual(PROVISIONED);
    expect(wire.seen.map((s) => s.target ?? 'sts')).toEqual(['sts', 'AWSCognitoIdentityProviderService.DescribeResourceServer', 'AWSCognitoIdentityProviderService.CreateResourceServer',
      'AWSCognitoIdentityProviderService.CreateUserPoolClient', 'secretsmanager.CreateSecret']);
    expect(new URLSearchParams(wire.seen[0].body).get('RoleArn')).toBe(ROLE);
    expect(wire.bodyOf('AWSCognitoIdentityProviderService.CreateUserPoolClient')).toMatchObject({ UserPoolId: 'eu-central-1_PoolA', AllowedOAuthScopes: [PROVISIONED.cognito.scope] });
    expect(JSON.parse(wire.bodyOf('secretsmanager.CreateSecret').SecretString as string)).toEqual({ clientId: NEW_CLIENT, clientSecret: NEW_SECRET });
    for (const host of wire.hosts()) expect(host).toContain('eu-central-1');
    expect(creds.awsCallCounter.count({ tenantId: 'tenant-a' })).toBe(5);

    wire.sts('eu-central-1', 'tenant-a'); wire.secret(PROVISIONED, NEW_SECRET); wire.oauth(PROVISIONED, signer, Math.floor(Date.now() / 1000)); wire.jwks(PROVISIONED, signer);
    const token = tokenOf(await creds.minter.mint(mintReq('tenant-a')));
    expect(wire.bodyOf('secretsmanager.GetSecretValue')).toEqual({ SecretId: PROVISIONED.secretId });
    expect(await creds.verifier.verify('tenant-a', token)).toMatchObject({ ok: true, value: { clientId: NEW_CLIENT } });
    expect(logs.text()).not.toContain(NEW_SECRET);
    expect(logs.text()).not.toContain(token);
  });

  it('refuses a second onboarding of the same id before any AWS call', async () => {
    const { tenants } = setup(true);
    const r = await tenants.onboard({ id: 'tenant-a', displayName: 'Again', bpn: 'BPNL0000000AGAIN', region: 'eu-central-1', credentialMode: 'aws', aws: AWS_BODY }, META);
    expect(r).toMatchObject({ ok: false, reason: 'conflict' });
    expect(wire.seen).toHaveLength(0);
  });

  it('a refused AssumeRole is a bad-request naming roleArn and the AWS outcome; nothing created, no tenant row', async () => {
    const { tenants } = setup(true);
    wire.sts('eu-central-1', 'tenant-a', 'AccessDenied');
    const body = { ...AWS_BODY, roleArn: 'arn:aws:iam::111111111111:role/pcf-tenant-x' };
    const r = await tenants.onboard({ id: 'tenant-x', displayName: 'Supplier X', bpn: 'BPNL00000000000X', region: 'eu-central-1', credentialMode: 'aws', aws: body }, META);
    expect(r).toMatchObject({ ok: false, reason: 'bad-request', message: expect.stringMatching(/roleArn.*AccessDenied/), details: [{ path: '/aws/roleArn' }] });
    expect(wire.seen).toHaveLength(1);
    expect(await tenants.get('tenant-x')).toBeUndefined();
  });

  it('invalid aws bodies are bad-requests naming each field, without AWS calls', async () => {
    const { tenants } = setup(true);
    const body = { region: 'eu-central-1', roleArn: 'not-an-arn', secretId: 'pcf/tenants/tenant-y/mine', cognito: { userPoolId: 'us-east-1_Pool', tokenMode: 'token-endpoint', clientId: 'x' } };
    const r = await tenants.onboard({ id: 'tenant-y', displayName: 'Y', bpn: 'BPNL00000000000Y', credentialMode: 'aws', aws: body }, META);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('bad-request');
    expect((r.details as { path: string }[]).map((d) => d.path).sort()).toEqual(['/aws/cognito/clientId', '/aws/cognito/domain', '/aws/cognito/userPoolId', '/aws/roleArn', '/aws/secretId']);
    const failed = createTenantService({ db: rt.runtime.db, allowedRegions: ['eu-central-1'], defaultRegion: 'eu-central-1', pseudonymKey: randomBytes(32), hooks: setup(false).creds.hooks });
    expect(await failed.onboard({ id: 'tenant-y', displayName: 'Y', bpn: 'BPNL00000000000Y', credentialMode: 'aws', aws: 'nope' }, META))
      .toMatchObject({ ok: false, reason: 'bad-request', details: [{ path: '/aws' }] });
    expect(wire.seen).toHaveLength(0);
    expect(await failed.get('tenant-y')).toBeUndefined();
  });

  it('offboarding an aws tenant deletes its app client, secret and resource server, then erases it', async () => {
    const { creds, tenants } = setup(true);
    wire.json(IDP, 'AWSCognitoIdentityProviderService.DeleteUserPoolClient', 200, {});
    wire.json(SM, 'secretsmanager.DeleteSecret', 200, { Name: PROVISIONED.secretId });
    wire.json(IDP, 'AWSCognitoIdentityProviderService.DeleteResourceServer', 200, {});
    const r = await tenants.offboard('tenant-a', META);
    expect(r).toMatchObject({ ok: true, value: { removed: { tenants: 1 } } });
    expect(wire.bodyOf('AWSCognitoIdentityProviderService.DeleteUserPoolClient')).toEqual({ UserPoolId: 'eu-central-1_PoolA', ClientId: NEW_CLIENT });
    expect(wire.bodyOf('secretsmanager.DeleteSecret')).toEqual({ SecretId: PROVISIONED.secretId, ForceDeleteWithoutRecovery: true });
    expect(wire.bodyOf('AWSCognitoIdentityProviderService.DeleteResourceServer')).toEqual({ UserPoolId: 'eu-central-1_PoolA', Identifier: 'pcf-exchange/tenant-a' });
    expect(await tenants.get('tenant-a')).toBeUndefined();
    expect(await creds.minter.mint(mintReq('tenant-a'))).toMatchObject({ ok: false, code: 'tenant-not-configured' });
  });

  it('an incomplete AWS cleanup does not block erasure; the leftovers are logged without secrets', async () => {
    const { tenants } = setup(true);
    provisioningCalls();
    expect((await tenants.onboard({ id: 'tenant-a', displayName: 'A', bpn: 'BPNL00000000000A', credentialMode: 'aws', aws: AWS_BODY }, META)).ok).toBe(true);
    wire.json(IDP, 'AWSCognitoIdentityProviderService.DeleteUserPoolClient', 200, {});
    wire.json(SM, 'secretsmanager.DeleteSecret', 400, { __type: 'AccessDeniedException', Message: 'no' });
    wire.json(IDP, 'AWSCognitoIdentityProviderService.DeleteResourceServer', 200, {});
    expect((await tenants.offboard('tenant-a', META)).ok).toBe(true);
    expect(await tenants.get('tenant-a')).toBeUndefined();
    expect(logs.text()).toMatch(/aws offboarding incomplete; remove the leftovers by hand.*DeleteSecret failed \(AccessDeniedException\)/);
    expect(logs.text()).toContain(PROVISIONED.secretId);
    expect(logs.text()).not.toContain(NEW_SECRET);
  });

  it('local tenants: no AWS at onboarding; after erasure their keys are gone and their tokens are refused', async () => {
    const { creds, tenants } = setup(true);
    expect(await tenants.onboard({ id: 'sup-local', displayName: 'Local', bpn: 'BPNL0000000LOCAL', credentialMode: 'local' }, META))
      .toMatchObject({ ok: true, value: { tenant: { credentialMode: 'local', awsSettings: null } } });
    const token = tokenOf(await creds.minter.mint(mintReq('sup-local')));
    expect((await creds.verifier.verify('sup-local', token)).ok).toBe(true);
    const keyRows = () => rt.runtime.db.withTenant('sup-local', (tx) => tx.query<{ n: number }>('SELECT count(*)::int AS n FROM credential_signing_keys'));
    expect((await keyRows())[0].n).toBeGreaterThan(0);
    expect((await tenants.offboard('sup-local', META)).ok).toBe(true);
    expect((await keyRows())[0].n).toBe(0);
    expect(await rt.runtime.db.withTenant('sup-local', (tx) => tx.query('SELECT 1 FROM credential_data_keys'))).toHaveLength(0);
    expect(await keyStore.publicJwks('sup-local', 'data-plane')).toEqual([]);
    expect(await creds.verifier.verify('sup-local', token)).toMatchObject({ ok: false, code: 'unknown-tenant' });
    expect(wire.seen).toHaveLength(0);
    expect(creds.awsCallCounter.count()).toBe(0);
  });

  it('without provisioning, aws settings are validated and stored as given; offboarding leaves operator-managed AWS resources alone', async () => {
    const { creds, tenants } = setup(false);
    const given = { ...PROVISIONED, roleArn: 'arn:aws:iam::111111111111:role/pcf-tenant-b', secretId: 'pcf/tenants/tenant-b/cognito-client',
      cognito: { ...PROVISIONED.cognito, scope: 'pcf-exchange/tenant-b/footprints.read' } };
    const r = await tenants.onboard({ id: 'tenant-b', displayName: 'B', bpn: 'BPNL00000000000B', credentialMode: 'aws', aws: given }, META);
    expect(r).toMatchObject({ ok: true, value: { tenant: { awsSettings: given } } });
    expect(await tenants.onboard({ id: 'tenant-z', displayName: 'Z', bpn: 'BPNL00000000000Z', credentialMode: 'aws', aws: { ...given, secretId: 'pcf/tenants/tenant-b/cognito-client' } }, META))
      .toMatchObject({ ok: false, reason: 'bad-request', details: [{ path: '/aws/secretId' }] });
    expect(await tenants.onboard({ id: 'tenant-w', displayName: 'W', bpn: 'BPNL00000000000W', region: 'eu-west-1', credentialMode: 'aws', aws: { ...given, secretId: 'pcf/tenants/tenant-w/c' } }, META))
      .toMatchObject({ ok: false, reason: 'bad-request', details: [{ path: '/aws/region' }] });
    expect((await tenants.offboard('tenant-b', META)).ok).toBe(true);
    expect(await tenants.get('tenant-b')).toBeUndefined();
    expect(wire.seen).toHaveLength(0);
    expect(creds.awsCallCounter.count()).toBe(0);
  });
});
