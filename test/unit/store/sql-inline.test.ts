// Inlining parameters for the first statement of a transaction: placeholders only, exact values, unsafe input left alone.
import { Client } from 'pg';
import { inlineParameters, MAX_INLINE_PARAMETER_CHARS } from '../../../connector/store/sql-inline';
import { adminUrl } from '../../support/pg-urls';

const hasPostgres = process.env.PCF_TEST_PG_TEMPLATE !== undefined;

describe('inlineParameters', () => {
  it('replaces placeholders with quoted literals, including repeated and out-of-order ones', () => {
    expect(inlineParameters('SELECT * FROM t WHERE a = $1 AND b = $2 OR c = $1', ['x', 5])).toBe("SELECT * FROM t WHERE a = 'x' AND b = '5' OR c = 'x'");
    expect(inlineParameters('UPDATE t SET v = $2::jsonb WHERE id = $1', ['i', '{"k":1}'])).toBe(`UPDATE t SET v = '{"k":1}'::jsonb WHERE id = 'i'`);
    expect(inlineParameters('SELECT 1', [])).toBe('SELECT 1');
  });

  it('leaves $n inside string literals, quoted identifiers, comments and dollar-quoted bodies untouched', () => {
    const sql = `SELECT '$1', "$1", E'it\\'s $1', $tag$ $1 $tag$, $$ $1 $$ -- $1\n, $1 /* $1 */`;
    expect(inlineParameters(sql, ['v'])).toBe(`SELECT '$1', "$1", E'it\\'s $1', $tag$ $1 $tag$, $$ $1 $$ -- $1\n, 'v' /* $1 */`);
  });

  it('does not treat identifiers ending in $n as placeholders', () => {
    expect(inlineParameters('SELECT a$1 FROM t WHERE x = $1', ['v'])).toBe("SELECT a$1 FROM t WHERE x = 'v'");
  });

  it('quotes hostile text so it stays one literal', () => {
    expect(inlineParameters('SELECT $1', ["x'); DROP TABLE t; --"])).toBe("SELECT 'x''); DROP TABLE t; --'");
    expect(inlineParameters('SELECT $1', ['a\\b'])).toBe("SELECT  E'a\\\\b'");
  });

  it('writes null, numbers, booleans, dates, arrays and bytes as node-postgres would send them', () => {
    expect(inlineParameters('SELECT $1, $2, $3', [null, undefined, true])).toBe("SELECT NULL, NULL, 'true'");
    expect(inlineParameters('SELECT $1', [['a', 'b,c']])).toBe(`SELECT '{"a","b,c"}'`);
    expect(inlineParameters('SELECT $1', [Buffer.from([1, 255])])).toBe("SELECT  E'\\\\x01ff'");
    const date = new Date('2026-01-02T03:04:05.678Z');
    expect(inlineParameters('SELECT $1', [date])).toMatch(/^SELECT '2026-01-0\d.+'$/);
  });

  it('refuses (undefined) what must stay on the extended protocol', () => {
    expect(inlineParameters('SELECT $1', ['a\u0000b'])).toBeUndefined();
    expect(inlineParameters('SELECT $1', ['x'.repeat(MAX_INLINE_PARAMETER_CHARS + 1)])).toBeUndefined();
    expect(inlineParameters('SELECT $2', ['only one'])).toBeUndefined();
    expect(inlineParameters("SELECT 'unterminated $1", ['v'])).toBeUndefined();
    expect(inlineParameters('SELECT /* open $1', ['v'])).toBeUndefined();
  });

  (hasPostgres ? it : it.skip)('PostgreSQL reads every inlined value back exactly as the same parameter sent separately', async () => {
    const client = new Client({ connectionString: adminUrl() });
    await client.connect();
    try {
      const values: unknown[] = [
        "O'Brien", 'back\\slash', "mixed \\' quote", 'ünïcødé 🚗', '', '$1', '{"a":[1,2]}', 42, -1.5, true, null,
        new Date('2026-03-04T05:06:07.089Z'), ['x', 'y"z', null], Buffer.from('bytes\u0000here'),
      ];
      for (const v of values) {
        const cast = Buffer.isBuffer(v) ? 'bytea' : Array.isArray(v) ? 'text[]' : v instanceof Date ? 'timestamptz' : typeof v === 'number' ? 'numeric' : typeof v === 'boolean' ? 'boolean' : 'text';
        const sql = `SELECT $1::${cast} AS v`;
        const viaParam = (await client.query(sql, [v])).rows[0].v as unknown;
        const inlined = inlineParameters(sql, [v]);
        expect(inlined).toBeDefined();
        const viaLiteral = (await client.query(inlined as string)).rows[0].v as unknown;
        expect(viaLiteral).toEqual(viaParam);
      }
      // Inferred (uncast) parameters resolve the same way too.
      const where = 'SELECT count(*)::int AS n FROM (VALUES ($1::text)) AS t(x) WHERE x = $2 LIMIT $3';
      const params = ['k', 'k', 5];
      expect((await client.query(inlineParameters(where, params) as string)).rows).toEqual((await client.query(where, params)).rows);
    } finally {
      await client.end();
    }
  });
});
