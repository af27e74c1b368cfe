// Policy and contract definition routes: PCF templates through the API, Catena-X usage rules, references, plan, explain.
import request from 'supertest';
import { readAudit } from '../../../connector/audit/audit-log';
import { parsePolicyDefinition, pcfAccessPolicy, pcfUsagePolicy, policiesEquivalent } from '../../../policies/index';
import { openCatalogApp, EDC, type CatalogApp } from './catalog-app';

const PARTNER = 'BPNL000000000001';
const membership = { type: ['VerifiableCredential', 'MembershipCredential'], issuanceDate: '2025-01-01T00:00:00Z', expirationDate: '2026-01-01T00:00:00Z', credentialSubject: { id: 'did:web:partner', holderIdentifier: PARTNER } };
const bpnVc = { type: ['VerifiableCredential', 'BpnCredential'], issuanceDate: '2025-01-01T00:00:00Z', credentialSubject: { id: 'did:web:partner', bpn: PARTNER } };

function contractDefinition(id: string, access: string, usage: string, prefixed = false): Record<string, unknown> {
  if (prefixed) {
    return {
      '@context': { edc: EDC }, '@type': 'edc:ContractDefinition', '@id': id, 'edc:accessPolicyId': access, 'edc:contractPolicyId': usage,
      'edc:assetsSelector': { '@type': 'edc:Criterion', 'edc:operandLeft': `${EDC}id`, 'edc:operator': '=', 'edc:operandRight': 'pcf-asset' },
    };
  }
  return {
    '@context': { '@vocab': EDC }, '@type': 'ContractDefinition', '@id': id, accessPolicyId: access, contractPolicyId: usage,
    assetsSelector: [{ '@type': 'Criterion', operandLeft: `${EDC}id`, operator: '=', operandRight: 'pcf-asset' }],
  };
}

describe('policy definition and contract definition routes', () => {
  let t: CatalogApp;
  beforeAll(async () => {
    t = await openCatalogApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('creates the PCF templates through the API and returns them in the EDC management form', async () => {
    for (const doc of [pcfUsagePolicy(), pcfAccessPolicy(), pcfAccessPolicy({ bpns: [PARTNER] }), pcfUsagePolicy({ id: 'pcf-usage-ref', contractReferences: ['contract-1'] })]) {
      const r = await request(t.app).post('/management/v3/policydefinitions').send(doc).expect(200);
      expect(r.body).toMatchObject({ '@type': 'IdResponse', '@id': doc['@id'] });
    }
    const got = await request(t.app).get('/management/v3/policydefinitions/pcf-usage').expect(200);
    expect(got.body).toMatchObject({
      '@id': 'pcf-usage', '@type': 'PolicyDefinition', createdAt: expect.any(Number),
      policy: { '@type': 'odrl:Set', 'odrl:permission': [{ 'odrl:action': { '@id': 'odrl:use' } }] },
      '@context': { '@vocab': EDC, odrl: 'http://www.w3.org/ns/odrl/2/', 'cx-policy': 'https://w3id.org/catenax/2025/9/policy/' },
    });
    const fromApi = await parsePolicyDefinition(got.body);
    const original = await parsePolicyDefinition(pcfUsagePolicy());
    expect(fromApi.ok && original.ok && policiesEquivalent(fromApi.value.policy, original.value.policy)).toBe(true);
  });

  it('accepts the GET response back as a PUT body (round trip), and answers 404 for unknown ids', async () => {
    const got = await request(t.app).get('/management/v3/policydefinitions/pcf-access-membership').expect(200);
    await request(t.app).put('/management/v3/policydefinitions/pcf-access-membership').send(got.body).expect(204);
    const again = await request(t.app).get('/management/v3/policydefinitions/pcf-access-membership').expect(200);
    expect(again.body.policy).toEqual(got.body.policy);
    await request(t.app).put('/management/v3/policydefinitions/nope').send(got.body).expect(404);
    await request(t.app).get('/management/v3/policydefinitions/nope').expect(404);
  });

  it('refuses invalid policies with located errors, and duplicates with 409', async () => {
    const unknown = pcfAccessPolicy({ id: 'bad' });
    ((unknown.policy.permission as { constraint: { and: unknown[] }[] }[])[0]!.constraint[0]!.and).push({ leftOperand: 'Shoesize', operator: 'eq', rightOperand: '42' });
    const r = await request(t.app).post('/management/v3/policydefinitions').send(unknown).expect(400);
    expect(r.body[0]).toMatchObject({ type: 'BadRequest', path: 'policy.permission[0].constraint[0].and[1]' });
    const swallowed = { '@context': { '@vocab': EDC }, '@id': 'swallowed', policy: { '@type': 'Set', permission: [{ action: 'use' }] } };
    const s = await request(t.app).post('/management/v3/policydefinitions').send(swallowed).expect(400);
    expect(s.body[0].type).toBe('BadRequest');
    await request(t.app).post('/management/v3/policydefinitions').send({ '@context': { '@vocab': EDC }, '@id': 'nopolicy' }).expect(400);
    await request(t.app).post('/management/v3/policydefinitions').send(pcfUsagePolicy()).expect(409);
    await request(t.app).post('/management/v3/policydefinitions').set('x-test-role', 'viewer').send(pcfUsagePolicy({ id: 'v' })).expect(403);
  });

  it('reads policy definitions written with the DSP 2025-1 message context (expanded by the DSP expander, not the shared jsonld.js cache)', async () => {
    const doc = { ...pcfUsagePolicy({ id: 'dsp-context' }), '@context': ['https://w3id.org/dspace/2025/1/context.jsonld', 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld', { '@vocab': EDC }] };
    await request(t.app).post('/management/v3/policydefinitions').send(doc).expect(200);
    const got = await request(t.app).get('/management/v3/policydefinitions/dsp-context').expect(200);
    const usage = await request(t.app).get('/management/v3/policydefinitions/pcf-usage').expect(200);
    expect(got.body.policy).toEqual(usage.body.policy);
  });

  it('creates contract definitions (@vocab and edc: prefixed) and refuses a non-usage contract policy precisely', async () => {
    const ok1 = await request(t.app).post('/management/v3/contractdefinitions').send(contractDefinition('cd-pcf', 'pcf-access-membership', 'pcf-usage')).expect(200);
    expect(ok1.body['@id']).toBe('cd-pcf');
    await request(t.app).post('/management/v3/contractdefinitions').send(contractDefinition('cd-prefixed', 'pcf-access-bpn', 'pcf-usage-ref', true)).expect(200);
    const got = await request(t.app).get('/management/v3/contractdefinitions/cd-prefixed').expect(200);
    expect(got.body).toMatchObject({
      '@type': 'ContractDefinition', accessPolicyId: 'pcf-access-bpn', contractPolicyId: 'pcf-usage-ref',
      assetsSelector: [{ '@type': 'Criterion', operandLeft: `${EDC}id`, operator: '=', operandRight: 'pcf-asset' }],
    });
    const bad = await request(t.app).post('/management/v3/contractdefinitions').send(contractDefinition('cd-bad', 'pcf-usage', 'pcf-access-membership')).expect(400);
    expect(bad.body[0].message).toContain("contractPolicyId 'pcf-access-membership' does not name a valid Catena-X usage policy");
    expect(bad.body.map((e: { message: string }) => e.message).join(' ')).toMatch(/must contain a FrameworkAgreement constraint/);
    expect(bad.body.map((e: { path: string }) => e.path)).toContain('contractPolicyId.permission[0].action');
    await request(t.app).post('/management/v3/contractdefinitions').send(contractDefinition('cd-pcf', 'a', 'b')).expect(409);
    const dangling = await request(t.app).post('/management/v3/contractdefinitions').send(contractDefinition('cd-later', 'later-access', 'later-usage')).expect(200);
    expect(dangling.body['@id']).toBe('cd-later');
    const missing = await request(t.app).post('/management/v3/contractdefinitions').send({ '@context': { '@vocab': EDC }, '@id': 'x', accessPolicyId: 'a' }).expect(400);
    expect(missing.body[0].path).toBe(`${EDC}contractPolicyId`);
  });

  it('applies the usage rules to a policy created or updated while a contract definition offers it', async () => {
    const access = pcfAccessPolicy({ id: 'later-usage' });
    const r = await request(t.app).post('/management/v3/policydefinitions').send(access).expect(400);
    expect(r.body[0].message).toContain("is the contract policy of contract definition(s) cd-later");
    await request(t.app).post('/management/v3/policydefinitions').send(pcfUsagePolicy({ id: 'later-usage' })).expect(200);
    await request(t.app).put('/management/v3/policydefinitions/later-usage').send(pcfAccessPolicy({ id: 'later-usage' })).expect(400);
  });

  it('refuses to delete a referenced policy (409); deleting the definition first frees it', async () => {
    const r = await request(t.app).delete('/management/v3/policydefinitions/pcf-usage').expect(409);
    expect(r.body[0]).toMatchObject({ type: 'ObjectConflict', message: expect.stringContaining('cd-pcf') });
    await request(t.app).delete('/management/v3/contractdefinitions/cd-pcf').expect(204);
    await request(t.app).delete('/management/v3/contractdefinitions/cd-pcf').expect(404);
    await request(t.app).delete('/management/v3/policydefinitions/pcf-usage').expect(204);
    await request(t.app).delete('/management/v3/policydefinitions/pcf-usage').expect(404);
  });

  it('updates contract definitions with PUT and queries them', async () => {
    const body = contractDefinition('cd-prefixed', 'pcf-access-membership', 'pcf-usage-ref');
    await request(t.app).put('/management/v3/contractdefinitions').send(body).expect(204);
    await request(t.app).put('/management/v3/contractdefinitions').send(contractDefinition('cd-none', 'a', 'b')).expect(404);
    const list = await request(t.app).post('/management/v3/contractdefinitions/request')
      .send({ '@context': { '@vocab': EDC }, filterExpression: [{ operandLeft: 'accessPolicyId', operator: '=', operandRight: 'pcf-access-membership' }] }).expect(200);
    expect(list.body.map((d: { '@id': string }) => d['@id'])).toEqual(['cd-prefixed']);
    await request(t.app).get('/management/v3/contractdefinitions/cd-prefixed').set('x-test-tenant', 'beta').expect(404);
    const policies = await request(t.app).post('/management/v3/policydefinitions/request').set('x-test-role', 'viewer').expect(200);
    expect(policies.body.map((d: { '@id': string }) => d['@id'])).toEqual(['dsp-context', 'later-usage', 'pcf-access-bpn', 'pcf-access-membership', 'pcf-usage-ref']);
  });

  it('validates a stored policy and gives the evaluation plan for a scope', async () => {
    const v = await request(t.app).post('/management/v3/policydefinitions/pcf-usage-ref/validate').set('x-test-role', 'viewer').expect(200);
    expect(v.body).toMatchObject({ '@type': 'PolicyValidationResult', isValid: true, errors: [] });
    const plan = await request(t.app).post('/management/v3/policydefinitions/pcf-usage-ref/evaluationplan')
      .send({ '@context': { '@vocab': EDC }, '@type': 'PolicyEvaluationPlanRequest', policyScope: 'catalog' }).expect(200);
    expect(plan.body).toMatchObject({ '@type': 'PolicyEvaluationPlan', scope: 'catalog' });
    const steps = JSON.stringify(plan.body.rules);
    expect(steps).toContain('"function":"Membership"');
    expect(steps).toContain('"applicable":false');
    const bad = await request(t.app).post('/management/v3/policydefinitions/pcf-usage-ref/evaluationplan').send({ '@context': { '@vocab': EDC }, policyScope: 'everywhere' }).expect(400);
    expect(bad.body[0]).toMatchObject({ path: 'policyScope', invalidValue: 'everywhere' });
    await request(t.app).post('/management/v3/policydefinitions/nope/validate').expect(404);
  });

  it('explains an access decision for a hypothetical partner', async () => {
    const allowed = await request(t.app).post('/management/v3/policydefinitions/pcf-access-bpn/explain').set('x-test-role', 'viewer')
      .send({ policyScope: 'catalog', counterParty: { bpn: PARTNER, credentials: [membership, bpnVc] } }).expect(200);
    expect(allowed.body).toMatchObject({ allowed: true, explanation: { scope: 'catalog', evaluatedAt: '2025-06-01T12:00:00.000Z' } });
    const denied = await request(t.app).post('/management/v3/policydefinitions/pcf-access-bpn/explain')
      .send({ counterParty: { bpn: 'BPNL000000000009', credentials: [] } }).expect(200);
    expect(denied.body.allowed).toBe(false);
    expect(JSON.stringify(denied.body.explanation)).toContain('MembershipCredential');
    const expired = await request(t.app).post('/management/v3/policydefinitions/pcf-access-membership/explain')
      .send({ at: '2027-01-01T00:00:00Z', counterParty: { credentials: [membership] } }).expect(200);
    expect(expired.body.allowed).toBe(false);
    const bad = await request(t.app).post('/management/v3/policydefinitions/pcf-access-bpn/explain').send({ counterParty: { credentials: [{ type: 1 }] } }).expect(400);
    expect(bad.body[0].path).toBe('counterParty.credentials[0]');
    await request(t.app).post('/management/v3/policydefinitions/pcf-access-bpn/explain').set('x-test-tenant', 'beta').send({}).expect(404);
  });

  it('audits policy and contract definition changes', async () => {
    const records = await t.db.withTenant('alpha', (tx) => readAudit(tx));
    const actions = records.map((r) => r.action);
    expect(actions.filter((a) => a === 'policy-definition.create')).toHaveLength(6);
    expect(actions).toEqual(expect.arrayContaining(['policy-definition.update', 'policy-definition.delete', 'contract-definition.create', 'contract-definition.update', 'contract-definition.delete']));
    expect(records.find((r) => r.action === 'policy-definition.delete')?.target).toBe('policy-definition/pcf-usage');
  });
});
