// The whole product in aws credential mode: provisioning at onboarding, Cognito EDR tokens, termination, offboarding — AWS over nock.
import { decodeJwt } from 'jose';
import { testEngines, type EngineName } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { CONNECTOR_OWN_CREDENTIALS, lockNetworkToLoopback, startFakeAws, type FakeAws } from './support/aws-nock';
import { dspBase, eventually, managementOf, negotiate, publishPcf, startTransfer } from './support/runtime-flow-steps';
import { edrOf } from './support/transfer-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';
const REGION = 'eu-west-1';
const ACCOUNT = '210987654321';
const POOL = 'eu-west-1_SupPool01';
const DOMAIN = 'supplier-pool';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/pcf-tenant-supplier`;
const SECRET_NAME = 'pcf/tenants/supplier/cognito-client';
const SCOPE = 'pcf-exchange/supplier/footprints.read';

type TokenMode = 'token-endpoint' | 'get-client-token';
const CASES: [EngineName, TokenMode][] = testEngines().flatMap((e): [EngineName, TokenMode][] => [[e, 'token-endpoint'], [e, 'get-client-token']]);

describe.each(CASES)('supplier in aws credential mode → OEM through the runtime on %s, Cognito %s', (engine, tokenMode) => {
  let rt: TestRuntime;
  let aws: FakeAws;
  let supplierKey: string;
  let oemKey: string;
  const savedEnv: Record<string, string | undefined> = {};
  const op = (): Record<string, string> => ({ authorization: `Bearer ${rt.operatorKey}` });

  beforeAll(async () => {
    lockNetworkToLoopback();
    // The connector's own identity comes from the SDK's default provider chain: environment credentials here.
    for (const [k, v] of Object.entries({ ...CONNECTOR_OWN_CREDENTIALS, AWS_EC2_METADATA_DISABLED: 'true' })) {
      savedEnv[k] = process.env[k];
      process.env[k] = v;
    }
    aws = await startFakeAws({ region: REGION, account: ACCOUNT, userPoolId: POOL, domain: DOMAIN });
    rt = await startTestRuntime(engine, { PCF_AWS_PROVISIONING: 'true' });
  });

  afterAll(async () => {
    aws?.close();
    await rt?.close();
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('onboards the supplier in aws mode: role check, resource server, app client and secret in the tenant region', async () => {
    const s = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), {
      id: 'supplier', displayName: 'Supplier AG', bpn: 'BPNL00000000SUPP', region: REGION, credentialMode: 'aws',
      aws: { region: REGION, roleArn: ROLE, externalId: 'ext-supplier', cognito: { userPoolId: POOL, tokenMode, ...(tokenMode === 'token-endpoint' ? { domain: DOMAIN } : {}) } },
    });
    expect(s.status).toBe(201);
    const o = await call(rt.baseUrl, 'POST', '/operator/v1/tenants', op(), { id: 'oem', displayName: 'OEM SE', bpn: 'BPNL000000000OEM' });
    expect(o.status).toBe(201);
    supplierKey = (s.body as { adminApiKey: string }).adminApiKey;
    oemKey = (o.body as { adminApiKey: string }).adminApiKey;

    expect(aws.calls.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'sts:AssumeRole', 'cognito-idp:DescribeResourceServer', 'cognito-idp:CreateResourceServer', 'cognito-idp:CreateUserPoolClient', 'secretsmanager:CreateSecret',
    ]);
    // Every call goes to the tenant's region and is signed there with the connector's own credentials.
    for (const c of aws.calls) {
      expect(c.host).toContain(`.${REGION}.amazonaws.com`);
      expect(c.signedRegion).toBe(REGION);
      expect(c.accessKeyId).toBe(CONNECTOR_OWN_CREDENTIALS.AWS_ACCESS_KEY_ID);
      expect(c.sessionToken).toBe(false);
    }
    expect(aws.calls[0].body).toMatchObject({ Action: 'AssumeRole', RoleArn: ROLE, ExternalId: 'ext-supplier', RoleSessionName: 'pcf-onboard-supplier' });
    expect([...aws.resourceServers.keys()]).toEqual(['pcf-exchange/supplier']);
    const [client] = [...aws.clients.values()];
    expect(client).toMatchObject({ name: 'pcf-supplier', scopes: [SCOPE] });
    expect(aws.calls[3].body).toMatchObject({ UserPoolId: POOL, GenerateSecret: true, AllowedOAuthFlows: ['client_credentials'], AllowedOAuthScopes: [SCOPE] });
    expect(aws.calls[3].body.ExplicitAuthFlows).toEqual(tokenMode === 'get-client-token' ? ['ALLOW_CLIENT_TOKEN_AUTH'] : undefined);
    const secret = aws.secrets.get(SECRET_NAME);
    expect(secret?.arn).toMatch(new RegExp(`^arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-`));
    expect(JSON.parse(secret?.value ?? '{}')).toEqual({ clientId: client.clientId, clientSecret: client.clientSecret });

    // The tenant record holds the generated settings; the operator view never shows the client secret.
    const view = await call(rt.baseUrl, 'GET', '/operator/v1/tenants/supplier', op());
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).not.toContain(client.clientSecret);
    expect(rt.logs.join('')).not.toContain(client.clientSecret);
  });

  it('runs catalog → negotiation → transfer; the EDR is a Cognito token that reads footprints and stops at termination', async () => {
    aws.reset();
    const sup = managementOf(rt, supplierKey);
    const oem = managementOf(rt, oemKey);
    const footprint = { id: await publishPcf(rt, sup, 'supplier') };

    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const target = { protocol: PROTOCOL, address: dspBase(rt, 'supplier', PROTOCOL), counterPartyId: supplierDid } as const;
    const { agreementId } = await negotiate(oem, target);
    expect(aws.calls).toHaveLength(0); // no token before a transfer starts

    const tid = encodeURIComponent(await startTransfer(oem, target, agreementId));
    const edr = await edrOf(oem, decodeURIComponent(tid));
    expect(edr.endpoint).toBe(`${rt.baseUrl}/tenants/supplier/pact`);

    // The token is the one the user pool issued to the tenant's app client for its scope.
    expect(aws.issued).toContain(edr.authorization);
    const claims = decodeJwt(edr.authorization);
    const client = [...aws.clients.values()][0];
    expect(claims).toMatchObject({ iss: `https://cognito-idp.${REGION}.amazonaws.com/${POOL}`, client_id: client.clientId, token_use: 'access', scope: SCOPE });
    const assume = aws.calls.find((c) => c.operation === 'AssumeRole');
    expect(assume?.body).toMatchObject({ RoleArn: ROLE, ExternalId: 'ext-supplier', RoleSessionName: 'pcf-supplier' });
    const policy = JSON.parse(String(assume?.body.Policy)) as { Statement: { Action: string; Resource: string }[] };
    expect(policy.Statement[0]).toEqual({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${SECRET_NAME}-??????` });
    const read = aws.calls.find((c) => c.operation === 'GetSecretValue');
    // Secrets Manager is called with the tenant's assumed (temporary) credentials, not the connector's own.
    expect(read?.body).toEqual({ SecretId: SECRET_NAME });
    expect(read?.accessKeyId !== undefined && aws.assumed.get(read.accessKeyId)).toBe(ROLE);
    expect(read?.sessionToken).toBe(true);
    if (tokenMode === 'token-endpoint') {
      expect(aws.calls.find((c) => c.service === 'cognito-oauth2')).toMatchObject({ host: `https://${DOMAIN}.auth.${REGION}.amazoncognito.com`, body: { grant_type: 'client_credentials', scope: SCOPE } });
    } else {
      const get = aws.calls.find((c) => c.operation === 'GetClientToken');
      expect(get?.body).toEqual({ ClientId: client.clientId, Secret: client.clientSecret, Scopes: [SCOPE] });
      expect(get?.signedRegion).toBe(REGION);
    }

    const bearer = { authorization: `Bearer ${edr.authorization}` };
    const one = await call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer);
    expect(one.status).toBe(200);
    expect((one.body as { data: { id: string } }).data.id).toBe(footprint.id);
    expect(((await call(rt.baseUrl, 'GET', '/tenants/supplier/pact/3/footprints?limit=10', bearer)).body as { data: unknown[] }).data).toHaveLength(1);
    expect((await call(rt.baseUrl, 'GET', '/tenants/oem/pact/3/footprints', bearer)).status).toBe(401);
    // The user pool JWKS was fetched once, from the tenant's pool.
    expect(aws.calls.filter((c) => c.service === 'cognito-jwks').map((c) => c.host)).toEqual([`https://cognito-idp.${REGION}.amazonaws.com`]);
    const tokenCall = tokenMode === 'token-endpoint' ? 'cognito-oauth2:token' : 'cognito-idp:GetClientToken';
    expect(aws.calls.map((c) => `${c.service}:${c.operation}`).sort()).toEqual([tokenCall, 'cognito-jwks:jwks', 'secretsmanager:GetSecretValue', 'sts:AssumeRole'].sort());
    for (const c of aws.calls) expect(c.host).toContain(`.${REGION}.`);

    // A Cognito token cannot be revoked: the transfer check refuses it as soon as the transfer is terminated.
    expect((await oem('POST', `/transferprocesses/${tid}/terminate`, { reason: 'done' })).status).toBe(204);
    await eventually(() => oem('GET', `/transferprocesses/${tid}/state`), (r) => (r.body as { state?: string }).state === 'TERMINATED');
    await eventually(() => call(rt.baseUrl, 'GET', `/tenants/supplier/pact/3/footprints/${footprint.id}`, bearer), (r) => r.status === 401, 5_000);
    expect(decodeJwt(edr.authorization).exp).toBeGreaterThan(Date.now() / 1000 + 600);
    expect(rt.logs.join('')).not.toContain(edr.authorization);
  }, 60_000);

  it('offboarding deletes the app client, the secret and the resource server in the tenant region', async () => {
    aws.reset();
    const del = await call(rt.baseUrl, 'DELETE', '/operator/v1/tenants/supplier', op());
    expect(del.status).toBe(200);
    expect(aws.calls.map((c) => `${c.service}:${c.operation}`)).toEqual([
      'cognito-idp:DeleteUserPoolClient', 'secretsmanager:DeleteSecret', 'cognito-idp:DeleteResourceServer',
    ]);
    expect(aws.calls[1].body).toEqual({ SecretId: SECRET_NAME, ForceDeleteWithoutRecovery: true });
    for (const c of aws.calls) {
      expect(c.signedRegion).toBe(REGION);
      expect(c.accessKeyId).toBe(CONNECTOR_OWN_CREDENTIALS.AWS_ACCESS_KEY_ID);
    }
    expect(aws.clients.size).toBe(0);
    expect(aws.secrets.size).toBe(0);
    expect(aws.resourceServers.size).toBe(0);
    expect((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).status).toBe(404);
  });
});
