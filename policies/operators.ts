// ODRL operator semantics over an observed (left) value set and the constraint's right operand values.
import type { Literal, Operator, Scalar } from './model';
import { XSD_NS } from './vocabulary';

const NUMERIC = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const NUMERIC_TYPES = new Set(['integer', 'int', 'long', 'short', 'decimal', 'double', 'float', 'nonNegativeInteger', 'positiveInteger']);

/** A comparable form of a value: numbers compare numerically, ISO dates by instant, everything else as strings. */
export type Comparable = { readonly kind: 'number' | 'date'; readonly n: number } | { readonly kind: 'string'; readonly s: string };

export function comparable(value: Scalar | Date, datatype?: string): Comparable {
  if (value instanceof Date) return { kind: 'date', n: value.getTime() };
  if (typeof value === 'number') return { kind: 'number', n: value };
  if (typeof value === 'boolean') return { kind: 'string', s: String(value) };
  const local = datatype?.startsWith(XSD_NS) ? datatype.slice(XSD_NS.length) : undefined;
  if ((local !== undefined && NUMERIC_TYPES.has(local)) || NUMERIC.test(value)) {
    const n = Number(value);
    if (Number.isFinite(n)) return { kind: 'number', n };
  }
  if (local === 'dateTime' || local === 'date' || ISO_DATE.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return { kind: 'date', n: t };
  }
  return { kind: 'string', s: value };
}

export function literalComparable(l: Literal): Comparable {
  return comparable(l.value, l.datatype);
}

function equal(a: Comparable, b: Comparable): boolean {
  if (a.kind === 'string' || b.kind === 'string') {
    const as = a.kind === 'string' ? a.s : String(a.n);
    const bs = b.kind === 'string' ? b.s : String(b.n);
    return as === bs;
  }
  return a.kind === b.kind && a.n === b.n;
}

/** -1/0/1, or undefined when the two values are not ordered (different kinds or strings). */
function order(a: Comparable, b: Comparable): number | undefined {
  if (a.kind === 'string' || b.kind === 'string' || a.kind !== b.kind) return undefined;
  return a.n < b.n ? -1 : a.n > b.n ? 1 : 0;
}

function contains(set: readonly Comparable[], x: Comparable): boolean {
  return set.some((y) => equal(x, y));
}

export interface OperatorOutcome {
  readonly holds: boolean;
  /** Why the operator could not be applied (e.g. values not comparable). */
  readonly problem?: string;
}

/**
 * Applies an ODRL operator. `left` is the observed value set (one element for a scalar), `right` the constraint's
 * right operand values.
 * - `eq`/`neq`: the two sets are (not) equal (for single values: plain equality; `"5"` equals `5`).
 * - `gt`/`gteq`/`lt`/`lteq`: single observed value against a single number or date.
 * - `isAnyOf`: some observed value is among the right values; `isNoneOf`: none is.
 * - `isAllOf`/`hasPart`: every right value is among the observed values.
 * - `isPartOf` (EDC `IN`): every observed value is among the right values (and there is at least one).
 * - `isA`: some observed value equals the right value (class membership by identifier).
 */
export function applyOperator(op: Operator, left: readonly (Scalar | Date)[], right: readonly Literal[]): OperatorOutcome {
  const l = left.map((v) => comparable(v));
  const r = right.map(literalComparable);
  switch (op) {
    case 'eq':
    case 'neq': {
      const same = l.length === r.length && l.every((x) => contains(r, x)) && r.every((x) => contains(l, x));
      return { holds: op === 'eq' ? same : !same };
    }
    case 'gt':
    case 'gteq':
    case 'lt':
    case 'lteq':
    case 'term-lteq': {
      if (l.length !== 1 || r.length !== 1) return { holds: false, problem: `${op} needs exactly one value on each side` };
      const o = order(l[0] as Comparable, r[0] as Comparable);
      if (o === undefined) return { holds: false, problem: `values are not comparable with ${op} (numbers or dates required)` };
      const holds = op === 'gt' ? o > 0 : op === 'gteq' ? o >= 0 : op === 'lt' ? o < 0 : o <= 0;
      return { holds };
    }
    case 'isAnyOf':
    case 'isA':
      return { holds: l.some((x) => contains(r, x)) };
    case 'isNoneOf':
      return { holds: !l.some((x) => contains(r, x)) };
    case 'isAllOf':
    case 'hasPart':
      return { holds: r.every((x) => contains(l, x)) };
    case 'isPartOf':
      return { holds: l.length > 0 && l.every((x) => contains(r, x)) };
  }
}

/** Canonical string of a literal for equality checks: numeric forms unified, IRIs and strings distinguished. */
export function canonicalLiteral(l: Literal): string {
  if (l.isIri === true) return `i:${String(l.value)}`;
  const c = literalComparable(l);
  if (c.kind === 'number') return `n:${c.n}`;
  if (typeof l.value === 'boolean') return `b:${l.value}`;
  return `s:${String(l.value)}`;
}
