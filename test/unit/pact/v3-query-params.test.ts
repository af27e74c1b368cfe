// Unit: the v3 ListFootprints filter parameters — each parameter, OR within, AND across, and errors.
import { parseV3QueryParams, type QueryParams } from '../../../pcf-exchange-module/query/v3-query-params';
import type { FootprintFilter } from '../../../pcf-exchange-module/query/filter-ast';

function parsed(q: QueryParams): FootprintFilter {
  const r = parseV3QueryParams(q);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('parseV3QueryParams', () => {
  it('matches everything without filter parameters and ignores limit and vendor criteria', () => {
    expect(parsed({})).toEqual({ kind: 'true' });
    expect(parsed({ limit: '10', 'x-atq-invoice-id': '7' })).toEqual({ kind: 'true' });
  });

  it.each([
    ['productId', 'productIds'],
    ['companyId', 'companyIds'],
    ['classification', 'classifications'],
    ['geography', 'geographies'],
  ] as const)('%s matches case-insensitively against %s', (param, field) => {
    expect(parsed({ [param]: 'URN:Thing:ABC' })).toEqual({ kind: 'has', field, value: 'urn:thing:abc' });
  });

  it('ORs repeated values of one parameter (duplicates collapse)', () => {
    expect(parsed({ companyId: ['urn:a', 'urn:b', 'URN:A'] })).toEqual({
      kind: 'or',
      any: [{ kind: 'has', field: 'companyIds', value: 'urn:a' }, { kind: 'has', field: 'companyIds', value: 'urn:b' }],
    });
  });

  it('ANDs different parameters', () => {
    expect(parsed({ status: 'active', productId: 'urn:p', validOn: '2025-01-01T00:00:00Z' })).toEqual({
      kind: 'and',
      all: [
        { kind: 'has', field: 'productIds', value: 'urn:p' },
        { kind: 'validity', op: 'on', at: '2025-01-01T00:00:00.000Z' },
        { kind: 'text', field: 'status', op: 'eq', value: 'Active' },
      ],
    });
  });

  it.each([
    ['validOn', 'on'],
    ['validAfter', 'after'],
    ['validBefore', 'before'],
  ] as const)('%s becomes a validity test', (param, op) => {
    expect(parsed({ [param]: '2025-01-01T01:00:00+01:00' })).toEqual({ kind: 'validity', op, at: '2025-01-01T00:00:00.000Z' });
  });

  it('status: Active/Deprecated in any case; an unknown status matches nothing (conformance test 37)', () => {
    expect(parsed({ status: 'DEPRECATED' })).toEqual({ kind: 'text', field: 'status', op: 'eq', value: 'Deprecated' });
    expect(parsed({ status: 'BogusStatusAbc' })).toEqual({ kind: 'false' });
    expect(parsed({ status: ['BogusStatus', 'Active'] })).toEqual({ kind: 'text', field: 'status', op: 'eq', value: 'Active' });
    expect(parsed({ status: 'Bogus', productId: 'urn:p' })).toEqual({ kind: 'false' });
  });

  it('accepts non-URN identifiers (they match nothing) as the conformance OR test sends them', () => {
    expect(parsed({ companyId: ['urn:real', 'aB3dE6gH'] })).toMatchObject({ kind: 'or' });
  });

  it('reports each invalid parameter precisely', () => {
    const r = parseV3QueryParams({ validOn: 'tomorrow', validAfter: ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'], productId: '', validBefore: '2025-01-01' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.details.map((d) => d.parameter).sort()).toEqual(['productId', 'validAfter', 'validBefore', 'validOn']);
    expect(r.details.every((d) => d.problem === 'malformed')).toBe(true);
    expect(r.message).toContain('validOn must be an RFC 3339 date-time');
  });
});
