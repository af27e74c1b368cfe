// Unit: the v2 `$filter` OData subset parser — every operator, `and`, lambdas, and precise errors.
import { parseODataFilter } from '../../../pcf-exchange-module/query/odata-filter';
import type { FilterProblem, FootprintFilter } from '../../../pcf-exchange-module/query/filter-ast';

function parsed(input: string): FootprintFilter {
  const r = parseODataFilter(input);
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function problem(input: string): FilterProblem {
  const r = parseODataFilter(input);
  if (r.ok) throw new Error(`expected ${input} to be refused`);
  expect(r.reason).toBe('bad-request');
  return r.details[0];
}

describe('parseODataFilter', () => {
  it.each(['eq', 'lt', 'le', 'gt', 'ge'] as const)('parses %s on a date-time property', (op) => {
    expect(parsed(`created ${op} '2023-06-01T00:00:00Z'`)).toEqual({ kind: 'time', field: 'created', op, value: '2023-06-01T00:00:00.000Z' });
  });

  it('maps every supported property', () => {
    expect(parsed("updated gt '2023-01-01T00:00:00+02:00'")).toEqual({ kind: 'time', field: 'updated', op: 'gt', value: '2022-12-31T22:00:00.000Z' });
    expect(parsed("pcf/referencePeriodStart ge '2021-01-01T00:00:00Z'")).toMatchObject({ field: 'referencePeriodStart' });
    expect(parsed("pcf/referencePeriodEnd lt '2021-01-01T00:00:00Z'")).toMatchObject({ field: 'referencePeriodEnd' });
    expect(parsed("productCategoryCpc eq '3342'")).toEqual({ kind: 'text', field: 'productCategoryCpc', op: 'eq', value: '3342' });
    expect(parsed("pcf/geographyCountry eq 'DE'")).toEqual({ kind: 'text', field: 'geographyCountry', op: 'eq', value: 'DE' });
  });

  it('accepts an unquoted OData date-time literal', () => {
    expect(parsed('created ge 2023-06-01T00:00:00Z')).toMatchObject({ kind: 'time', value: '2023-06-01T00:00:00.000Z' });
  });

  it('parses productIds/any and companyIds/any in both spellings, lower-casing the value', () => {
    expect(parsed("productIds/any(productId:(productId eq 'urn:gtin:ABC'))")).toEqual({ kind: 'has', field: 'productIds', value: 'urn:gtin:abc' });
    expect(parsed("companyIds/any(c: c eq 'urn:x:1')")).toEqual({ kind: 'has', field: 'companyIds', value: 'urn:x:1' });
  });

  it('combines with and, honours parentheses and escaped quotes', () => {
    expect(parsed("(productCategoryCpc eq 'it''s') and pcf/geographyCountry eq 'DE' and productIds/any(p:(p eq 'urn:a'))")).toEqual({
      kind: 'and',
      all: [
        { kind: 'text', field: 'productCategoryCpc', op: 'eq', value: "it's" },
        { kind: 'text', field: 'geographyCountry', op: 'eq', value: 'DE' },
        { kind: 'has', field: 'productIds', value: 'urn:a' },
      ],
    });
  });

  it.each([
    ["created eq '2023-06-01T00:00:00Z' or created eq '2023-06-02T00:00:00Z'", 'unsupported', 34],
    ["not productCategoryCpc eq '1'", 'unsupported', 0],
    ["productCategoryCpc ne '1'", 'unsupported', 19],
    ["status eq 'Active'", 'unsupported', 0],
    ["productIds/all(p:p eq 'x')", 'unsupported', 0],
    ["productIds/any(p:p gt 'x')", 'unsupported', 19],
    ["productIds/any(p:q eq 'x')", 'malformed', 17],
    ["created eq 'yesterday'", 'malformed', 11],
    ["created eq '2023-06-01'", 'malformed', 11],
    ['productCategoryCpc eq 3342', 'malformed', 22],
    ["productCategoryCpc eq 'abc", 'malformed', 22],
    ["(productCategoryCpc eq '1'", 'malformed', 26],
    ["productCategoryCpc eq '1' )", 'malformed', 26],
    ["productCategoryCpc equals '1'", 'malformed', 19],
    ['', 'malformed', 0],
  ] as const)('refuses %j as %s at position %d', (input, kind, position) => {
    const p = problem(input);
    expect(p).toEqual(expect.objectContaining({ parameter: '$filter', problem: kind, position }));
    expect(p.message).toContain(`position ${position}`);
  });
});
