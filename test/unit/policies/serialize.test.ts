// Serialization per dialect: exact shapes, DSP 2025-1 schema validity, and lossless round trips through parsing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import jsonld from 'jsonld';
import { offlineDocumentLoader } from '../../../schemas/contexts';
import type { Policy } from '../../../policies';
import { parseExpandedPolicy, parsePolicy, requiredContexts, serializePolicy } from '../../../policies';
import { CX_CONTEXTS, SPECS } from './fixtures';

const ODRL = 'http://www.w3.org/ns/odrl/2/';
const CX = 'https://w3id.org/catenax/2025/9/policy/';
const EDC = 'https://w3id.org/edc/v0.0.1/ns/';

const AGREEMENT: Policy = {
  id: 'urn:uuid:agreement-1',
  type: 'Agreement',
  target: 'urn:uuid:asset-1',
  assigner: 'did:web:provider.example',
  assignee: 'did:web:consumer.example',
  timestamp: '2025-06-01T12:00:00Z',
  permissions: [
    {
      kind: 'permission',
      action: `${ODRL}use`,
      constraints: [{
        type: 'logical',
        operator: 'and',
        constraints: [
          { type: 'atomic', leftOperand: `${CX}FrameworkAgreement`, operator: 'eq', rightOperand: [{ value: 'DataExchangeGovernance:1.0' }] },
          { type: 'atomic', leftOperand: `${CX}UsagePurpose`, operator: 'isAnyOf', rightOperand: [{ value: 'cx.pcf.base:1' }] },
          {
            type: 'logical',
            operator: 'or',
            constraints: [
              { type: 'atomic', leftOperand: `${EDC}inForceDate`, operator: 'lt', rightOperand: [{ value: 'contractAgreement + 30d', datatype: `${EDC}dateExpression` }] },
              { type: 'atomic', leftOperand: 'https://w3id.org/catenax/policy/FrameworkAgreement.pcf', operator: 'eq', rightOperand: [{ value: 'active' }] },
            ],
          },
          { type: 'atomic', leftOperand: `${CX}WarrantyDurationMonths`, operator: 'eq', rightOperand: [{ value: 12 }] },
          { type: 'atomic', leftOperand: `${CX}BusinessPartnerGroup`, operator: 'isNoneOf', rightOperand: [{ value: 'urn:group:blocked', isIri: true }, { value: 'grey' }] },
        ],
      }],
      duties: [{ kind: 'obligation', action: `${ODRL}use`, constraints: [] }],
    },
  ],
  prohibitions: [{
    kind: 'prohibition',
    action: `${ODRL}use`,
    constraints: [{ type: 'atomic', leftOperand: `${CX}UsageRestriction`, operator: 'isAllOf', rightOperand: [{ value: 'cx.thirdParty.forbidden:1' }] }],
  }],
  obligations: [{
    kind: 'obligation',
    action: `${ODRL}use`,
    constraints: [{ type: 'atomic', leftOperand: `${CX}DataProvisioningEndDate`, operator: 'eq', rightOperand: [{ value: '2026-01-01T00:00:00Z', datatype: 'http://www.w3.org/2001/XMLSchema#dateTime' }] }],
  }],
};

async function expandMessage(doc: unknown): Promise<Record<string, unknown>> {
  const [message] = await jsonld.expand(doc as jsonld.JsonLdDocument, { documentLoader: offlineDocumentLoader as never });
  return message as Record<string, unknown>;
}

function contractSchemaValidator(definition: string): (data: unknown) => boolean {
  const ajv = new Ajv2019({ strict: false });
  const schema = JSON.parse(readFileSync(path.join(SPECS, 'dsp-2025-1/negotiation/contract-schema.json'), 'utf8')) as { $id: string };
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${schema.$id}#/definitions/${definition}`);
  if (validate === undefined) throw new Error(`no definition ${definition}`);
  return (data) => {
    const ok = validate(data) as boolean;
    if (!ok) throw new Error(JSON.stringify(validate.errors));
    return ok;
  };
}

describe('serializePolicy: dsp-2025-1', () => {
  it('writes unprefixed compact terms, arrays for set operators, no @context by default', () => {
    const out = serializePolicy(AGREEMENT, 'dsp-2025-1');
    expect(out['@context']).toBeUndefined();
    expect(out).toMatchObject({ '@id': 'urn:uuid:agreement-1', '@type': 'Agreement', target: 'urn:uuid:asset-1', timestamp: '2025-06-01T12:00:00Z' });
    const and = ((out['permission'] as Record<string, unknown>[])[0]?.['constraint'] as Record<string, unknown[]>[])[0]?.['and'];
    expect(and?.[0]).toEqual({ leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' });
    expect(and?.[1]).toEqual({ leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] });
    expect(and?.[4]).toEqual({ leftOperand: 'BusinessPartnerGroup', operator: 'isNoneOf', rightOperand: [{ '@id': 'urn:group:blocked' }, 'grey'] });
    expect(requiredContexts('dsp-2025-1')).toEqual(['https://w3id.org/catenax/2025/9/policy/context.jsonld']);
  });

  it('validates against the DSP 2025-1 contract schema (Agreement and MessageOffer)', () => {
    expect(contractSchemaValidator('Agreement')(serializePolicy(AGREEMENT, 'dsp-2025-1'))).toBe(true);
    const { assignee: _a, timestamp: _t, ...rest } = AGREEMENT;
    const offer: Policy = { ...rest, type: 'Offer' };
    expect(contractSchemaValidator('MessageOffer')(serializePolicy(offer, 'dsp-2025-1'))).toBe(true);
  });

  it('round-trips inside a ContractAgreementMessage', async () => {
    const message = {
      '@context': ['https://w3id.org/dspace/2025/1/context.jsonld', ...requiredContexts('dsp-2025-1')],
      '@type': 'ContractAgreementMessage',
      providerPid: 'urn:uuid:p',
      consumerPid: 'urn:uuid:c',
      agreement: serializePolicy(AGREEMENT, 'dsp-2025-1'),
    };
    const expanded = await expandMessage(message);
    const parsed = parseExpandedPolicy(expanded['https://w3id.org/dspace/2025/1/agreement']);
    expect(parsed.ok && parsed.value).toEqual(AGREEMENT);
  });

  it('round-trips standalone with its own @context', async () => {
    const { timestamp: _t, ...noTimestamp } = AGREEMENT;
    const parsed = await parsePolicy(serializePolicy(noTimestamp, 'dsp-2025-1', { includeContext: true }));
    expect(parsed.ok && parsed.value).toEqual(noTimestamp);
  });
});

describe('serializePolicy: dsp-2024-1', () => {
  it('writes odrl: prefixed keys and values, full IRIs for non-ODRL terms', () => {
    const out = serializePolicy(AGREEMENT, 'dsp-2024-1');
    expect(out).toMatchObject({ '@type': 'odrl:Agreement', 'odrl:target': 'urn:uuid:asset-1', 'dspace:timestamp': '2025-06-01T12:00:00Z' });
    const rule = (out['odrl:permission'] as Record<string, unknown>[])[0];
    expect(rule?.['odrl:action']).toBe('odrl:use');
    const and = (rule?.['odrl:constraint'] as Record<string, unknown[]>[])[0]?.['odrl:and'];
    expect(and?.[0]).toEqual({ 'odrl:leftOperand': `${CX}FrameworkAgreement`, 'odrl:operator': 'odrl:eq', 'odrl:rightOperand': 'DataExchangeGovernance:1.0' });
  });

  it('round-trips inside a 2024-1 ContractAgreementMessage', async () => {
    const message = {
      '@context': 'https://w3id.org/dspace/2024/1/context.json',
      '@type': 'dspace:ContractAgreementMessage',
      'dspace:providerPid': 'urn:uuid:p',
      'dspace:consumerPid': 'urn:uuid:c',
      'dspace:agreement': serializePolicy(AGREEMENT, 'dsp-2024-1'),
    };
    const expanded = await expandMessage(message);
    const parsed = parseExpandedPolicy(expanded['https://w3id.org/dspace/2024/1/agreement']);
    expect(parsed.ok && parsed.value).toEqual(AGREEMENT);
  });
});

describe('serializePolicy: edc-management', () => {
  it('writes the EDC Management API v3 shape with its @context', () => {
    const out = serializePolicy(AGREEMENT, 'edc-management');
    expect(out['@context']).toEqual({ '@vocab': EDC, edc: EDC, odrl: ODRL, 'cx-policy': CX });
    const rule = (out['odrl:permission'] as Record<string, unknown>[])[0];
    expect(rule?.['odrl:action']).toEqual({ '@id': 'odrl:use' });
    const and = (rule?.['odrl:constraint'] as Record<string, unknown[]>[])[0]?.['odrl:and'];
    expect(and?.[0]).toEqual({ 'odrl:leftOperand': { '@id': 'cx-policy:FrameworkAgreement' }, 'odrl:operator': { '@id': 'odrl:eq' }, 'odrl:rightOperand': 'DataExchangeGovernance:1.0' });
    const empty = serializePolicy({ type: 'Set', permissions: [], prohibitions: [], obligations: [] }, 'edc-management');
    expect(empty).toMatchObject({ '@type': 'odrl:Set', 'odrl:permission': [], 'odrl:prohibition': [], 'odrl:obligation': [] });
  });

  it('round-trips through parsePolicy', async () => {
    const parsed = await parsePolicy(serializePolicy(AGREEMENT, 'edc-management'));
    expect(parsed.ok && parsed.value).toEqual(AGREEMENT);
  });

  it('a parsed DSP 2025-1 offer serializes back to the same compact JSON', async () => {
    const offer = {
      '@id': 'urn:uuid:offer-1',
      '@type': 'Offer',
      permission: [{ action: 'use', constraint: [{ and: [
        { leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' },
        { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' },
        { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1'] },
      ] }] }],
    };
    const parsed = await parsePolicy({ '@context': CX_CONTEXTS, ...offer });
    expect(parsed.ok && serializePolicy(parsed.value, 'dsp-2025-1')).toEqual(offer);
  });
});
