// Normalised policy equality (negotiation offer check) and the CX-0136 PCF policy templates.
import type { Policy } from '../../../policies';
import {
  canonicalPolicyKey,
  createCatenaXFunctions,
  createPolicyEngine,
  parsePolicy,
  pcfAccessPolicy,
  pcfUsagePolicy,
  policiesEquivalent,
  serializePolicy,
} from '../../../policies';
import { CX_CONTEXTS, PARTNER_BPN, context, governanceVc, memberContext, membershipVc } from './fixtures';

const CX = 'https://w3id.org/catenax/2025/9/policy/';
const ODRL = 'http://www.w3.org/ns/odrl/2/';

async function parse(doc: unknown): Promise<Policy> {
  const r = await parsePolicy(doc);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

const offer = (permission: unknown[], extra: Record<string, unknown> = {}): unknown => ({ '@context': CX_CONTEXTS, '@type': 'Offer', permission, ...extra });
const FA = { leftOperand: 'FrameworkAgreement', operator: 'eq', rightOperand: 'DataExchangeGovernance:1.0' };
const M = { leftOperand: 'Membership', operator: 'eq', rightOperand: 'active' };
const UP = { leftOperand: 'UsagePurpose', operator: 'isAnyOf', rightOperand: ['cx.pcf.base:1', 'cx.quality.base:1'] };

describe('policiesEquivalent', () => {
  it('ignores rule and constraint order, and-nesting, scalar vs array and compact names vs IRIs', async () => {
    const provider = await parse(offer([{ action: 'use', constraint: [{ and: [FA, M, UP] }] }], { '@id': 'offer-1' }));
    const consumer = await parse({
      '@context': { odrl: ODRL },
      '@type': 'odrl:Offer',
      '@id': 'offer-1',
      'odrl:target': { '@id': 'urn:asset:1' },
      'odrl:assigner': { '@id': 'did:web:provider' },
      'odrl:permission': [{
        'odrl:action': { '@id': `${ODRL}use` },
        'odrl:constraint': [
          { 'odrl:leftOperand': { '@id': `${CX}UsagePurpose` }, 'odrl:operator': { '@id': 'odrl:isAnyOf' }, 'odrl:rightOperand': ['cx.quality.base:1', 'cx.pcf.base:1'] },
          { 'odrl:and': [
            { 'odrl:leftOperand': { '@id': `${CX}Membership` }, 'odrl:operator': { '@id': 'odrl:eq' }, 'odrl:rightOperand': ['active'] },
            { 'odrl:leftOperand': { '@id': `${CX}FrameworkAgreement` }, 'odrl:operator': { '@id': 'odrl:eq' }, 'odrl:rightOperand': 'DataExchangeGovernance:1.0' },
          ] },
        ],
      }],
    });
    expect(policiesEquivalent(provider, consumer)).toBe(true);
    expect(policiesEquivalent(provider, consumer, { compareTarget: true })).toBe(false);
  });

  it('treats numeric and string forms alike and rule order as irrelevant', async () => {
    const a = await parse(offer([
      { action: 'use', constraint: [{ leftOperand: 'WarrantyDurationMonths', operator: 'eq', rightOperand: 12 }] },
      { action: 'access', constraint: [M] },
    ]));
    const b = await parse(offer([
      { action: 'access', constraint: [{ and: [M] }] },
      { action: 'use', constraint: [{ leftOperand: 'WarrantyDurationMonths', operator: 'eq', rightOperand: '12' }] },
    ]));
    expect(policiesEquivalent(a, b)).toBe(true);
    expect(canonicalPolicyKey(a)).toBe(canonicalPolicyKey(b));
  });

  it('detects a changed value, operator, extra constraint, logic or rule kind', async () => {
    const base = await parse(offer([{ action: 'use', constraint: [{ and: [FA, M] }] }]));
    const variants: unknown[] = [
      offer([{ action: 'use', constraint: [{ and: [FA, { ...M, rightOperand: 'inactive' }] }] }]),
      offer([{ action: 'use', constraint: [{ and: [FA, { ...M, operator: 'neq' }] }] }]),
      offer([{ action: 'use', constraint: [{ and: [FA, M, UP] }] }]),
      offer([{ action: 'use', constraint: [{ or: [FA, M] }] }]),
      offer([{ action: 'access', constraint: [{ and: [FA, M] }] }]),
      { '@context': CX_CONTEXTS, '@type': 'Offer', prohibition: [{ action: 'use', constraint: [{ and: [FA, M] }] }] },
    ];
    for (const v of variants) expect(policiesEquivalent(base, await parse(v))).toBe(false);
  });

  it('keeps andSequence ordered but xone unordered', async () => {
    const seq = (a: unknown, b: unknown): unknown => offer([{ action: 'use', constraint: [{ andSequence: [a, b] }] }]);
    expect(policiesEquivalent(await parse(seq(FA, M)), await parse(seq(M, FA)))).toBe(false);
    const x = (a: unknown, b: unknown): unknown => offer([{ action: 'use', constraint: [{ xone: [a, b] }] }]);
    expect(policiesEquivalent(await parse(x(FA, M)), await parse(x(M, FA)))).toBe(true);
  });
});

describe('PCF policy templates', () => {
  const engine = createPolicyEngine({ functions: createCatenaXFunctions() });

  it('the usage policy validates and allows a member holding the framework agreement', async () => {
    const p = await parse(pcfUsagePolicy());
    expect(engine.validate(p, { kind: 'usage' }).ok).toBe(true);
    expect(engine.evaluate(p, 'contract.negotiation', memberContext()).allowed).toBe(true);
    expect(engine.evaluate(p, 'contract.negotiation', context([membershipVc()])).allowed).toBe(false);
    expect(engine.evaluate(p, 'transfer.process', context([governanceVc('1.0')])).allowed).toBe(false);
  });

  it('adds bilateral contract references and an id', async () => {
    const doc = pcfUsagePolicy({ id: 'pcf-usage-acme', contractReferences: ['contract-7'] });
    expect(doc['@id']).toBe('pcf-usage-acme');
    const p = await parse(doc);
    expect(engine.validate(p, { kind: 'usage' }).ok).toBe(true);
    const and = serializePolicy(p, 'dsp-2025-1')['permission'] as { constraint: { and: unknown[] }[] }[];
    expect(and[0]?.constraint[0]?.and).toContainEqual({ leftOperand: 'ContractReference', operator: 'isAllOf', rightOperand: ['contract-7'] });
    expect(JSON.stringify(pcfUsagePolicy())).not.toContain('contract-7');
  });

  it('the membership-only access policy validates and admits any member', async () => {
    const p = await parse(pcfAccessPolicy());
    expect(engine.validate(p, { kind: 'access' }).ok).toBe(true);
    expect(engine.evaluate(p, 'catalog', memberContext()).allowed).toBe(true);
    expect(engine.evaluate(p, 'catalog', context([])).allowed).toBe(false);
  });

  it('the BPN-restricted access policy admits only the listed partners', async () => {
    const p = await parse(pcfAccessPolicy({ bpns: [PARTNER_BPN], id: 'acme-only' }));
    expect(engine.validate(p, { kind: 'access' }).ok).toBe(true);
    expect(engine.evaluate(p, 'catalog', memberContext()).allowed).toBe(true);
    const other = await parse(pcfAccessPolicy({ bpns: ['BPNL000000000009'] }));
    expect(engine.evaluate(other, 'catalog', memberContext()).allowed).toBe(false);
    expect(() => pcfAccessPolicy({ bpns: ['ACME'] })).toThrow('not a BPNL: ACME');
  });
});
