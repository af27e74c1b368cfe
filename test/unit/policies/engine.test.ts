// The generic engine: nested logic, scopes, rule kinds, duties, faults, explanations and evaluation plans.
import type { AtomicConstraint, Constraint, ConstraintFunction, Policy, PolicyContext, Rule } from '../../../policies';
import { applyOperator, combineVerdicts, createPolicyEngine } from '../../../policies';
import { NOW, context } from './fixtures';

const NS = 'https://example.com/ns/';
const ODRL_USE = 'http://www.w3.org/ns/odrl/2/use';

/** Test function: observes `level` from the context's BPN field (a stand-in for any claim) and applies the operator. */
const level: ConstraintFunction = {
  name: 'Level',
  leftOperands: [`${NS}level`],
  scopes: ['catalog', 'contract.negotiation'],
  ruleKinds: ['permission', 'prohibition', 'obligation'],
  validate: (c) => (c.operator === 'isA' ? ['isA is not supported'] : []),
  evaluate(c, { context: ctx }) {
    const observed = ctx.counterParty.bpn ?? '';
    return { verdict: applyOperator(c.operator, [observed], c.rightOperand).holds ? 'satisfied' : 'unsatisfied', observed };
  },
};
const term: ConstraintFunction = {
  name: 'Term',
  leftOperands: [`${NS}term`],
  scopes: ['catalog', 'contract.negotiation'],
  ruleKinds: ['permission', 'prohibition'],
  validate: () => [],
  evaluate: () => ({ verdict: 'contractual' }),
};
const broken: ConstraintFunction = {
  name: 'Broken',
  leftOperands: [`${NS}broken`],
  scopes: ['catalog'],
  ruleKinds: ['permission'],
  validate: () => [],
  evaluate: () => {
    throw new Error('boom');
  },
};

const engine = createPolicyEngine({ functions: [level, term, broken] });
const is = (v: string): AtomicConstraint => ({ type: 'atomic', leftOperand: `${NS}level`, operator: 'eq', rightOperand: [{ value: v }] });
const and = (...c: Constraint[]): Constraint => ({ type: 'logical', operator: 'and', constraints: c });
const or = (...c: Constraint[]): Constraint => ({ type: 'logical', operator: 'or', constraints: c });
const xone = (...c: Constraint[]): Constraint => ({ type: 'logical', operator: 'xone', constraints: c });
const seq = (...c: Constraint[]): Constraint => ({ type: 'logical', operator: 'andSequence', constraints: c });
const perm = (...constraints: Constraint[]): Rule => ({ kind: 'permission', action: ODRL_USE, constraints });
const policy = (rules: Partial<Policy>): Policy => ({ type: 'Set', permissions: [], prohibitions: [], obligations: [], ...rules });
const gold: PolicyContext = { ...context([]), counterParty: { bpn: 'gold', credentials: [] } };
const allowed = (p: Policy, ctx: PolicyContext = gold, scope: 'catalog' | 'transfer.process' = 'catalog'): boolean => engine.evaluate(p, scope, ctx).allowed;

describe('policy engine: logic', () => {
  it('an empty policy and a permission without constraints allow', () => {
    expect(allowed(policy({}))).toBe(true);
    expect(allowed(policy({ permissions: [perm()] }))).toBe(true);
  });

  it('the constraint list of a rule is an implicit and', () => {
    expect(allowed(policy({ permissions: [perm(is('gold'), is('gold'))] }))).toBe(true);
    expect(allowed(policy({ permissions: [perm(is('gold'), is('silver'))] }))).toBe(false);
  });

  it('and / or / xone / andSequence', () => {
    expect(allowed(policy({ permissions: [perm(and(is('gold'), is('silver')))] }))).toBe(false);
    expect(allowed(policy({ permissions: [perm(or(is('gold'), is('silver')))] }))).toBe(true);
    expect(allowed(policy({ permissions: [perm(or(is('bronze'), is('silver')))] }))).toBe(false);
    expect(allowed(policy({ permissions: [perm(xone(is('gold'), is('silver')))] }))).toBe(true);
    expect(allowed(policy({ permissions: [perm(xone(is('gold'), is('gold')))] }))).toBe(false);
    expect(allowed(policy({ permissions: [perm(xone(is('bronze'), is('silver')))] }))).toBe(false);
    expect(allowed(policy({ permissions: [perm(seq(is('gold'), is('gold')))] }))).toBe(true);
    expect(allowed(policy({ permissions: [perm(seq(is('gold'), is('silver')))] }))).toBe(false);
  });

  it('nested logic: or(and(a, b), c)', () => {
    const p = policy({ permissions: [perm(or(and(is('gold'), is('silver')), is('gold')))] });
    expect(allowed(p)).toBe(true);
    expect(allowed(p, { ...gold, counterParty: { bpn: 'silver', credentials: [] } })).toBe(false);
  });

  it('every permission must hold', () => {
    expect(allowed(policy({ permissions: [perm(is('gold')), perm(is('silver'))] }))).toBe(false);
  });

  it('a prohibition denies when its constraints hold, or when it has none', () => {
    const prohibited = (constraints: Constraint[]): Rule => ({ kind: 'prohibition', action: ODRL_USE, constraints });
    expect(allowed(policy({ prohibitions: [prohibited([is('gold')])] }))).toBe(false);
    expect(allowed(policy({ prohibitions: [prohibited([is('silver')])] }))).toBe(true);
    expect(allowed(policy({ prohibitions: [prohibited([])] }))).toBe(false);
  });

  it('a contractual prohibition is recorded but does not deny', () => {
    const contractual: Constraint = { type: 'atomic', leftOperand: `${NS}term`, operator: 'eq', rightOperand: [{ value: 'x' }] };
    const r = engine.evaluate(policy({ prohibitions: [{ kind: 'prohibition', action: ODRL_USE, constraints: [contractual] }] }), 'catalog', gold);
    expect(r.allowed).toBe(true);
    expect(r.explanation.rules[0]).toMatchObject({ verdict: 'contractual', passed: true });
  });

  it('obligations and duties must hold', () => {
    const obligation: Rule = { kind: 'obligation', action: ODRL_USE, constraints: [is('silver')] };
    expect(allowed(policy({ obligations: [obligation] }))).toBe(false);
    const withDuty = engine.evaluate(policy({ permissions: [{ ...perm(is('gold')), duties: [obligation] }] }), 'catalog', gold);
    expect(withDuty.allowed).toBe(false);
    expect(withDuty.explanation.rules[0]).toMatchObject({ verdict: 'satisfied', passed: false, reason: 'a duty is not fulfilled', duties: [{ passed: false }] });
    expect(allowed(policy({ permissions: [{ ...perm(is('gold')), duties: [{ ...obligation, constraints: [is('gold')] }] }] }))).toBe(true);
  });

  it('combines verdicts with contractual and not-applicable children', () => {
    expect(combineVerdicts('and', ['satisfied', 'contractual'])).toBe('satisfied');
    expect(combineVerdicts('and', ['contractual', 'not-applicable'])).toBe('contractual');
    expect(combineVerdicts('and', ['not-applicable'])).toBe('not-applicable');
    expect(combineVerdicts('or', ['unsatisfied', 'contractual'])).toBe('contractual');
    expect(combineVerdicts('xone', ['contractual', 'unsatisfied', 'not-applicable'])).toBe('contractual');
    expect(combineVerdicts('or', ['satisfied', 'error'])).toBe('error');
  });
});

describe('policy engine: scopes and faults', () => {
  it('a constraint not bound to the scope is not applicable and left out', () => {
    const r = engine.evaluate(policy({ permissions: [perm(is('silver'))] }), 'transfer.process', gold);
    expect(r.allowed).toBe(true);
    const c = r.explanation.rules[0]?.constraints[0];
    expect(c).toMatchObject({ verdict: 'not-applicable', reason: 'Level is not evaluated in scope transfer.process' });
  });

  it('an unknown left operand denies (never silently true)', () => {
    const unknown: Constraint = { type: 'atomic', leftOperand: `${NS}mystery`, operator: 'eq', rightOperand: [{ value: 'x' }] };
    const r = engine.evaluate(policy({ permissions: [perm(unknown)] }), 'catalog', gold);
    expect(r.allowed).toBe(false);
    expect(r.explanation.rules[0]?.constraints[0]).toMatchObject({ verdict: 'error', reason: expect.stringContaining('not understood') });
    const inOr = engine.evaluate(policy({ permissions: [perm(or(is('gold'), unknown))] }), 'catalog', gold);
    expect(inOr.allowed).toBe(false);
  });

  it('a function fault or an invalid constraint denies with the reason', () => {
    const faulty: Constraint = { type: 'atomic', leftOperand: `${NS}broken`, operator: 'eq', rightOperand: [{ value: 'x' }] };
    const r = engine.evaluate(policy({ permissions: [perm(faulty)] }), 'catalog', gold);
    expect(r.allowed).toBe(false);
    expect(r.explanation.rules[0]?.constraints[0]).toMatchObject({ verdict: 'error', reason: 'Broken failed: boom' });
    const invalid: Constraint = { ...is('gold'), operator: 'isA' };
    expect(engine.evaluate(policy({ permissions: [perm(invalid)] }), 'catalog', gold).explanation.rules[0]?.constraints[0])
      .toMatchObject({ verdict: 'error', reason: 'isA is not supported' });
  });

  it('a left operand used in a rule kind its function does not support is an error', () => {
    const c: Constraint = { type: 'atomic', leftOperand: `${NS}broken`, operator: 'eq', rightOperand: [{ value: 'x' }] };
    const r = engine.evaluate(policy({ prohibitions: [{ kind: 'prohibition', action: ODRL_USE, constraints: [c] }] }), 'catalog', gold);
    expect(r.allowed).toBe(false);
    expect(r.explanation.rules[0]?.constraints[0]?.verdict).toBe('error');
  });
});

describe('policy engine: explanation and plan', () => {
  it('the explanation is a JSON tree with observed values and verdicts', () => {
    const p: Policy = { ...policy({ permissions: [perm(or(is('silver'), and(is('gold'))))] }), id: 'p-1' };
    const { explanation } = engine.evaluate(p, 'catalog', gold);
    expect(JSON.parse(JSON.stringify(explanation))).toEqual(explanation);
    expect(explanation).toMatchObject({ allowed: true, scope: 'catalog', policyId: 'p-1', evaluatedAt: NOW.toISOString() });
    expect(explanation.rules[0]).toMatchObject({
      path: 'permission[0]', kind: 'permission', action: 'use', verdict: 'satisfied', passed: true,
      constraints: [{
        type: 'logical', operator: 'or', verdict: 'satisfied',
        constraints: [
          { type: 'atomic', path: 'permission[0].constraint[0].or[0]', leftOperand: `${NS}level`, rightOperand: 'silver', observed: 'gold', verdict: 'unsatisfied', function: 'Level' },
          { type: 'logical', operator: 'and', verdict: 'satisfied', constraints: [{ observed: 'gold', verdict: 'satisfied' }] },
        ],
      }],
    });
  });

  it('the evaluation plan names the functions and the constraints filtered out per scope', () => {
    const unknown: Constraint = { type: 'atomic', leftOperand: `${NS}mystery`, operator: 'eq', rightOperand: [{ value: 'x' }] };
    const plan = engine.evaluationPlan(policy({ permissions: [perm(and(is('gold'), unknown))] }), 'transfer.process');
    expect(plan.scope).toBe('transfer.process');
    const steps = plan.rules[0]?.constraints[0]?.constraints ?? [];
    expect(steps[0]).toMatchObject({ function: 'Level', applicable: false, reason: 'not bound to scope transfer.process' });
    expect(steps[1]).toMatchObject({ applicable: true, reason: expect.stringContaining('evaluation will deny') });
    const catalogPlan = engine.evaluationPlan(policy({ permissions: [perm(is('gold'))] }), 'catalog');
    expect(catalogPlan.rules[0]?.constraints[0]).toMatchObject({ function: 'Level', applicable: true });
  });
});
