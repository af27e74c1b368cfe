// Turns the criteria of a RequestCreated event (v3 parameters, v2 `pf` fragment) into the footprint filter AST.
import { fail, ok, type Result } from '../../connector/common/result';
import type { PactApiVersion } from '../api/pact-errors';
import { allOf, anyOf, type FootprintFilter, type ListField } from '../query/filter-ast';
import { parseV3QueryParams, V3_FILTER_PARAMETERS, type QueryParams } from '../query/v3-query-params';

const V2_LISTS: readonly (readonly [string, ListField])[] = [
  ['productIds', 'productIds'], ['companyIds', 'companyIds'], ['productClassifications', 'classifications'],
];

function strings(v: unknown): string[] | undefined {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return undefined;
}

function v3Filter(data: Record<string, unknown>): Result<FootprintFilter> {
  const params: Record<string, string | readonly string[]> = {};
  for (const name of V3_FILTER_PARAMETERS) {
    if (data[name] === undefined || data[name] === null) continue;
    const values = strings(data[name]);
    if (values === undefined) return fail('bad-request', `data.${name} must be a string or an array of strings`, [{ pointer: `/data/${name}`, reason: 'not a string list' }]);
    params[name] = values;
  }
  if (Object.keys(params).length === 0) return fail('bad-request', 'the request names no criteria', [{ pointer: '/data', reason: 'no criteria' }]);
  const parsed = parseV3QueryParams(params as QueryParams);
  return parsed.ok ? parsed : fail('bad-request', parsed.message, parsed.details.map((d) => ({ pointer: `/data/${d.parameter ?? ''}`, reason: d.message })));
}

function v2Filter(data: Record<string, unknown>): Result<FootprintFilter> {
  const pf = data.pf;
  if (typeof pf !== 'object' || pf === null || Array.isArray(pf)) return fail('bad-request', 'data.pf must be an object', [{ pointer: '/data/pf', reason: 'not an object' }]);
  const frag = pf as Record<string, unknown>;
  const parts: FootprintFilter[] = [];
  for (const [prop, field] of V2_LISTS) {
    if (frag[prop] === undefined) continue;
    const values = strings(frag[prop]);
    if (values === undefined || values.length === 0) return fail('bad-request', `data.pf.${prop} must be a non-empty array of strings`, [{ pointer: `/data/pf/${prop}`, reason: 'invalid' }]);
    parts.push(anyOf(values.map((v) => ({ kind: 'has', field, value: v.trim().toLowerCase() }))));
  }
  if (typeof frag.productCategoryCpc === 'string') parts.push({ kind: 'text', field: 'productCategoryCpc', op: 'eq', value: frag.productCategoryCpc });
  const pcf = frag.pcf as Record<string, unknown> | undefined;
  for (const geo of ['geographyCountry', 'geographyRegionOrSubregion', 'geographyCountrySubdivision']) {
    const g = pcf?.[geo];
    if (typeof g === 'string') parts.push({ kind: 'has', field: 'geographies', value: g.toLowerCase() });
  }
  if (parts.length === 0) return fail('bad-request', 'data.pf names no supported criteria (productIds, companyIds, productClassifications, productCategoryCpc, pcf geography)', [{ pointer: '/data/pf', reason: 'no criteria' }]);
  return ok(allOf(parts));
}

/** The filter a request's `data` describes in API `version`; `bad-request` when it names no usable criterion. */
export function requestFilter(version: PactApiVersion, data: Record<string, unknown>): Result<FootprintFilter> {
  return version === '3' ? v3Filter(data) : v2Filter(data);
}
