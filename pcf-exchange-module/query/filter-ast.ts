// The one typed footprint filter both PACT query syntaxes (v2 `$filter`, v3 parameters) compile to.
import type { Failure, Success } from '../../connector/common/result';

export type CompareOp = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

/** Instant-valued index fields (compared as instants). */
export type TimeField = 'created' | 'updated' | 'referencePeriodStart' | 'referencePeriodEnd';
/** Text-valued index fields (compared exactly, ordered by code point; null never matches). */
export type TextField = 'productCategoryCpc' | 'geographyCountry' | 'status';
/** Lower-cased list index fields (a `has` matches when the list contains the lower-cased value). */
export type ListField = 'productIds' | 'companyIds' | 'classifications' | 'geographies';

export type FootprintFilter =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'and'; readonly all: readonly FootprintFilter[] }
  | { readonly kind: 'or'; readonly any: readonly FootprintFilter[] }
  /** `value` is a normalised UTC ISO instant. */
  | { readonly kind: 'time'; readonly field: TimeField; readonly op: CompareOp; readonly value: string }
  | { readonly kind: 'text'; readonly field: TextField; readonly op: CompareOp; readonly value: string }
  /** `value` is lower-cased. */
  | { readonly kind: 'has'; readonly field: ListField; readonly value: string }
  /** Validity period (start, end) against `at`: on = start ≤ at ≤ end, after = start > at, before = end < at. */
  | { readonly kind: 'validity'; readonly op: 'on' | 'after' | 'before'; readonly at: string };

export const MATCH_ALL: FootprintFilter = { kind: 'true' };

/** Where a query went wrong: the v3 parameter or the character offset in the v2 `$filter`. */
export interface FilterProblem {
  readonly parameter?: string;
  readonly position?: number;
  /** `malformed` = syntax/value error; `unsupported` = valid OData outside the PACT subset. */
  readonly problem: 'malformed' | 'unsupported';
  readonly message: string;
}

export interface FilterFailure extends Failure {
  readonly details: readonly FilterProblem[];
}

export type FilterParse = Success<FootprintFilter> | FilterFailure;

export function filterFailure(problems: FilterProblem[]): FilterFailure {
  return { ok: false, reason: 'bad-request', message: problems.map((p) => p.message).join('; '), details: problems };
}

/** `and` of the given filters, flattening trivial cases. */
export function allOf(filters: readonly FootprintFilter[]): FootprintFilter {
  const parts = filters.filter((f) => f.kind !== 'true');
  if (parts.some((f) => f.kind === 'false')) return { kind: 'false' };
  if (parts.length === 0) return MATCH_ALL;
  return parts.length === 1 ? parts[0] : { kind: 'and', all: parts };
}

/** `or` of the given filters, flattening trivial cases. */
export function anyOf(filters: readonly FootprintFilter[]): FootprintFilter {
  const parts = filters.filter((f) => f.kind !== 'false');
  if (parts.some((f) => f.kind === 'true')) return MATCH_ALL;
  if (parts.length === 0) return { kind: 'false' };
  return parts.length === 1 ? parts[0] : { kind: 'or', any: parts };
}
