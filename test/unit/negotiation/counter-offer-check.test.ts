// The provider's counter-offer check (narrow, never widen) and the manual-approval flag reader.
import type { AtomicConstraint, Policy, Rule } from '../../../policies/index';
import { checkCounterOffer } from '../../../connector/negotiation/counter-offer-check';
import type { CatalogContractDefinition } from '../../../connector/catalog-service/catalog-source';
import { requiresManualApproval } from '../../../connector/negotiation/manual-approval';

const USE = 'http://www.w3.org/ns/odrl/2/use';
const atom = (left: string, value: string): AtomicConstraint => ({ type: 'atomic', leftOperand: `https://w3id.org/catenax/2025/9/policy/${left}`, operator: 'eq', rightOperand: [{ value }] });
const FW = atom('FrameworkAgreement', 'DataExchangeGovernance:1.0');
const PURPOSE = atom('UsagePurpose', 'cx.pcf.base:1');
const BPN = atom('BusinessPartnerNumber', 'BPNL000000000OEM');
const rule = (kind: Rule['kind'], constraints: Rule['constraints'], extra: Partial<Rule> = {}): Rule => ({ kind, action: USE, constraints, ...extra });
const policy = (permissions: Rule[], prohibitions: Rule[] = [], obligations: Rule[] = []): Policy => ({ type: 'Set', permissions, prohibitions, obligations });

const contract = policy([rule('permission', [FW, PURPOSE])], [rule('prohibition', [atom('UsagePurpose', 'cx.resale:1')])]);
const prohibitions = contract.prohibitions as Rule[];

describe('checkCounterOffer', () => {
  it('accepts the contract policy itself, in another order and with nested and', () => {
    expect(checkCounterOffer(contract, contract)).toEqual({ ok: true, value: true });
    const nested = policy([rule('permission', [{ type: 'logical', operator: 'and', constraints: [PURPOSE, FW] }])], prohibitions);
    expect(checkCounterOffer(nested, contract).ok).toBe(true);
  });

  it('accepts a narrower permission, extra prohibitions and extra duties', () => {
    const narrower = policy([rule('permission', [FW, PURPOSE, BPN], { duties: [rule('obligation', [])] })], [...prohibitions, rule('prohibition', [])], [rule('obligation', [BPN])]);
    expect(checkCounterOffer(narrower, contract).ok).toBe(true);
  });

  it.each([
    ['a dropped constraint', policy([rule('permission', [FW])], prohibitions)],
    ['a changed constraint value', policy([rule('permission', [FW, atom('UsagePurpose', 'cx.other:1')])], prohibitions)],
    ['an extra permission', policy([rule('permission', [FW, PURPOSE]), rule('permission', [], { action: 'http://www.w3.org/ns/odrl/2/read' })], prohibitions)],
    ['another action', policy([rule('permission', [FW, PURPOSE], { action: 'http://www.w3.org/ns/odrl/2/read' })], prohibitions)],
    ['a dropped prohibition', policy([rule('permission', [FW, PURPOSE])])],
    ['an or instead of the and', policy([rule('permission', [{ type: 'logical', operator: 'or', constraints: [FW, PURPOSE] }])], prohibitions)],
    ['no permission at all', policy([], prohibitions)],
  ])('refuses %s', (_name, counter) => {
    const r = checkCounterOffer(counter, contract);
    expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('refuses dropping a duty of the contract permission', () => {
    const withDuty = policy([rule('permission', [FW], { duties: [rule('obligation', [BPN])] })]);
    expect(checkCounterOffer(policy([rule('permission', [FW])]), withDuty).ok).toBe(false);
    expect(checkCounterOffer(withDuty, withDuty).ok).toBe(true);
  });
});

describe('requiresManualApproval', () => {
  it.each<[Partial<CatalogContractDefinition> | undefined, boolean]>([
    [{ privateProperties: { 'https://w3id.org/edc/v0.0.1/ns/manualApproval': true } }, true],
    [{ privateProperties: { 'https://w3id.org/edc/v0.0.1/ns/manualApproval': [{ '@value': 'true' }] } }, true],
    [{ privateProperties: { 'edc:manualApproval': 'true' } }, true],
    [{ privateProperties: { manualApproval: true } }, true],
    [{ privateProperties: { manualApproval: false } }, false],
    [{ privateProperties: { manualApproval: 'yes' } }, false],
    [{ privateProperties: {} }, false],
    [{ id: 'def', accessPolicyId: 'access', contractPolicyId: 'usage' }, false],
    [undefined, false],
  ])('%j → %s', (definition, expected) => {
    expect(requiresManualApproval(definition)).toBe(expected);
  });
});
