// Parser for the PACT v3 ListFootprints filter parameters: OR within one parameter, AND across parameters.
import { allOf, anyOf, filterFailure, type FilterParse, type FilterProblem, type FootprintFilter, type ListField } from './filter-ast';

/** Query parameters as Express/URLSearchParams deliver them: a repeated parameter is an array. */
export type QueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
const LIST_PARAMS: Readonly<Record<string, ListField>> = {
  productId: 'productIds',
  companyId: 'companyIds',
  classification: 'classifications',
  geography: 'geographies',
};
const VALIDITY_PARAMS = { validOn: 'on', validAfter: 'after', validBefore: 'before' } as const;

/** Parameter names this parser interprets; others (e.g. `limit`, `x-…` vendor criteria) are left to the caller. */
export const V3_FILTER_PARAMETERS: readonly string[] = [...Object.keys(LIST_PARAMS), ...Object.keys(VALIDITY_PARAMS), 'status'];

function valuesOf(raw: string | readonly string[] | undefined): string[] {
  if (raw === undefined) return [];
  return typeof raw === 'string' ? [raw] : [...raw];
}

/**
 * Parses the v3 filter parameters into one AST. Identifier and geography values match case-insensitively (any
 * string is accepted; an unknown one simply matches nothing, as the conformance suite expects); a `status` other
 * than Active/Deprecated (any case) matches nothing. Errors: empty values, repeated date parameters, values
 * that are not RFC 3339 date-times.
 */
export function parseV3QueryParams(query: QueryParams): FilterParse {
  const problems: FilterProblem[] = [];
  const parts: FootprintFilter[] = [];

  for (const [param, field] of Object.entries(LIST_PARAMS)) {
    const values = valuesOf(query[param]).map((v) => v.trim());
    if (values.length === 0) continue;
    if (values.some((v) => v === '')) {
      problems.push({ parameter: param, problem: 'malformed', message: `${param} must not be empty` });
      continue;
    }
    parts.push(anyOf([...new Set(values.map((v) => v.toLowerCase()))].map((value) => ({ kind: 'has', field, value }))));
  }

  for (const [param, op] of Object.entries(VALIDITY_PARAMS)) {
    const values = valuesOf(query[param]);
    if (values.length === 0) continue;
    if (values.length > 1) {
      problems.push({ parameter: param, problem: 'malformed', message: `${param} may be given only once` });
      continue;
    }
    const v = values[0].trim();
    if (!RFC3339.test(v) || Number.isNaN(Date.parse(v))) {
      problems.push({ parameter: param, problem: 'malformed', message: `${param} must be an RFC 3339 date-time (e.g. 2025-01-01T00:00:00Z), got ${JSON.stringify(values[0])}` });
      continue;
    }
    parts.push({ kind: 'validity', op, at: new Date(Date.parse(v)).toISOString() });
  }

  const statuses = valuesOf(query.status).map((v) => v.trim());
  if (statuses.length > 0) {
    if (statuses.some((s) => s === '')) {
      problems.push({ parameter: 'status', problem: 'malformed', message: 'status must not be empty' });
    } else {
      parts.push(anyOf(statuses.map((s): FootprintFilter => {
        const lower = s.toLowerCase();
        if (lower === 'active') return { kind: 'text', field: 'status', op: 'eq', value: 'Active' };
        if (lower === 'deprecated') return { kind: 'text', field: 'status', op: 'eq', value: 'Deprecated' };
        return { kind: 'false' };
      })));
    }
  }

  return problems.length > 0 ? filterFailure(problems) : { ok: true, value: allOf(parts) };
}
