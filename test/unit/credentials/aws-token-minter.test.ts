// Tests: AWS minter over nock: STS, Secrets Manager, Cognito wire protocols, caches, isolation, failures.
import nock from '../../support/nock';
import { createAwsCallCounter, createAwsClientFactory, type AwsCallCounter } from '../../../connector/credentials/aws/aws-clients';
import { createAwsTokenMinter, type AwsTokenMinterDeps } from '../../../connector/credentials/aws/aws-token-minter';
import type { AwsTenantSettings } from '../../../connector/credentials/aws/tenant-settings';
import { tokenHash, type MintRequest, type TokenMinter } from '../../../connector/credentials/token-minter';
import { ASSUMED, JSON11, SECRETS, TENANT_A, TENANT_B, XML, createCognitoSigner, createRecorder, lockNetwork, secretJson, stsErrorXml, stsXml, type CognitoSigner } from './support/aws-fixtures';
import { captureLogs } from './support/log-capture';

const SETTINGS: Record<string, AwsTenantSettings> = { 'tenant-a': TENANT_A, 'tenant-b': TENANT_B };
const req = (tenantId: string, n = 1, consumer = 'did:web:oem.example'): MintRequest => ({ tenantId, agreementId: `agr-${n}`, transferId: `tp-${n}`, consumer: { did: consumer } });

describe('AWS token minter (STS → Secrets Manager → Cognito, nock on the wire)', () => {
  let signer: CognitoSigner;
  let t: number;
  const now = () => new Date(t);
  let counter: AwsCallCounter;
  let rec: ReturnType<typeof createRecorder>;
  let logs: ReturnType<typeof captureLogs>;
  let delays: number[];
  const issued: string[] = [];

  beforeAll(async () => { signer = await createCognitoSigner(); lockNetwork(); });
  afterAll(() => { nock.cleanAll(); nock.enableNetConnect(); });
  beforeEach(() => {
    t = Date.now();
    counter = createAwsCallCounter();
    rec = createRecorder();
    logs = captureLogs();
    delays = [];
    issued.length = 0;
    nock.cleanAll();
  });

  function minter(extra: Partial<AwsTokenMinterDeps> = {}): TokenMinter {
    return createAwsTokenMinter({
      settings: async (id) => SETTINGS[id],
      clients: createAwsClientFactory({ credentials: { accessKeyId: 'AKIACONNECTOREXAMPLE', secretAccessKey: 'connectorOwnSecretEXAMPLE' } }),
      logger: logs.logger, counter, now,
      retry: { sleep: async (ms) => { delays.push(ms); }, random: () => 0.5 },
      ...extra,
    });
  }

  function sts(tenantId: string, times = 1, status = 200, code = 'AccessDenied'): nock.Scope {
    const s = SETTINGS[tenantId];
    const host = `https://sts.${s.region}.amazonaws.com`;
    return nock(host).post('/').times(times).reply(function (uri, body) {
      rec.record(host, uri, this.req.headers, body);
      return status === 200 ? [200, stsXml(tenantId, new Date(t + 3600_000)), XML] : [status, stsErrorXml(code), XML];
    });
  }

  function secret(tenantId: string, times = 1, reply?: [number, Record<string, unknown>]): nock.Scope {
    const s = SETTINGS[tenantId];
    const host = `https://secretsmanager.${s.region}.amazonaws.com`;
    return nock(host).post('/').matchHeader('x-amz-target', 'secretsmanager.GetSecretValue').times(times).reply(function (uri, body) {
      rec.record(host, uri, this.req.headers, body);
      const [status, json] = reply ?? [200, secretJson(s, tenantId)];
      return [status, json, JSON11];
    });
  }

  function oauth(tenantId: string, times = 1, reply?: [number, Record<string, unknown>], expiresIn = 3600): nock.Scope {
    const s = SETTINGS[tenantId];
    const host = `https://${s.cognito.domain}.auth.${s.region}.amazoncognito.com`;
    return nock(host).post('/oauth2/token').times(times).reply(async function (uri, body) {
      rec.record(host, uri, this.req.headers, body);
      if (reply !== undefined) return [reply[0], reply[1]];
      const token = await signer.token(s, Math.floor(t / 1000), { exp: Math.floor(t / 1000) + expiresIn });
      issued.push(token);
      return [200, { access_token: token, expires_in: expiresIn, token_type: 'Bearer' }];
    });
  }

  function clientToken(tenantId: string, times = 1, reply?: [number, Record<string, unknown>]): nock.Scope {
    const s = SETTINGS[tenantId];
    const host = `https://cognito-idp.${s.region}.amazonaws.com`;
    return nock(host).post('/').matchHeader('x-amz-target', 'AWSCognitoIdentityProviderService.GetClientToken').times(times).reply(async function (uri, body) {
      rec.record(host, uri, this.req.headers, body);
      if (reply !== undefined) return [reply[0], reply[1], JSON11];
      const token = await signer.token(s, Math.floor(t / 1000));
      issued.push(token);
      return [200, { ClientAuthenticationResult: { AccessToken: token, ExpiresIn: 3600, TokenType: 'Bearer' } }, JSON11];
    });
  }

  it('token-endpoint mode: assumes the tenant role, reads its secret with the assumed credentials, gets a scoped token', async () => {
    const scopes = [sts('tenant-a'), secret('tenant-a'), oauth('tenant-a')];
    const r = await minter().mint(req('tenant-a'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.token).toBe(issued[0]);
    expect(r.value.binding).toEqual({ kind: 'token-hash', value: tokenHash(issued[0]) });
    expect(r.value.tokenType).toBe('Bearer');
    expect(r.value.jti).toMatch(/^jti-/);
    expect(r.value.expiresAt.getTime()).toBe(t + 3600_000);
    for (const s of scopes) expect(s.isDone()).toBe(true);
    const [stsReq, smReq, tokenReq] = rec.seen;
    const stsBody = new URLSearchParams(stsReq.body);
    expect(stsBody.get('Action')).toBe('AssumeRole');
    expect(stsBody.get('RoleArn')).toBe(TENANT_A.roleArn);
    expect(stsBody.get('RoleSessionName')).toBe('pcf-tenant-a');
    expect(stsBody.get('ExternalId')).toBe('ext-a');
    expect(JSON.parse(stsBody.get('Policy')!).Statement[0]).toEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue',
      Resource: 'arn:aws:secretsmanager:eu-central-1:111111111111:secret:pcf/tenants/tenant-a/cognito-client-??????' });
    expect(stsReq.authorization).toContain('Credential=AKIACONNECTOREXAMPLE/');
    expect(JSON.parse(smReq.body)).toEqual({ SecretId: TENANT_A.secretId });
    expect(smReq.authorization).toContain(`Credential=${ASSUMED['tenant-a'].key}/`);
    expect(smReq.authorization).toContain('/eu-central-1/secretsmanager/aws4_request');
    expect(smReq.securityToken).toBe(ASSUMED['tenant-a'].session);
    expect(tokenReq.authorization).toBe(`Basic ${Buffer.from(`${TENANT_A.cognito.clientId}:${SECRETS['tenant-a']}`).toString('base64')}`);
    expect(Object.fromEntries(new URLSearchParams(tokenReq.body))).toEqual({ grant_type: 'client_credentials', scope: TENANT_A.cognito.scope });
    expect(counter.count({ tenantId: 'tenant-a' })).toBe(3);
  });

  it('get-client-token mode uses the Cognito IdP API in the tenant region', async () => {
    sts('tenant-b'); secret('tenant-b'); const api = clientToken('tenant-b');
    const r = await minter().mint(req('tenant-b'));
    expect(r.ok && r.value.token).toBe(issued[0]);
    expect(api.isDone()).toBe(true);
    const call = rec.seen.find((s) => s.target?.endsWith('GetClientToken'))!;
    expect(JSON.parse(call.body)).toEqual({ ClientId: TENANT_B.cognito.clientId, Secret: SECRETS['tenant-b'], Scopes: [TENANT_B.cognito.scope] });
    expect(counter.count({ tenantId: 'tenant-b', service: 'cognito-idp', operation: 'GetClientToken', region: 'eu-west-1' })).toBe(1);
  });

  it('1,000 mints of one tenant and consumer cost 3 AWS calls; concurrent first mints share one in-flight chain', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a');
    const m = minter();
    const first = await Promise.all(Array.from({ length: 50 }, (_, i) => m.mint(req('tenant-a', i))));
    expect(first.every((r) => r.ok)).toBe(true);
    for (let i = 50; i < 1000; i += 1) expect((await m.mint(req('tenant-a', i))).ok).toBe(true);
    expect(counter.count({ tenantId: 'tenant-a' })).toBe(3);
    expect(counter.snapshot().map((c) => c.operation).sort()).toEqual(['AssumeRole', 'GetSecretValue', 'token']);
  });

  it('another consumer gets its own token (one more Cognito call); transfer-scoped sharing mints per transfer', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 2);
    const m = minter();
    const a = await m.mint(req('tenant-a', 1, 'did:web:oem-1'));
    const b = await m.mint(req('tenant-a', 2, 'did:web:oem-2'));
    const a2 = await m.mint(req('tenant-a', 3, 'did:web:oem-1'));
    expect(a.ok && b.ok && a2.ok).toBe(true);
    if (a.ok && b.ok && a2.ok) {
      expect(a.value.token).not.toBe(b.value.token);
      expect(a2.value.token).toBe(a.value.token);
    }
    expect(counter.count()).toBe(4);
    counter.reset();
    oauth('tenant-a', 2);
    const perTransfer = minter({ tokenSharing: 'transfer' });
    sts('tenant-a'); secret('tenant-a');
    await perTransfer.mint(req('tenant-a', 1)); await perTransfer.mint(req('tenant-a', 2));
    expect(counter.count({ operation: 'token' })).toBe(2);
  });

  it('renews the token before it expires (margin) and the credentials before their expiry', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 1, undefined, 600);
    const m = minter({ tokenMarginSeconds: 300, credentialMarginSeconds: 300 });
    const first = await m.mint(req('tenant-a', 1));
    t += 299_000;
    const same = await m.mint(req('tenant-a', 2));
    expect(first.ok && same.ok && same.value.token === first.value.token).toBe(true);
    oauth('tenant-a', 1, undefined, 3600);
    t += 2_000;
    const renewed = await m.mint(req('tenant-a', 3));
    expect(renewed.ok && first.ok && renewed.value.token !== first.value.token).toBe(true);
    expect(counter.count({ operation: 'AssumeRole' })).toBe(1);
    expect(counter.count({ operation: 'token' })).toBe(2);
    sts('tenant-a'); oauth('tenant-a');
    t += 3_100_000; // t0 + 3401 s: credentials are inside their margin, the secret is younger than its max age
    expect((await m.mint(req('tenant-a', 9, 'did:web:another-oem'))).ok).toBe(true);
    expect(counter.count({ operation: 'AssumeRole' })).toBe(2);
    expect(counter.count({ operation: 'GetSecretValue' })).toBe(1);
    expect(counter.count({ operation: 'token' })).toBe(3);
  });

  it('a transfer minted again (resume) gets a fresh Cognito token; the other transfers of the consumer stay at one call', async () => {
    sts('tenant-a'); secret('tenant-a');
    const cognito = oauth('tenant-a', 2);
    const m = minter();
    const started = await m.mint(req('tenant-a', 1));
    const sibling = await m.mint(req('tenant-a', 2));
    expect(counter.count({ operation: 'token' })).toBe(1);
    const resumed = await m.mint(req('tenant-a', 1));
    expect(cognito.isDone()).toBe(true);
    expect(counter.count({ operation: 'token' })).toBe(2);
    expect(counter.count({ operation: 'AssumeRole' })).toBe(1);
    expect(counter.count({ operation: 'GetSecretValue' })).toBe(1);
    if (!started.ok || !sibling.ok || !resumed.ok) throw new Error('mint failed');
    expect(sibling.value.token).toBe(started.value.token);
    expect(resumed.value.token).toBe(issued[1]);
    expect(resumed.value.token).not.toBe(started.value.token);
    expect(resumed.value.binding).toEqual({ kind: 'token-hash', value: tokenHash(issued[1]) });
    // The fresh token replaced the shared entry: a new transfer of that consumer gets it without another call.
    const next = await m.mint(req('tenant-a', 3));
    expect(next.ok && next.value.token).toBe(resumed.value.token);
    expect(counter.count({ operation: 'token' })).toBe(2);
    expect(logs.text()).toContain('replaced the cached token handed to this transfer before');
  });

  it('a restart after the shared token was renewed needs no extra call; per-transfer sharing re-mints on resume', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 1, undefined, 600);
    const m = minter({ tokenMarginSeconds: 300 });
    const first = await m.mint(req('tenant-a', 1));
    oauth('tenant-a', 1, undefined, 3600);
    t += 301_000;
    const renewed = await m.mint(req('tenant-a', 2));
    const resumed = await m.mint(req('tenant-a', 1));
    expect(first.ok && renewed.ok && resumed.ok).toBe(true);
    if (!first.ok || !renewed.ok || !resumed.ok) return;
    expect(resumed.value.token).toBe(renewed.value.token);
    expect(resumed.value.token).not.toBe(first.value.token);
    expect(counter.count({ operation: 'token' })).toBe(2);

    counter.reset();
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 2);
    const perTransfer = minter({ tokenSharing: 'transfer' });
    const a = await perTransfer.mint(req('tenant-a', 7));
    const again = await perTransfer.mint(req('tenant-a', 7));
    expect(a.ok && again.ok && a.value.token !== again.value.token).toBe(true);
    expect(counter.count({ operation: 'token' })).toBe(2);
  });

  it('two tenants never share region, host, role, secret or assumed credentials', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a');
    sts('tenant-b'); secret('tenant-b'); clientToken('tenant-b');
    const m = minter();
    const [a, b] = await Promise.all([m.mint(req('tenant-a')), m.mint(req('tenant-b'))]);
    expect(a.ok && b.ok).toBe(true);
    const forA = rec.seen.filter((s) => s.host.includes('eu-central-1'));
    const forB = rec.seen.filter((s) => s.host.includes('eu-west-1'));
    expect(forA).toHaveLength(3);
    expect(forB).toHaveLength(3);
    for (const s of forA) {
      expect(s.body).not.toContain('tenant-b');
      expect(s.body).not.toContain(TENANT_B.roleArn);
      if (s.authorization?.startsWith('AWS4')) expect(s.authorization).toContain('/eu-central-1/');
      expect(s.authorization ?? '').not.toContain(ASSUMED['tenant-b'].key);
    }
    for (const s of forB) {
      expect(s.body).not.toContain('tenant-a');
      if (s.authorization?.startsWith('AWS4')) expect(s.authorization).toContain('/eu-west-1/');
      expect(s.authorization ?? '').not.toContain(ASSUMED['tenant-a'].key);
    }
    expect(new URLSearchParams(forB[0].body).get('RoleArn')).toBe(TENANT_B.roleArn);
    expect(forB.find((s) => s.target?.endsWith('GetSecretValue'))!.authorization).toContain(`Credential=${ASSUMED['tenant-b'].key}/`);
    expect(counter.count({ tenantId: 'tenant-a', region: 'eu-west-1' })).toBe(0);
    expect(counter.count({ tenantId: 'tenant-b', region: 'eu-central-1' })).toBe(0);
  });

  describe('failure outcomes', () => {
    it('role not assumable (AccessDenied): no retry, no further calls', async () => {
      sts('tenant-a', 1, 403, 'AccessDenied');
      const r = await minter().mint(req('tenant-a'));
      expect(!r.ok && [r.code, r.retryable]).toEqual(['role-not-assumable', false]);
      expect(counter.count()).toBe(1);
    });

    it('secret missing / access denied / for another client', async () => {
      sts('tenant-a'); secret('tenant-a', 1, [400, { __type: 'ResourceNotFoundException', Message: 'Secrets Manager can\'t find the specified secret.' }]);
      const m = minter();
      const missing = await m.mint(req('tenant-a'));
      expect(!missing.ok && missing.code).toBe('secret-missing');
      secret('tenant-a', 1, [400, { __type: 'AccessDeniedException', Message: 'denied' }]);
      const denied = await m.mint(req('tenant-a'));
      expect(!denied.ok && denied.code).toBe('secret-access-denied');
      secret('tenant-a', 1, [200, secretJson(TENANT_A, 'tenant-a', 'someotherclient0000000000')]);
      const foreign = await m.mint(req('tenant-a'));
      expect(!foreign.ok && foreign.code).toBe('secret-invalid');
      expect(counter.count({ operation: 'AssumeRole' })).toBe(1);
    });

    it('cognito refusal (invalid_scope) is not retried; invalid_client re-reads the secret exactly once', async () => {
      sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 1, [400, { error: 'invalid_scope' }]);
      const m = minter();
      const scope = await m.mint(req('tenant-a'));
      expect(!scope.ok && scope.code).toBe('cognito-refused');
      expect(!scope.ok && scope.message).toContain('invalid_scope');
      oauth('tenant-a', 2, [400, { error: 'invalid_client' }]); secret('tenant-a');
      const stale = await m.mint(req('tenant-a'));
      expect(!stale.ok && stale.code).toBe('cognito-refused');
      expect(counter.count({ operation: 'GetSecretValue' })).toBe(2);
      expect(counter.count({ operation: 'token' })).toBe(3);
    });

    it('GetClientToken NotAuthorizedException maps to cognito-refused', async () => {
      sts('tenant-b'); secret('tenant-b', 2); clientToken('tenant-b', 2, [400, { __type: 'NotAuthorizedException', message: 'Invalid client secret' }]);
      const r = await minter().mint(req('tenant-b'));
      expect(!r.ok && r.code).toBe('cognito-refused');
    });

    it('throttling is retried with growing backoff and then succeeds', async () => {
      sts('tenant-a');
      secret('tenant-a', 2, [400, { __type: 'ThrottlingException', Message: 'Rate exceeded' }]);
      secret('tenant-a');
      oauth('tenant-a');
      const r = await minter().mint(req('tenant-a'));
      expect(r.ok).toBe(true);
      expect(counter.count({ operation: 'GetSecretValue' })).toBe(3);
      expect(delays).toEqual([51, 101]);
    });

    it('throttling that persists, and AWS 5xx, end as retryable outcomes after the attempts', async () => {
      sts('tenant-a', 3, 400, 'Throttling');
      const throttled = await minter().mint(req('tenant-a'));
      expect(!throttled.ok && [throttled.code, throttled.retryable]).toEqual(['throttled', true]);
      expect(counter.count({ operation: 'AssumeRole' })).toBe(3);
      sts('tenant-a', 3, 500, 'InternalFailure');
      const down = await minter().mint(req('tenant-a'));
      expect(!down.ok && [down.code, down.retryable]).toEqual(['aws-unavailable', true]);
      sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 3, [503, {}]);
      const cognitoDown = await minter().mint(req('tenant-a'));
      expect(!cognitoDown.ok && cognitoDown.code).toBe('aws-unavailable');
      // No answer at all (connection refused by the network lock): unavailable, not "secret missing".
      counter.reset();
      sts('tenant-a');
      const unreachable = await minter().mint(req('tenant-a'));
      expect(!unreachable.ok && [unreachable.code, unreachable.retryable]).toEqual(['aws-unavailable', true]);
      expect(counter.count({ operation: 'GetSecretValue' })).toBe(3);
    });

    it('tenant without settings and invalid requests', async () => {
      const none = await minter().mint(req('tenant-x'));
      expect(!none.ok && [none.code, none.reason]).toEqual(['tenant-not-configured', 'not-found']);
      const bad = await minter().mint({ ...req('tenant-a'), transferId: '' });
      expect(!bad.ok && bad.code).toBe('invalid-request');
      expect(counter.count()).toBe(0);
    });
  });

  it('evictTenant forces a fresh chain for that tenant only', async () => {
    sts('tenant-a', 2); secret('tenant-a', 2); oauth('tenant-a', 2);
    sts('tenant-b'); secret('tenant-b'); clientToken('tenant-b');
    const m = minter();
    await m.mint(req('tenant-a')); await m.mint(req('tenant-b'));
    m.evictTenant('tenant-a');
    await m.mint(req('tenant-a', 2)); await m.mint(req('tenant-b', 2));
    expect(counter.count({ tenantId: 'tenant-a' })).toBe(6);
    expect(counter.count({ tenantId: 'tenant-b' })).toBe(3);
  });

  it('never logs client secrets, assumed credentials or tokens', async () => {
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a');
    sts('tenant-b', 1, 403);
    const m = minter();
    const ok = await m.mint(req('tenant-a'));
    await m.mint(req('tenant-b'));
    sts('tenant-a'); secret('tenant-a'); oauth('tenant-a', 2, [400, { error: 'invalid_client' }]); secret('tenant-a');
    m.evictTenant('tenant-a');
    await m.mint(req('tenant-a'));
    const text = logs.text();
    expect(text).toContain('minted data-plane token');
    expect(text).toContain('role-not-assumable');
    expect(text).toContain('cognito-refused');
    for (const forbidden of [SECRETS['tenant-a'], ASSUMED['tenant-a'].secret, ASSUMED['tenant-a'].session, ASSUMED['tenant-a'].key, ok.ok ? ok.value.token : 'x', ok.ok ? ok.value.token.split('.')[2] : 'x']) {
      expect(text).not.toContain(forbidden);
    }
  });
});
