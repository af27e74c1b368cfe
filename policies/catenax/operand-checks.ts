// Shared helpers for Catena-X constraint functions: IRIs per name, operator/right-operand checks, date operands.
import type { AtomicConstraint, Operator } from '../model';
import { CX_POLICY_LEGACY_NS, CX_POLICY_NS, SET_OPERATORS } from '../vocabulary';

/** The 2025/9 and the legacy IRI of a Catena-X constraint name. */
export function cxIris(name: string): string[] {
  return [CX_POLICY_NS + name, CX_POLICY_LEGACY_NS + name];
}

export const BPNL = /^BPNL[0-9A-Z]{12}$/;
export const POSITIVE_INTEGER = /^[1-9][0-9]*$/;
const FIXED_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_EXPRESSION = /^contractAgreement\s*(?:\+\s*(\d+)\s*(ms|s|m|h|d))?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DAY_MS = 86_400_000;

export function operatorProblem(c: AtomicConstraint, allowed: readonly Operator[]): string[] {
  return allowed.includes(c.operator) ? [] : [`operator '${c.operator}' is not supported (allowed: ${allowed.join(', ')})`];
}

/** The right operand values as strings (numbers are stringified), or undefined if one is neither. */
export function stringValues(c: AtomicConstraint): string[] | undefined {
  const out: string[] = [];
  for (const l of c.rightOperand) {
    if (typeof l.value === 'string') out.push(l.value);
    else if (typeof l.value === 'number') out.push(String(l.value));
    else return undefined;
  }
  return out;
}

export interface ValueRule {
  /** Exactly one value is expected (scalar operators). */
  readonly single?: boolean;
  /** Allowed values (exact match). */
  readonly allowed?: readonly string[];
  readonly pattern?: RegExp;
  /** Human description of the pattern for messages. */
  readonly patternName?: string;
}

/** Problems with the right operand against a value rule. */
export function valueProblems(c: AtomicConstraint, rule: ValueRule): string[] {
  const values = stringValues(c);
  if (values === undefined) return ['right operand values must be strings'];
  const single = rule.single ?? !SET_OPERATORS.has(c.operator);
  if (single && values.length !== 1) return [`right operand must be a single value, found ${values.length}`];
  const problems: string[] = [];
  for (const v of values) {
    if (rule.allowed !== undefined && !rule.allowed.includes(v)) {
      problems.push(`right operand '${v}' is not allowed (allowed: ${rule.allowed.join(', ')})`);
    } else if (rule.pattern !== undefined && !rule.pattern.test(v)) {
      problems.push(`right operand '${v}' is not ${rule.patternName ?? `matching ${rule.pattern.source}`}`);
    } else if (v.trim() === '') {
      problems.push('right operand values must not be empty');
    }
  }
  return problems;
}

/** A date right operand: a fixed instant or an offset from the agreement (`contractAgreement + 30d`). */
export type DateOperand =
  | { readonly kind: 'fixed'; readonly at: number }
  | { readonly kind: 'agreement'; readonly offsetMs: number };

export function parseDateOperand(raw: string): DateOperand | undefined {
  const trimmed = raw.trim();
  if (FIXED_DATE.test(trimmed)) {
    const at = Date.parse(trimmed);
    return Number.isNaN(at) ? undefined : { kind: 'fixed', at };
  }
  const m = DATE_EXPRESSION.exec(trimmed);
  if (m === null) return undefined;
  const amount = m[1] === undefined ? 0 : Number(m[1]);
  return { kind: 'agreement', offsetMs: amount * (UNIT_MS[m[2] ?? 'd'] ?? DAY_MS) };
}

export function dateOperandProblems(c: AtomicConstraint): string[] {
  const values = stringValues(c);
  if (values === undefined || values.length !== 1) return ['right operand must be one date'];
  return parseDateOperand(values[0] as string) === undefined
    ? [`right operand '${values[0]}' is neither a UTC date-time with timezone nor 'contractAgreement + <n>(ms|s|m|h|d)'`]
    : [];
}

/** Resolves a date operand against the agreement; undefined when it is relative and there is no agreement. */
export function resolveDate(op: DateOperand, signedAt: Date | undefined): number | undefined {
  if (op.kind === 'fixed') return op.at;
  return signedAt === undefined ? undefined : signedAt.getTime() + op.offsetMs;
}
