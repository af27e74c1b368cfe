// Criteria parsing, operand paths, LIKE patterns and QuerySpec reading (defaults, limits, errors).
import { likeRegExp, matchesTexts, parseCriterion, splitOperand, valueTexts } from '../../../connector/catalog/criteria';
import { resolveAssetOperand } from '../../../connector/catalog/asset-store';
import { querySpecFromNode, toSql, sqlParams } from '../../../connector/management/query-spec';

const EDC = 'https://w3id.org/edc/v0.0.1/ns/';

describe('criteria', () => {
  it('splits quoted operand paths and keeps unquoted IRIs whole', () => {
    expect(splitOperand("'http://purl.org/dc/terms/type'.'@id'")).toEqual(['http://purl.org/dc/terms/type', '@id']);
    expect(splitOperand('https://w3id.org/edc/v0.0.1/ns/id')).toEqual(['https://w3id.org/edc/v0.0.1/ns/id']);
    expect(splitOperand("privateProperties.'x.y'")).toEqual(['privateProperties', 'x.y']);
    expect(splitOperand("'open")).toBeUndefined();
  });

  it('resolves asset operands: id forms, prefixes, bare names, private properties', () => {
    for (const id of ['id', '@id', `${EDC}id`, 'edc:id']) expect(resolveAssetOperand(id)).toEqual({ ok: true, value: { kind: 'field', name: 'id' } });
    expect(resolveAssetOperand('dct:type')).toEqual({ ok: true, value: { kind: 'json', root: 'properties', path: ['http://purl.org/dc/terms/type'] } });
    expect(resolveAssetOperand('name')).toEqual({ ok: true, value: { kind: 'json', root: 'properties', path: [`${EDC}name`] } });
    expect(resolveAssetOperand("privateProperties.'owner'")).toEqual({ ok: true, value: { kind: 'json', root: 'privateProperties', path: [`${EDC}owner`] } });
    expect(resolveAssetOperand("''.x")).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('parses criteria: operator case and spacing, IRI objects, refuses unknown operators and missing parts', () => {
    expect(parseCriterion({ operandLeft: 'a', operator: 'NOT  IN', operandRight: ['x', { '@id': 'y' }] }, 'c')).toEqual({ ok: true, value: { operandLeft: 'a', operator: 'not in', operandRight: ['x', 'y'] } });
    expect(parseCriterion({ operandLeft: 'a', operator: '~', operandRight: 'x' }, 'c')).toMatchObject({ ok: false, details: [{ path: 'c.operator' }] });
    expect(parseCriterion({ operandLeft: '', operator: '=', operandRight: 'x' }, 'c')).toMatchObject({ ok: false, details: [{ path: 'c.operandLeft' }] });
    expect(parseCriterion({ operandLeft: 'a', operator: '=', operandRight: { nested: 1 } }, 'c')).toMatchObject({ ok: false, details: [{ path: 'c.operandRight' }] });
  });

  it('reads value texts like the SQL function and matches operators', () => {
    expect(valueTexts({ '@id': 'x' })).toEqual(['x']);
    expect(valueTexts(['a', { '@value': 2 }, null, ['n']])).toEqual(['a', '2']);
    expect(valueTexts({ other: 1 })).toEqual([]);
    expect(likeRegExp('a%b_', false).test('a--bc')).toBe(true);
    expect(likeRegExp('100\\%', false).test('100%')).toBe(true);
    expect(likeRegExp('100\\%', false).test('1000')).toBe(false);
    expect(likeRegExp('a.c', false).test('abc')).toBe(false);
    expect(matchesTexts(['10'], '>', 9)).toBe(true);
    expect(matchesTexts(['10'], '>', '9')).toBe(true);
    expect(matchesTexts(['b'], '>', 'a')).toBe(true);
    expect(matchesTexts([], '!=', 'a')).toBe(true);
    expect(matchesTexts(['x'], 'in', 'x')).toBe(true);
  });
});

describe('QuerySpec', () => {
  it('applies EDC defaults for an absent or empty body', () => {
    const expected = { ok: true, value: { offset: 0, limit: 50, sortOrder: 'ASC', filterExpression: [] } };
    expect(querySpecFromNode(undefined)).toEqual(expected);
    expect(querySpecFromNode({})).toEqual(expected);
  });

  it('reads paging, sort and a single (unwrapped) criterion', () => {
    const r = querySpecFromNode({ [`${EDC}offset`]: 5, [`${EDC}limit`]: '10', [`${EDC}sortOrder`]: 'desc', [`${EDC}sortField`]: 'name',
      [`${EDC}filterExpression`]: { [`${EDC}operandLeft`]: 'id', [`${EDC}operator`]: '=', [`${EDC}operandRight`]: 'a' } });
    expect(r).toEqual({ ok: true, value: { offset: 5, limit: 10, sortOrder: 'DESC', sortField: 'name', filterExpression: [{ operandLeft: 'id', operator: '=', operandRight: 'a' }] } });
  });

  it.each([
    [{ [`${EDC}offset`]: -1 }, 'offset'], [{ [`${EDC}limit`]: 0 }, 'limit'], [{ [`${EDC}limit`]: 10_001 }, 'limit'],
    [{ [`${EDC}limit`]: 1.5 }, 'limit'], [{ [`${EDC}sortOrder`]: 'UP' }, 'sortOrder'], [{ [`${EDC}sortField`]: '' }, 'sortField'],
  ])('refuses %j', (node, path) => {
    expect(querySpecFromNode(node)).toMatchObject({ ok: false, reason: 'bad-request', details: [{ path }] });
  });

  it('puts every value into parameters, never into the SQL text', () => {
    const spec = querySpecFromNode({ [`${EDC}filterExpression`]: [{ [`${EDC}operandLeft`]: "'a;DROP'.'b'", [`${EDC}operator`]: 'like', [`${EDC}operandRight`]: "x' OR 1=1 --" }] });
    if (!spec.ok) throw new Error(spec.message);
    const params = sqlParams(['tenant']);
    const sql = toSql(spec.value, {
      columns: { id: { column: 'id' } }, jsonRoots: { properties: 'properties' },
      resolve: resolveAssetOperand,
    }, params);
    expect(sql.ok && JSON.stringify(sql.value)).not.toMatch(/DROP|OR 1=1/);
    expect(params.values).toEqual(['tenant', [`${EDC}a;DROP`, 'b'], "x' OR 1=1 --", 50, 0]);
  });
});
