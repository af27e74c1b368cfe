// EDC QuerySpec → SQL for negotiations, agreements and transfers: field names (plain, edc:, IRI), operators, sort, errors.
import { createManagementBodyReader } from '../../../connector/management/jsonld-body';
import { querySpecOfBody } from '../../../connector/management/negotiation-routes';
import { querySpec, sqlParams, toSql, type QuerySpec, type SqlFieldMap } from '../../../connector/management/query-spec';
import { AGREEMENT_QUERY_FIELDS, NEGOTIATION_QUERY_FIELDS } from '../../../connector/negotiation/negotiation-store';
import { TRANSFER_QUERY_FIELDS } from '../../../connector/transfer/transfer-store';

const EDC = 'https://w3id.org/edc/v0.0.1/ns/';
const texts = (column: string) => `ARRAY[${column}::text]`;
const nullable = (column: string) => `array_remove(ARRAY[${column}::text], NULL)`;

function sql(spec: Partial<QuerySpec>, fields: SqlFieldMap) {
  const params = sqlParams(['tenant-1']);
  const r = toSql(querySpec(spec), fields, params, 'id', ['created_at']);
  return { r, values: params.values };
}

describe('process QuerySpec → SQL', () => {
  it.each([
    ['state', texts('state')], [`${EDC}state`, texts('state')], ['edc:state', texts('state')],
    ['counterPartyId', texts('counter_party_id')], ['edc:counterPartyAddress', texts('counter_party_address')],
    ['type', texts('upper(role)')], ['contractAgreement.id', nullable('agreement_id')], ['contractAgreementId', nullable('agreement_id')],
    ['@id', texts('id')], [`${EDC}id`, texts('id')], ['createdAt', texts('created_at')],
  ])('negotiation field %s → %s', (operand, expression) => {
    const { r, values } = sql({ filterExpression: [{ operandLeft: operand, operator: '=', operandRight: 'v' }] }, NEGOTIATION_QUERY_FIELDS);
    expect(r.ok && r.value.where).toBe(`($2::text = ANY(${expression}))`);
    expect(values).toEqual(['tenant-1', 'v', 50, 0]);
  });

  it('ANDs criteria, binds every value (in-lists as one array parameter), and pages with parameters', () => {
    const { r, values } = sql({
      offset: 5, limit: 7,
      filterExpression: [
        { operandLeft: 'id', operator: 'in', operandRight: ['n-1', "n-2'; DROP TABLE cp_negotiations; --"] },
        { operandLeft: 'type', operator: '!=', operandRight: 'PROVIDER' },
        { operandLeft: 'counterPartyAddress', operator: 'like', operandRight: 'https://%/dsp%' },
      ],
    }, NEGOTIATION_QUERY_FIELDS);
    if (!r.ok) throw new Error(r.message);
    expect(r.value.where).toBe([
      '(ARRAY[id::text] && $2::text[])',
      'NOT ($3::text = ANY(ARRAY[upper(role)::text]))',
      'EXISTS (SELECT 1 FROM unnest(ARRAY[counter_party_address::text]) AS v(t) WHERE t LIKE $4::text)',
    ].join(' AND '));
    expect(r.value.page).toBe('LIMIT $5 OFFSET $6');
    expect(values).toEqual(['tenant-1', ['n-1', "n-2'; DROP TABLE cp_negotiations; --"], 'PROVIDER', 'https://%/dsp%', 7, 5]);
    expect(`${r.value.where} ${r.value.orderBy}`).not.toContain('DROP');
  });

  it('orders by created_at then id by default, and by the sort field first when given (numeric fields unquoted)', () => {
    const plain = sql({ sortOrder: 'DESC' }, NEGOTIATION_QUERY_FIELDS).r;
    expect(plain.ok && plain.value.orderBy).toBe('created_at DESC, id COLLATE "C" DESC');
    const byState = sql({ sortField: 'edc:state' }, NEGOTIATION_QUERY_FIELDS).r;
    expect(byState.ok && byState.value.orderBy).toBe('state COLLATE "C" ASC, created_at ASC, id COLLATE "C" ASC');
    const bySigning = sql({ sortField: 'contractSigningDate', sortOrder: 'DESC' }, AGREEMENT_QUERY_FIELDS).r;
    expect(bySigning.ok && bySigning.value.orderBy).toBe('(signing_date / 1000) DESC, created_at DESC, id COLLATE "C" DESC');
  });

  it('maps agreement and transfer fields', () => {
    const cases: [SqlFieldMap, string, string][] = [
      [AGREEMENT_QUERY_FIELDS, 'assetId', texts('asset_id')], [AGREEMENT_QUERY_FIELDS, 'edc:providerId', texts('provider_id')],
      [AGREEMENT_QUERY_FIELDS, 'consumerId', texts('consumer_id')], [AGREEMENT_QUERY_FIELDS, 'policy.assignee', nullable("(policy->>'assignee')")],
      [TRANSFER_QUERY_FIELDS, 'contractId', texts('agreement_id')], [TRANSFER_QUERY_FIELDS, 'contractAgreementId', texts('agreement_id')],
      [TRANSFER_QUERY_FIELDS, 'transferType', texts('format')], [TRANSFER_QUERY_FIELDS, 'type', texts('upper(role)')],
      [TRANSFER_QUERY_FIELDS, 'correlationId', nullable("CASE WHEN role = 'provider' THEN consumer_pid ELSE provider_pid END")],
    ];
    for (const [fields, operand, expression] of cases) {
      const { r } = sql({ filterExpression: [{ operandLeft: operand, operator: '=', operandRight: 'x' }] }, fields);
      expect(r.ok && r.value.where).toBe(`($2::text = ANY(${expression}))`);
    }
    const signed = sql({ filterExpression: [{ operandLeft: 'contractSigningDate', operator: '>=', operandRight: 1700000000 }] }, AGREEMENT_QUERY_FIELDS).r;
    expect(signed.ok && signed.value.where).toContain('t::numeric >= $2::numeric');
    const asset = sql({ filterExpression: [{ operandLeft: 'assetId', operator: '=', operandRight: 'pcf' }] }, TRANSFER_QUERY_FIELDS).r;
    expect(asset.ok && asset.value.where).toContain("COALESCE(extra->>'assetId', (SELECT a.asset_id FROM cp_agreements a");
  });

  it('refuses unknown fields (filter and sort) naming the field and the accepted ones', () => {
    const unknown = sql({ filterExpression: [{ operandLeft: 'state', operator: '=', operandRight: 'X' }, { operandLeft: 'edc:colour', operator: '=', operandRight: 'red' }] }, NEGOTIATION_QUERY_FIELDS).r;
    expect(unknown).toMatchObject({ ok: false, reason: 'bad-request', details: [{ path: 'filterExpression[1].operandLeft', invalidValue: 'edc:colour' }] });
    expect(!unknown.ok && unknown.message).toMatch(/unknown query field 'edc:colour'; fields: id, @id, state, type, counterPartyId/);
    const transferOnly = sql({ filterExpression: [{ operandLeft: 'transferType', operator: '=', operandRight: 'x' }] }, NEGOTIATION_QUERY_FIELDS).r;
    expect(transferOnly.ok).toBe(false);
    const sort = sql({ sortField: 'policy.target' }, AGREEMENT_QUERY_FIELDS).r;
    expect(sort).toMatchObject({ ok: false, details: [{ path: 'sortField', invalidValue: 'policy.target' }] });
  });
});

describe('QuerySpec of a management /request body', () => {
  const reader = createManagementBodyReader();

  it('reads EDC bodies with @vocab, edc: prefixes or no context; empty bodies are the defaults', async () => {
    const vocab = await querySpecOfBody(reader, {
      '@context': { '@vocab': EDC }, '@type': 'QuerySpec', limit: 2, sortField: 'createdAt', sortOrder: 'DESC',
      filterExpression: [{ operandLeft: 'state', operator: 'in', operandRight: ['FINALIZED', 'TERMINATED'] }],
    });
    expect(vocab).toEqual({ ok: true, value: { offset: 0, limit: 2, sortOrder: 'DESC', sortField: 'createdAt', filterExpression: [{ operandLeft: 'state', operator: 'in', operandRight: ['FINALIZED', 'TERMINATED'] }] } });
    const prefixed = await querySpecOfBody(reader, {
      '@context': { edc: EDC }, 'edc:filterExpression': { 'edc:operandLeft': 'edc:type', 'edc:operator': '=', 'edc:operandRight': 'CONSUMER' },
    });
    expect(prefixed.ok && prefixed.value.filterExpression).toEqual([{ operandLeft: 'edc:type', operator: '=', operandRight: 'CONSUMER' }]);
    expect(await querySpecOfBody(reader, undefined)).toEqual({ ok: true, value: querySpec() });
    expect(await querySpecOfBody(reader, {})).toEqual({ ok: true, value: querySpec() });
  });

  it('refuses an unknown operator and bad paging with the offending path', async () => {
    const op = await querySpecOfBody(reader, { filterExpression: [{ operandLeft: 'state', operator: 'between', operandRight: 'A' }] });
    expect(op).toMatchObject({ ok: false, reason: 'bad-request', details: [{ path: 'filterExpression[0].operator', invalidValue: 'between' }] });
    expect(await querySpecOfBody(reader, { limit: -1 })).toMatchObject({ ok: false, details: [{ path: 'limit' }] });
    expect(await querySpecOfBody(reader, { sortOrder: 'SIDEWAYS' })).toMatchObject({ ok: false, details: [{ path: 'sortOrder' }] });
  });
});
