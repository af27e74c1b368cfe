// EDC QuerySpec filters on contractnegotiations / contractagreements / transferprocesses / edrs `/request`, through the runtime.
import { testEngines } from '../support/databases';
import { call, startTestRuntime, type TestRuntime } from '../support/runtime';
import { dspBase, EDC, managementOf, negotiateAndStart, onboard, publishPcf, waitState, type Api } from '../e2e/support/runtime-flow-steps';

const PROTOCOL = 'dataspace-protocol-http:2025-1';
type Row = Record<string, unknown> & { '@id': string };

describe.each(testEngines())('management process queries through the runtime on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;
  let oem2: Api;
  let oemDid: string;
  let oem2Did: string;
  const flows: { negotiationId: string; agreementId: string; transferId: string }[] = [];

  const query = async (api: Api, kind: string, body: unknown): Promise<Row[]> => {
    const r = await api('POST', `/${kind}/request`, body);
    if (r.status !== 200) throw new Error(`${kind} query: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Row[];
  };
  const where = (operandLeft: string, operator: string, operandRight: unknown, extra: Record<string, unknown> = {}) =>
    ({ '@context': EDC, '@type': 'QuerySpec', filterExpression: [{ operandLeft, operator, operandRight }], ...extra });
  const ids = (rows: Row[]) => rows.map((r) => r['@id']);

  beforeAll(async () => {
    rt = await startTestRuntime(engine);
    const keys = await onboard(rt, { supplier: 'BPNL00000000SUPP', oem: 'BPNL000000000OEM', oem2: 'BPNL00000000OEM2' });
    [sup, oem, oem2] = [managementOf(rt, keys.supplier), managementOf(rt, keys.oem), managementOf(rt, keys.oem2)];
    await publishPcf(rt, sup, 'supplier');
    const didOf = async (t: string) => ((await call(rt.baseUrl, 'GET', `/tenants/${t}/did.json`)).body as { id: string }).id;
    [oemDid, oem2Did] = [await didOf('oem'), await didOf('oem2')];
    const target = { protocol: PROTOCOL, address: dspBase(rt, 'supplier', PROTOCOL), counterPartyId: await didOf('supplier') } as const;
    flows.push(await negotiateAndStart(oem, target));
    flows.push(await negotiateAndStart(oem2, target));
    // The first transfer ends, so the supplier has one TERMINATED and one STARTED provider transfer.
    expect((await oem('POST', `/transferprocesses/${encodeURIComponent(flows[0].transferId)}/terminate`, { reason: 'done' })).status).toBe(204);
    await waitState(oem, 'transferprocesses', flows[0].transferId, 'TERMINATED');
    const providerSide = await query(sup, 'transferprocesses', where('correlationId', '=', flows[0].transferId));
    await waitState(sup, 'transferprocesses', providerSide[0]['@id'], 'TERMINATED');
  }, 90_000);

  afterAll(async () => {
    await rt.close();
  });

  it('filters negotiations by state, counterPartyId, type, id in and agreement, and sorts', async () => {
    const all = await query(sup, 'contractnegotiations', { '@context': EDC, '@type': 'QuerySpec' });
    expect(all).toHaveLength(2);
    expect(ids(await query(sup, 'contractnegotiations', where('state', '=', 'FINALIZED')))).toEqual(ids(all));
    expect(await query(sup, 'contractnegotiations', where('edc:state', '!=', 'FINALIZED'))).toEqual([]);
    const byOem = await query(sup, 'contractnegotiations', where('counterPartyId', '=', oemDid));
    expect(byOem.map((n) => [n.counterPartyId, n.contractAgreementId])).toEqual([[oemDid, flows[0].agreementId]]);
    expect(await query(sup, 'contractnegotiations', where('type', '=', 'CONSUMER'))).toEqual([]);
    expect(ids(await query(sup, 'contractnegotiations', where('https://w3id.org/edc/v0.0.1/ns/type', '=', 'PROVIDER')))).toEqual(ids(all));
    expect(ids(await query(sup, 'contractnegotiations', where('id', 'in', [all[1]['@id'], 'no-such-id'])))).toEqual([all[1]['@id']]);
    const byAgreement = await query(sup, 'contractnegotiations', where('contractAgreement.id', '=', flows[1].agreementId));
    expect(byAgreement.map((n) => n.counterPartyId)).toEqual([oem2Did]);
    const sorted = await query(sup, 'contractnegotiations', { '@context': EDC, sortField: 'counterPartyId', sortOrder: 'DESC' });
    expect(sorted.map((n) => n.counterPartyId)).toEqual([oemDid, oem2Did].sort().reverse());
    const page = await query(sup, 'contractnegotiations', { '@context': EDC, sortField: 'counterPartyId', sortOrder: 'DESC', offset: 1, limit: 1 });
    expect(ids(page)).toEqual([sorted[1]['@id']]);
    // The consumer side: its own negotiation only, typed CONSUMER.
    expect(ids(await query(oem, 'contractnegotiations', where('type', '=', 'CONSUMER')))).toEqual([flows[0].negotiationId]);
    expect(await query(oem2, 'contractnegotiations', where('id', '=', flows[0].negotiationId))).toEqual([]);
  });

  it('filters agreements by id, assetId, consumerId and signing date', async () => {
    const all = await query(sup, 'contractagreements', where('assetId', '=', 'pcf-exchange'));
    expect(ids(all).sort()).toEqual([flows[0].agreementId, flows[1].agreementId].sort());
    const first = all.find((a) => a['@id'] === flows[0].agreementId) as Row;
    expect(ids(await query(sup, 'contractagreements', where('consumerId', '=', first.consumerId)))).toEqual([flows[0].agreementId]);
    expect(ids(await query(sup, 'contractagreements', where('id', 'in', [flows[1].agreementId])))).toEqual([flows[1].agreementId]);
    expect(await query(sup, 'contractagreements', where('contractSigningDate', '<', 1_000_000))).toEqual([]);
    expect(await query(sup, 'contractagreements', where('contractSigningDate', '>=', Math.floor(Date.now() / 1000) - 600))).toHaveLength(2);
    expect(ids(await query(oem, 'contractagreements', { '@context': EDC }))).toEqual([flows[0].agreementId]);
  });

  it('filters transfers by state, type, contract, asset, correlation id and address', async () => {
    const terminated = await query(sup, 'transferprocesses', where('state', '=', 'TERMINATED'));
    expect(terminated.map((t) => [t.type, t.contractId, t.correlationId])).toEqual([['PROVIDER', flows[0].agreementId, flows[0].transferId]]);
    const started = await query(sup, 'transferprocesses', where('state', '=', 'STARTED'));
    expect(started.map((t) => t.contractId)).toEqual([flows[1].agreementId]);
    expect(await query(sup, 'transferprocesses', where('type', '=', 'CONSUMER'))).toEqual([]);
    expect(ids(await query(sup, 'transferprocesses', where('contractAgreementId', '=', flows[1].agreementId)))).toEqual(ids(started));
    expect(await query(sup, 'transferprocesses', where('assetId', '=', 'pcf-exchange'))).toHaveLength(2);
    expect(ids(await query(oem, 'transferprocesses', where('assetId', '=', 'pcf-exchange')))).toEqual([flows[0].transferId]);
    expect(ids(await query(oem, 'transferprocesses', where('counterPartyAddress', 'like', `${rt.baseUrl}/tenants/supplier/%`)))).toEqual([flows[0].transferId]);
    const both = await query(sup, 'transferprocesses', { '@context': EDC, sortField: 'state', filterExpression: [{ operandLeft: 'type', operator: '=', operandRight: 'PROVIDER' }] });
    expect(both.map((t) => t.state)).toEqual(['STARTED', 'TERMINATED']);
    expect(await query(oem2, 'transferprocesses', where('id', '=', flows[0].transferId))).toEqual([]);
  });

  it('lists EDR entries (STARTED consumer transfers) filtered by agreement, asset, provider, negotiation and transfer id', async () => {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    // The oem's only transfer has ended, so it holds no EDR; the provider side never lists any.
    expect(await query(oem, 'edrs', { '@context': EDC, '@type': 'QuerySpec' })).toEqual([]);
    expect(await query(sup, 'edrs', {})).toEqual([]);
    const [t] = [flows[1]];
    const all = await query(oem2, 'edrs', { '@context': EDC, '@type': 'QuerySpec' });
    expect(all).toEqual([expect.objectContaining({
      '@type': 'EndpointDataReferenceEntry', '@id': t.transferId, transferProcessId: t.transferId, agreementId: t.agreementId,
      contractNegotiationId: t.negotiationId, assetId: 'pcf-exchange', providerId: supplierDid,
    })]);
    for (const [field, value] of [['agreementId', t.agreementId], ['contractId', t.agreementId], ['edc:assetId', 'pcf-exchange'], ['providerId', supplierDid],
      ['contractNegotiationId', t.negotiationId], ['transferProcessId', t.transferId], ['@id', t.transferId]] as const) {
      expect([field, ids(await query(oem2, 'edrs', where(field, '=', value)))]).toEqual([field, [t.transferId]]);
    }
    expect(await query(oem2, 'edrs', where('agreementId', '=', flows[0].agreementId))).toEqual([]);
    expect(await query(oem2, 'edrs', where('createdAt', '>', Date.now() + 60_000))).toEqual([]);
    expect(await query(oem2, 'edrs', { '@context': EDC, offset: 1 })).toEqual([]);
    const unknown = await oem2('POST', '/edrs/request', where('state', '=', 'STARTED'));
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: 'filterExpression[0].operandLeft', invalidValue: 'state' })]);
    const limit = await oem2('POST', '/edrs/request', { '@context': EDC, limit: 0 });
    expect(limit.status).toBe(400);
    expect(limit.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: 'limit' })]);
  });

  it('answers unknown fields and operators with a 400 in the EDC error format', async () => {
    const field = await sup('POST', '/transferprocesses/request', where('edc:colour', '=', 'red'));
    expect(field.status).toBe(400);
    expect(field.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: 'filterExpression[0].operandLeft', invalidValue: 'edc:colour' })]);
    expect((field.body as { message: string }[])[0].message).toContain("unknown query field 'edc:colour'");
    const op = await sup('POST', '/contractnegotiations/request', where('state', 'between', 'A'));
    expect(op.status).toBe(400);
    expect(op.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: 'filterExpression[0].operator', invalidValue: 'between' })]);
    const sort = await sup('POST', '/contractagreements/request', { '@context': EDC, sortField: 'colour' });
    expect(sort.status).toBe(400);
    expect(sort.body).toEqual([expect.objectContaining({ type: 'BadRequest', path: 'sortField', invalidValue: 'colour' })]);
  });
});
