// Tests: one minter and one verifier for local and aws tenants route by each tenant's record; aws calls stay in the tenant's region, role and secret.
import { randomBytes } from 'node:crypto';
import nock from '../../support/nock';
import { createAwsClientFactory } from '../../../connector/credentials/aws/aws-clients';
import type { AwsTenantSettings } from '../../../connector/credentials/aws/tenant-settings';
import { createLocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import { createTenantCredentials, type TenantCredentials } from '../../../connector/credentials/tenant/tenant-credentials';
import type { MintedToken, MintRequest, MintResult } from '../../../connector/credentials/token-minter';
import { openTestDatabase, type TestDatabase } from '../../support/databases';
import { ASSUMED, SECRETS, TENANT_A, TENANT_B, createCognitoSigner, lockNetwork, type CognitoSigner } from '../credentials/support/aws-fixtures';
import { captureLogs } from '../credentials/support/log-capture';
import { createAwsWire, type AwsWire } from './support/aws-wire';

const PUBLIC_URL = 'https://connector.example.com';
const req = (tenantId: string, n = 1): MintRequest => ({ tenantId, agreementId: `agr-${n}`, transferId: `tp-${n}`, consumer: { did: 'did:web:oem.example', bpn: 'BPNL00000000OEM1' } });

function minted(r: MintResult): MintedToken {
  if (!r.ok) throw new Error(`expected a token, got ${r.code}: ${r.message}`);
  return r.value;
}

async function addTenant(db: TestDatabase, id: string, bpn: string, region: string, mode: 'local' | 'aws', aws?: AwsTenantSettings | Record<string, unknown>): Promise<void> {
  await db.withSystem((tx) => tx.query('INSERT INTO tenants (id, display_name, bpn, region, credential_mode, aws_settings) VALUES ($1, $1, $2, $3, $4, $5)',
    [id, bpn, region, mode, aws === undefined ? null : JSON.stringify(aws)]));
}

describe('tenant credentials: routing by credential mode (local + aws tenants, nock on the AWS wire)', () => {
  let db: TestDatabase;
  let signer: CognitoSigner;
  let creds: TenantCredentials;
  let wire: AwsWire;
  let t = Date.now();
  const now = () => new Date(t);
  const logs = captureLogs();
  const masterKey = randomBytes(32);

  beforeAll(async () => {
    lockNetwork();
    signer = await createCognitoSigner();
    db = await openTestDatabase('pglite');
    await addTenant(db, 'sup-local', 'BPNL0000000LOCAL', 'eu-central-1', 'local');
    await addTenant(db, 'sup-other', 'BPNL0000000OTHER', 'eu-central-1', 'local');
    await addTenant(db, 'tenant-a', 'BPNL00000000000A', 'eu-central-1', 'aws', TENANT_A);
    await addTenant(db, 'tenant-b', 'BPNL00000000000B', 'eu-west-1', 'aws', TENANT_B);
    // Stored settings pointing at another tenant's secret: must never be used.
    await addTenant(db, 'tenant-c', 'BPNL00000000000C', 'eu-central-1', 'aws', { ...TENANT_A, secretId: 'pcf/tenants/tenant-a/cognito-client' });
  });
  beforeEach(() => {
    nock.cleanAll();
    t = Date.now();
    wire = createAwsWire();
    const keyStore = createLocalKeyStore({ db, masterKey, now });
    creds = createTenantCredentials({
      db, keyStore, publicUrl: PUBLIC_URL, logger: logs.logger, now,
      aws: {
        provisioning: false,
        clientFactory: createAwsClientFactory({ credentials: { accessKeyId: 'AKIACONNECTOREXAMPLE', secretAccessKey: 'connectorOwnSecretEXAMPLE' } }),
        minter: { retry: { sleep: async () => undefined } },
      },
    });
  });
  afterAll(async () => {
    nock.cleanAll();
    nock.enableNetConnect();
    await db.close();
  });

  it('a local tenant gets a locally signed token that only its own verifier accepts; no AWS call', async () => {
    const local = minted(await creds.minter.mint(req('sup-local')));
    expect(local).toMatchObject({ issuer: 'local', binding: { kind: 'jti' } });
    expect(local.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await creds.verifier.verify('sup-local', local.token)).toMatchObject({ ok: true, value: { kind: 'local', tenantId: 'sup-local', transferId: 'tp-1' } });
    expect(await creds.verifier.verify('sup-other', local.token)).toMatchObject({ ok: false, code: 'wrong-tenant' });
    expect(await creds.verifier.verify('tenant-a', local.token)).toMatchObject({ ok: false, code: 'unsupported-alg' });
    expect(creds.awsCallCounter.count()).toBe(0);
    expect(wire.seen).toHaveLength(0);
  });

  it('an aws tenant (token endpoint) goes STS → Secrets Manager → Cognito in its own region, role and secret; only its verifier accepts the token', async () => {
    const scopes = [wire.sts('eu-central-1', 'tenant-a'), wire.secret(TENANT_A, SECRETS['tenant-a']), wire.oauth(TENANT_A, signer, Math.floor(t / 1000))];
    const token = minted(await creds.minter.mint(req('tenant-a')));
    for (const s of scopes) expect(s.isDone()).toBe(true);
    expect(token).toMatchObject({ issuer: 'cognito', token: wire.issued[0], binding: { kind: 'token-hash' } });
    expect(token.refreshToken).toBeUndefined();
    for (const host of wire.hosts()) expect(host).toContain('eu-central-1');
    const [sts, sm] = wire.seen;
    expect(new URLSearchParams(sts.body).get('RoleArn')).toBe(TENANT_A.roleArn);
    expect(new URLSearchParams(sts.body).get('ExternalId')).toBe('ext-a');
    expect(JSON.parse(sm.body)).toEqual({ SecretId: TENANT_A.secretId });
    expect(sm.authorization).toContain(`Credential=${ASSUMED['tenant-a'].key}/`);

    wire.jwks(TENANT_A, signer);
    expect(await creds.verifier.verify('tenant-a', token.token)).toMatchObject({ ok: true, value: { kind: 'cognito', tenantId: 'tenant-a', clientId: TENANT_A.cognito.clientId } });
    wire.jwks(TENANT_B, signer); // even if tenant-b's pool published the same key, tenant-a's issuer is refused
    expect(await creds.verifier.verify('tenant-b', token.token)).toMatchObject({ ok: false, code: 'wrong-issuer' });
    expect(await creds.verifier.verify('sup-local', token.token)).toMatchObject({ ok: false, code: 'invalid' });
    expect(creds.awsCallCounter.count({ tenantId: 'tenant-a', region: 'eu-central-1' })).toBe(3);
    expect(creds.awsCallCounter.count({ tenantId: 'tenant-b' })).toBe(0);
  });

  it('an aws tenant in get-client-token mode calls only eu-west-1 with its own role and secret; tenants never share AWS sessions', async () => {
    wire.sts('eu-west-1', 'tenant-b'); wire.secret(TENANT_B, SECRETS['tenant-b']); wire.clientToken(TENANT_B, signer, Math.floor(t / 1000));
    wire.sts('eu-central-1', 'tenant-a'); wire.secret(TENANT_A, SECRETS['tenant-a']); wire.oauth(TENANT_A, signer, Math.floor(t / 1000));
    const [b, a] = await Promise.all([creds.minter.mint(req('tenant-b')), creds.minter.mint(req('tenant-a'))]);
    expect(minted(b).issuer).toBe('cognito');
    expect(minted(a).token).not.toBe(minted(b).token);
    const bCalls = wire.seen.filter((s) => s.host.includes('eu-west-1'));
    expect(bCalls.map((s) => s.target ?? s.path)).toEqual(expect.arrayContaining(['secretsmanager.GetSecretValue', 'AWSCognitoIdentityProviderService.GetClientToken']));
    expect(new URLSearchParams(bCalls.find((s) => s.host.startsWith('https://sts.'))!.body).get('RoleArn')).toBe(TENANT_B.roleArn);
    expect(JSON.parse(bCalls.find((s) => s.target === 'secretsmanager.GetSecretValue')!.body)).toEqual({ SecretId: TENANT_B.secretId });
    expect(bCalls.find((s) => s.target === 'secretsmanager.GetSecretValue')!.securityToken).toBe(ASSUMED['tenant-b'].session);
    expect(JSON.parse(bCalls.find((s) => s.target?.endsWith('GetClientToken'))!.body)).toMatchObject({ ClientId: TENANT_B.cognito.clientId, Secret: SECRETS['tenant-b'] });
    expect(wire.seen.filter((s) => s.securityToken === ASSUMED['tenant-a'].session).every((s) => s.host.includes('eu-central-1'))).toBe(true);
    expect(creds.awsCallCounter.count({ tenantId: 'tenant-b', region: 'eu-west-1' })).toBe(3);
    expect(creds.awsCallCounter.count({ tenantId: 'tenant-b', region: 'eu-central-1' })).toBe(0);
  });

  it('the alongside writes (a transfer\'s binding) commit before mint resolves in both modes: with the refresh token (local), on their own after AWS (aws); a refused mint writes none', async () => {
    const bindingOf = (tenantId: string, n: number): MintRequest => ({
      ...req(tenantId, n),
      alongside: async (writes, token) => {
        await writes.query('INSERT INTO credential_secrets (tenant_id, name, value_enc, updated_at) VALUES ($1, $2, $3, now())', [tenantId, `binding/${n}`, token.tokenHash]);
      },
    });
    const stored = (tenantId: string, n: number) => db.withTenant(tenantId, (tx) => tx.query<{ value_enc: string }>('SELECT value_enc FROM credential_secrets WHERE name = $1', [`binding/${n}`]));
    const local = minted(await creds.minter.mint(bindingOf('sup-local', 21)));
    expect(await stored('sup-local', 21)).toEqual([{ value_enc: local.tokenHash }]);

    wire.sts('eu-central-1', 'tenant-a'); wire.secret(TENANT_A, SECRETS['tenant-a']); wire.oauth(TENANT_A, signer, Math.floor(t / 1000));
    const cognito = minted(await creds.minter.mint(bindingOf('tenant-a', 22)));
    expect(cognito.issuer).toBe('cognito');
    expect(await stored('tenant-a', 22)).toEqual([{ value_enc: cognito.tokenHash }]);

    expect(await creds.minter.mint(bindingOf('tenant-c', 23))).toMatchObject({ ok: false, code: 'tenant-not-configured' });
    expect(await stored('tenant-c', 23)).toEqual([]);
  });

  it('stored settings naming another tenant\'s secret, unknown tenants and bad tenant ids are refused without AWS or token', async () => {
    expect(await creds.minter.mint(req('tenant-c'))).toMatchObject({ ok: false, code: 'tenant-not-configured' });
    expect(await creds.minter.mint(req('nobody'))).toMatchObject({ ok: false, code: 'tenant-not-configured' });
    expect(await creds.minter.mint(req('../x'))).toMatchObject({ ok: false, code: 'tenant-not-configured' });
    expect(await creds.minter.mint({ ...req('sup-local'), tenantId: '' })).toMatchObject({ ok: false, code: 'invalid-request' });
    const signed = await signer.token(TENANT_A, Math.floor(t / 1000));
    expect(await creds.verifier.verify('tenant-c', signed)).toMatchObject({ ok: false, code: 'unknown-tenant' });
    expect(await creds.verifier.verify('nobody', signed)).toMatchObject({ ok: false, code: 'unknown-tenant' });
    expect(await creds.verifier.verify('sup-local', '')).toMatchObject({ ok: false, code: 'missing' });
    expect(wire.seen).toHaveLength(0);
    expect(logs.text()).toContain('stored aws settings of the tenant are invalid');
  });

  it('refresh and revocation pass through in local mode; aws mode refuses refresh and revokes nothing (no AWS call)', async () => {
    const first = minted(await creds.minter.mint(req('sup-local', 7)));
    const refreshed = minted(await creds.minter.refresh({ tenantId: 'sup-local', refreshToken: first.refreshToken! }));
    expect(refreshed).toMatchObject({ issuer: 'local', transferId: 'tp-7' });
    expect(await creds.minter.revokeTransferTokens('sup-local', 'tp-7')).toBeGreaterThanOrEqual(1);
    expect(await creds.minter.refresh({ tenantId: 'sup-local', refreshToken: refreshed.refreshToken! })).toMatchObject({ ok: false, code: 'refresh-invalid' });
    expect(await creds.minter.refresh({ tenantId: 'tenant-a', refreshToken: first.refreshToken! })).toMatchObject({ ok: false, code: 'refresh-invalid', message: expect.stringContaining('aws') });
    expect(await creds.minter.revokeTransferTokens('tenant-a', 'tp-7')).toBe(0);
    expect(creds.awsCallCounter.count()).toBe(0);
  });

  it('caches the tenant mode: a changed record is seen only after the cache period or afterErase', async () => {
    await addTenant(db, 'sup-temp', 'BPNL00000000TEMP', 'eu-central-1', 'local');
    expect(minted(await creds.minter.mint(req('sup-temp'))).issuer).toBe('local');
    await db.withPrivilegedTenant('sup-temp', async (tx) => {
      await tx.query('DELETE FROM credential_refresh_tokens WHERE tenant_id = $1', ['sup-temp']);
      await tx.query('UPDATE tenants SET credential_mode = $2, aws_settings = $3 WHERE id = $1', ['sup-temp', 'aws', JSON.stringify({ ...TENANT_A, secretId: 'pcf/tenants/sup-temp/cognito-client' })]);
    });
    expect(minted(await creds.minter.mint(req('sup-temp', 2))).issuer).toBe('local');
    t += 31_000;
    wire.sts('eu-central-1', 'tenant-a', 'AccessDenied');
    expect(await creds.minter.mint(req('sup-temp', 3))).toMatchObject({ ok: false, code: 'role-not-assumable' });
    expect(new URLSearchParams(wire.seen[0].body).get('RoleSessionName')).toBe('pcf-sup-temp');
    await db.withPrivilegedTenant('sup-temp', (tx) => tx.query('UPDATE tenants SET credential_mode = $2, aws_settings = NULL WHERE id = $1', ['sup-temp', 'local']));
    wire.sts('eu-central-1', 'tenant-a', 'AccessDenied');
    expect(await creds.minter.mint(req('sup-temp', 4))).toMatchObject({ ok: false, code: 'role-not-assumable' });
    creds.hooks.afterErase('sup-temp');
    expect(minted(await creds.minter.mint(req('sup-temp', 5))).issuer).toBe('local');
  });

  it('logs name tenants and outcomes but never secrets, assumed credentials or tokens', async () => {
    wire.sts('eu-central-1', 'tenant-a'); wire.secret(TENANT_A, SECRETS['tenant-a']); wire.oauth(TENANT_A, signer, Math.floor(t / 1000));
    const aws = minted(await creds.minter.mint(req('tenant-a', 9)));
    const local = minted(await creds.minter.mint(req('sup-local', 9)));
    const text = logs.text();
    expect(text).toContain('tenant-a');
    for (const secret of [SECRETS['tenant-a'], ASSUMED['tenant-a'].secret, ASSUMED['tenant-a'].session, aws.token, local.token, local.refreshToken!]) {
      expect(text).not.toContain(secret);
    }
  });
});
