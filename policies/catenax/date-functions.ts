// Time-bound constraints: EDC inForceDate and the Catena-X data-usage and data-provisioning end dates.
import type { ConstraintFunction, ConstraintOutcome, PolicyScope } from '../engine-types';
import type { AtomicConstraint } from '../model';
import { applyOperator } from '../operators';
import { EDC_IN_FORCE_DATE } from '../vocabulary';
import type { DateOperand } from './operand-checks';
import {
  DAY_MS,
  POSITIVE_INTEGER,
  cxIris,
  dateOperandProblems,
  operatorProblem,
  parseDateOperand,
  resolveDate,
  stringValues,
  valueProblems,
} from './operand-checks';

const MONITORED: readonly PolicyScope[] = ['transfer.process', 'policy.monitor'];

function dateOperand(c: AtomicConstraint): DateOperand {
  return parseDateOperand(String(c.rightOperand[0]?.value)) as DateOperand;
}

/** Passes while `now` is not after `end`. */
function untilEnd(now: Date, end: number | undefined, what: string): ConstraintOutcome {
  const observed = now.toISOString();
  if (end === undefined) return { verdict: 'unsatisfied', observed, reason: `${what} is relative to the agreement, and there is none` };
  const endIso = new Date(end).toISOString();
  return now.getTime() <= end
    ? { verdict: 'satisfied', observed, reason: `before ${what} ${endIso}` }
    : { verdict: 'unsatisfied', observed, reason: `${what} ${endIso} has passed` };
}

/** EDC `inForceDate`: `now <op> date`, date fixed or `contractAgreement + <n><unit>`. */
const inForceDate: ConstraintFunction = {
  name: 'inForceDate',
  leftOperands: [EDC_IN_FORCE_DATE],
  scopes: ['catalog', 'transfer.process', 'policy.monitor'],
  ruleKinds: ['permission'],
  validate: (c) => [...operatorProblem(c, ['eq', 'neq', 'gt', 'gteq', 'lt', 'lteq']), ...dateOperandProblems(c)],
  evaluate(c, { context }) {
    const op = dateOperand(c);
    const observed = context.now.toISOString();
    const at = resolveDate(op, context.agreement?.signedAt);
    if (at === undefined) return { verdict: 'not-applicable', observed, reason: 'relative to the agreement, and there is none yet' };
    const out = applyOperator(c.operator, [context.now], [{ value: new Date(at).toISOString() }]);
    return { verdict: out.holds ? 'satisfied' : 'unsatisfied', observed, reason: `now ${c.operator} ${new Date(at).toISOString()}` };
  },
};

function endDate(name: string, ruleKind: 'permission' | 'obligation'): ConstraintFunction {
  return {
    name,
    leftOperands: cxIris(name),
    scopes: MONITORED,
    ruleKinds: [ruleKind],
    validate: (c) => [...operatorProblem(c, ['eq']), ...dateOperandProblems(c)],
    evaluate: (c, { context }) => untilEnd(context.now, resolveDate(dateOperand(c), context.agreement?.signedAt), 'end date'),
  };
}

function endDuration(name: string, ruleKind: 'permission' | 'obligation'): ConstraintFunction {
  return {
    name,
    leftOperands: cxIris(name),
    scopes: MONITORED,
    ruleKinds: [ruleKind],
    validate: (c) => [
      ...operatorProblem(c, ['eq']),
      ...valueProblems(c, { single: true, pattern: POSITIVE_INTEGER, patternName: 'a positive whole number of days' }),
    ],
    evaluate(c, { context }) {
      const days = Number((stringValues(c) ?? [])[0]);
      const signed = context.agreement?.signedAt;
      return untilEnd(context.now, signed === undefined ? undefined : signed.getTime() + days * DAY_MS, `end of ${days} days after the agreement`);
    },
  };
}

export const dateFunctions: readonly ConstraintFunction[] = [
  inForceDate,
  endDate('DataUsageEndDate', 'permission'),
  endDuration('DataUsageEndDurationDays', 'permission'),
  endDate('DataProvisioningEndDate', 'obligation'),
  endDuration('DataProvisioningEndDurationDays', 'obligation'),
];
