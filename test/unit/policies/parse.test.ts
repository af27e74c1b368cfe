// Every supported context style parses to the same model; DSP examples parse; bad input yields precise errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsonld from 'jsonld';
import { offlineDocumentLoader } from '../../../schemas/contexts';
import type { Policy, PolicyResult } from '../../../policies';
import { parseExpandedPolicy, parsePolicy, parsePolicyDefinition, pcfUsagePolicy } from '../../../policies';
import { CX_CONTEXTS, SPECS } from './fixtures';

const ODRL = 'http://www.w3.org/ns/odrl/2/';
const CX = 'https://w3id.org/catenax/2025/9/policy/';
const EDC = 'https://w3id.org/edc/v0.0.1/ns/';

const compactAnd = [
  { leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' },
  { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' },
  { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] },
];

/** The PCF usage policy in each context style partners send. */
const STYLES: Record<string, unknown> = {
  'DSP 2025-1 profile + Catena-X 2025/9': {
    '@context': CX_CONTEXTS,
    '@type': 'Set',
    permission: [{ action: 'use', constraint: [{ and: compactAnd }] }],
  },
  'DSP 2024-1 odrl: prefixed': {
    '@context': 'https://w3id.org/dspace/2024/1/context.json',
    '@type': 'odrl:Set',
    'odrl:permission': [{
      'odrl:action': 'odrl:use',
      'odrl:constraint': [{ 'odrl:and': [
        { 'odrl:leftOperand': `${CX}FrameworkAgreement`, 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 'DataExchangeGovernance:1.0' },
        { 'odrl:leftOperand': `${CX}Membership`, 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 'active' },
        { 'odrl:leftOperand': `${CX}UsagePurpose`, 'odrl:operator': 'odrl:isAnyOf', 'odrl:rightOperand': ['cx.pcf.base:1'] },
      ] }],
    }],
  },
  'W3C ODRL context + Catena-X 2025/9': {
    '@context': ['http://www.w3.org/ns/odrl.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld'],
    '@type': 'Set',
    permission: [{ action: 'use', constraint: [{ and: compactAnd }] }],
  },
  'deprecated Catena-X ODRL context': {
    '@context': ['https://w3id.org/catenax/2025/9/policy/odrl.jsonld', 'https://w3id.org/catenax/2025/9/policy/context.jsonld'],
    '@type': 'Set',
    permission: [{ action: 'use', constraint: [{ and: compactAnd }] }],
  },
  'EDC @vocab with odrl and cx-policy prefixes (management API output)': {
    '@context': { '@vocab': EDC, odrl: ODRL, 'cx-policy': CX },
    '@type': 'odrl:Set',
    'odrl:permission': [{
      'odrl:action': { '@id': 'odrl:use' },
      'odrl:constraint': { 'odrl:and': [
        { 'odrl:leftOperand': { '@id': 'cx-policy:FrameworkAgreement' }, 'odrl:operator': { '@id': 'odrl:eq' }, 'odrl:rightOperand': 'DataExchangeGovernance:1.0' },
        { 'odrl:leftOperand': { '@id': 'cx-policy:Membership' }, 'odrl:operator': { '@id': 'odrl:eq' }, 'odrl:rightOperand': 'active' },
        { 'odrl:leftOperand': { '@id': 'cx-policy:UsagePurpose' }, 'odrl:operator': { '@id': 'odrl:isAnyOf' }, 'odrl:rightOperand': 'cx.pcf.base:1' },
      ] },
    }],
  },
  'EDC @vocab with plain string terms': {
    '@context': { '@vocab': EDC, odrl: ODRL },
    '@type': 'odrl:Set',
    'odrl:permission': [{
      'odrl:action': 'use',
      'odrl:constraint': [{ 'odrl:and': [
        { 'odrl:leftOperand': 'FrameworkAgreement', 'odrl:operator': 'eq', 'odrl:rightOperand': 'DataExchangeGovernance:1.0' },
        { 'odrl:leftOperand': 'cx-policy:Membership', 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 'active' },
        { 'odrl:leftOperand': `${CX}UsagePurpose`, 'odrl:operator': `${ODRL}isAnyOf`, 'odrl:rightOperand': ['cx.pcf.base:1'] },
      ] }],
    }],
  },
  'inline prefix map': {
    '@context': { o: ODRL, c: CX },
    '@type': 'o:Set',
    'o:permission': [{
      'o:action': { '@id': 'o:use' },
      'o:constraint': [{ 'o:and': [
        { 'o:leftOperand': { '@id': 'c:FrameworkAgreement' }, 'o:operator': { '@id': 'o:eq' }, 'o:rightOperand': 'DataExchangeGovernance:1.0' },
        { 'o:leftOperand': { '@id': 'c:Membership' }, 'o:operator': { '@id': 'o:eq' }, 'o:rightOperand': 'active' },
        { 'o:leftOperand': { '@id': 'c:UsagePurpose' }, 'o:operator': { '@id': 'o:isAnyOf' }, 'o:rightOperand': ['cx.pcf.base:1'] },
      ] }],
    }],
  },
  'no @context (plain DSP 2025-1 JSON)': {
    '@type': 'Set',
    permission: [{ action: 'use', constraint: [{ and: compactAnd }] }],
  },
  'EDC PolicyDefinition wrapper (template)': pcfUsagePolicy(),
};

const EXPECTED: Policy = {
  type: 'Set',
  permissions: [{
    kind: 'permission',
    action: `${ODRL}use`,
    constraints: [{
      type: 'logical',
      operator: 'and',
      constraints: [
        { type: 'atomic', leftOperand: `${CX}FrameworkAgreement`, operator: 'eq', rightOperand: [{ value: 'DataExchangeGovernance:1.0' }] },
        { type: 'atomic', leftOperand: `${CX}Membership`, operator: 'eq', rightOperand: [{ value: 'active' }] },
        { type: 'atomic', leftOperand: `${CX}UsagePurpose`, operator: 'isAnyOf', rightOperand: [{ value: 'cx.pcf.base:1' }] },
      ],
    }],
  }],
  prohibitions: [],
  obligations: [],
};

function value<T>(r: PolicyResult<T>): T {
  if (!r.ok) throw new Error(`expected success, got: ${r.message}`);
  return r.value;
}

function errorsOf<T>(r: PolicyResult<T>): string {
  if (r.ok) throw new Error('expected a failure');
  return r.message;
}

describe('parsePolicy: context styles', () => {
  it.each(Object.entries(STYLES))('%s parses to the common model', async (_name, doc) => {
    expect(value(await parsePolicy(doc))).toEqual(EXPECTED);
  });

  it('the already-expanded form parses synchronously to the same model', async () => {
    const expanded = await jsonld.expand(STYLES['DSP 2025-1 profile + Catena-X 2025/9'] as jsonld.JsonLdDocument, {
      documentLoader: offlineDocumentLoader as never,
    });
    expect(value(parseExpandedPolicy(expanded))).toEqual(EXPECTED);
    expect(value(parseExpandedPolicy(expanded[0]))).toEqual(EXPECTED);
  });

  it('keeps the PolicyDefinition id apart from the policy', async () => {
    const r = value(await parsePolicyDefinition(pcfUsagePolicy({ id: 'my-usage' })));
    expect(r.definitionId).toBe('my-usage');
    expect(r.policy.id).toBeUndefined();
  });

  it('reads the legacy Tractus-X v1.0.0 context into the legacy namespace', async () => {
    const p = value(await parsePolicy({
      '@context': ['http://www.w3.org/ns/odrl.jsonld', 'https://w3id.org/tractusx/policy/v1.0.0'],
      '@type': 'Offer',
      permission: [{ action: 'use', constraint: [
        { leftOperand: 'FrameworkAgreement.pcf', operator: 'eq', rightOperand: 'active' },
        { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' },
      ] }],
    }));
    expect(p.type).toBe('Offer');
    expect(p.permissions[0]?.constraints.map((c) => (c.type === 'atomic' ? c.leftOperand : ''))).toEqual([
      'https://w3id.org/catenax/policy/FrameworkAgreement.pcf',
      'https://w3id.org/catenax/policy/Membership',
    ]);
  });

  it('reads the Catena-X access action, agreements parties and typed/IRI right operands', async () => {
    const p = value(await parsePolicy({
      '@context': CX_CONTEXTS,
      '@type': 'Agreement',
      '@id': 'urn:uuid:agreement-1',
      target: 'urn:uuid:asset-1',
      assigner: 'did:web:provider',
      assignee: 'did:web:consumer',
      permission: [{ action: 'access', constraint: [
        { leftOperand: `${EDC}inForceDate`, operator: 'lt', rightOperand: { '@value': '2030-01-01T00:00:00Z', '@type': 'http://www.w3.org/2001/XMLSchema#dateTime' } },
        { leftOperand: 'BusinessPartnerGroup', operator: 'isAnyOf', rightOperand: [{ '@id': 'urn:group:gold' }, 'silver'] },
      ] }],
      prohibition: [{ action: 'use' }],
    }));
    expect(p).toMatchObject({ id: 'urn:uuid:agreement-1', type: 'Agreement', target: 'urn:uuid:asset-1', assigner: 'did:web:provider', assignee: 'did:web:consumer' });
    expect(p.permissions[0]?.action).toBe(`${CX}access`);
    expect(p.permissions[0]?.constraints[0]).toEqual({
      type: 'atomic', leftOperand: `${EDC}inForceDate`, operator: 'lt',
      rightOperand: [{ value: '2030-01-01T00:00:00Z', datatype: 'http://www.w3.org/2001/XMLSchema#dateTime' }],
    });
    expect(p.permissions[0]?.constraints[1]).toMatchObject({ rightOperand: [{ value: 'urn:group:gold', isIri: true }, { value: 'silver' }] });
    expect(p.prohibitions).toEqual([{ kind: 'prohibition', action: `${ODRL}use`, constraints: [] }]);
  });
});

describe('parseExpandedPolicy: DSP examples', () => {
  async function expandFile(rel: string): Promise<Record<string, unknown>> {
    const doc = JSON.parse(readFileSync(path.join(SPECS, rel), 'utf8')) as jsonld.JsonLdDocument;
    const [message] = await jsonld.expand(doc, { documentLoader: offlineDocumentLoader as never });
    return message as Record<string, unknown>;
  }

  it('parses the 2025-1 full agreement with and/or/xone/andSequence and nesting', async () => {
    const msg = await expandFile('dsp-2025-1/negotiation/example/contract-agreement-message-full.json');
    const p = value(parseExpandedPolicy(msg['https://w3id.org/dspace/2025/1/agreement']));
    expect(p).toMatchObject({ type: 'Agreement', target: 'urn:uuid:3dd1add4-4d2d-569e-d634-8394a8836d23', timestamp: '2023-01-01T01:00:00Z' });
    expect(p.permissions).toHaveLength(7);
    const ops = p.permissions.map((r) => r.constraints[0]?.type === 'logical' ? r.constraints[0].operator : 'atomic');
    expect(ops).toEqual(['atomic', 'and', 'or', 'atomic', 'andSequence', 'xone', 'or']);
    const nested = p.permissions[6]?.constraints[0];
    expect(nested?.type === 'logical' && nested.constraints[0]?.type === 'logical' && nested.constraints[0].operator).toBe('and');
    expect(p.permissions[0]?.constraints[0]).toMatchObject({ leftOperand: `${ODRL}dateTime`, operator: 'lteq' });
  });

  it('parses the 2024-1 agreement (odrl: prefixed, typed date, the example\'s odrl:operand spelling)', async () => {
    const msg = await expandFile('dsp-2024-1/negotiation/message/example/contract-agreement-message.json');
    const p = value(parseExpandedPolicy(msg['https://w3id.org/dspace/2024/1/agreement']));
    expect(p).toMatchObject({ type: 'Agreement', assigner: 'urn:tsdshhs636378', assignee: 'urn:jashd766', timestamp: '2023-01-01T01:00:00Z' });
    expect(p.permissions[0]?.constraints[0]).toEqual({
      type: 'atomic', leftOperand: `${ODRL}dateTime`, operator: 'lteq',
      rightOperand: [{ value: '2023-12-31T06:00Z', datatype: 'http://www.w3.org/2001/XMLSchema#dateTime' }],
    });
  });

  it('parses the 2025-1 dataset offer (no target)', async () => {
    const msg = await expandFile('dsp-2025-1/catalog/example/dataset.json');
    const p = value(parseExpandedPolicy(msg['http://www.w3.org/ns/odrl/2/hasPolicy']));
    expect(p).toMatchObject({ type: 'Offer', id: 'urn:uuid:2828282:3dd1add8-4d2d-569e-d634-8394a8836a88' });
    expect(p.target).toBeUndefined();
  });
});

describe('parse errors are values with a path and a precise message', () => {
  const rule = (constraint: unknown): unknown => ({ '@context': CX_CONTEXTS, '@type': 'Set', permission: [{ action: 'use', constraint: [constraint] }] });

  it('refuses a context that is not bundled, without fetching it', async () => {
    const r = await parsePolicy({ '@context': 'https://evil.example/ctx.jsonld', '@type': 'Set' });
    expect(r.ok).toBe(false);
    expect(errorsOf(r)).toContain('https://evil.example/ctx.jsonld is not bundled');
  });

  it('explains ODRL terms swallowed by the EDC @vocab', async () => {
    const r = await parsePolicy({ '@context': { '@vocab': EDC }, '@type': 'Set', permission: [{ action: 'use' }] });
    expect(errorsOf(r)).toContain(`'permission' expanded to ${EDC}permission: the ODRL context is missing`);
  });

  it('refuses ODRL properties the context does not define instead of dropping them', async () => {
    const r = await parsePolicy({ '@context': { odrl: ODRL }, '@type': 'odrl:Set', permission: [{ 'odrl:action': 'odrl:use' }] });
    expect(errorsOf(r)).toContain("'permission' is not defined by the document's @context");
  });

  it('names the unknown operator and where it is', async () => {
    const r = await parsePolicy(rule({ and: [{ leftOperand: 'Membership', operator: 'approximately', rightOperand: 'active' }] }));
    expect(r.ok === false && r.details).toEqual([{ path: 'permission[0].constraint[0].and[0].operator', message: "unknown operator 'approximately'" }]);
  });

  it('requires operator and right operand', async () => {
    const r = await parsePolicy(rule({ leftOperand: 'Membership' }));
    expect(r.ok === false && r.details.map((d) => d.path)).toEqual(['permission[0].constraint[0].operator', 'permission[0].constraint[0].rightOperand']);
  });

  it('refuses a constraint that mixes atomic and logical forms', async () => {
    const r = await parsePolicy(rule({ leftOperand: 'Membership', operator: 'eq', rightOperand: 'active', and: [] }));
    expect(errorsOf(r)).toContain('permission[0].constraint[0]: a constraint must be either atomic');
  });

  it('refuses a missing action, refinements and unsupported policy classes', async () => {
    expect(errorsOf(await parsePolicy({ '@context': CX_CONTEXTS, '@type': 'Set', permission: [{ constraint: [] }] }))).toContain('permission[0].action: action is required');
    const refined = parseExpandedPolicy({
      '@type': [`${ODRL}Set`],
      [`${ODRL}permission`]: [{ [`${ODRL}action`]: [{ '@id': `${ODRL}use`, [`${ODRL}refinement`]: [{}] }] }],
    });
    expect(errorsOf(refined)).toContain('action refinements are not supported');
    expect(errorsOf(parseExpandedPolicy({ '@type': [`${ODRL}Ticket`] }))).toContain('unsupported policy type');
  });

  it('refuses input that is not a policy node', () => {
    expect(errorsOf(parseExpandedPolicy('Set'))).toContain('policy must be a single JSON-LD node object');
    expect(errorsOf(parseExpandedPolicy([{}, {}]))).toContain('policy must be a single JSON-LD node object');
  });

  it('reports a nested right operand object', async () => {
    const r = await parsePolicy(rule({ leftOperand: 'Membership', operator: 'eq', rightOperand: { '@id': 'x', [`${ODRL}value`]: 1 } }));
    expect(r.ok === false && r.details[0]?.path).toBe('permission[0].constraint[0].rightOperand[0]');
  });
});
