// Usage policy on the data plane through the real runtime: access ends at the agreement's end date, the monitor terminates.
import { pcfUsagePolicy } from '../../policies/index';
import { testEngines } from '../support/databases';
import { call, type TestRuntime } from '../support/runtime';
import { type Api, dspBase, eventually, negotiateAndStart, startSupplierAndOem, waitState } from './support/runtime-flow-steps';
import { edrOf, providerProcessOf, readFootprint } from './support/transfer-steps';

// Only the wall clock and setInterval (the policy monitor's timer) are faked, both moving with real time unless pushed.
const REAL = ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'requestAnimationFrame', 'cancelAnimationFrame', 'requestIdleCallback',
  'cancelIdleCallback', 'setImmediate', 'clearImmediate', 'setTimeout', 'clearTimeout'] as const;

/** The PCF usage policy whose use ends `seconds` after the agreement is signed (Catena-X DataUsageEndDate). */
function endingUsagePolicy(seconds: number) {
  const doc = pcfUsagePolicy({ id: 'pcf-usage-ending' }) as unknown as { policy: { permission: { constraint: { and: unknown[] }[] }[] } };
  doc.policy.permission[0]?.constraint[0]?.and.push({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: `contractAgreement + ${seconds}s` });
  return doc as unknown as ReturnType<typeof pcfUsagePolicy>;
}

describe.each(testEngines())('usage policy on the data plane on %s', (engine) => {
  let rt: TestRuntime;
  let sup: Api;
  let oem: Api;
  let footprintId: string;

  beforeAll(async () => {
    jest.useFakeTimers({ advanceTimers: true, doNotFake: [...REAL] });
    ({ rt, sup, oem, footprintId } = await startSupplierAndOem(engine, endingUsagePolicy(60)));
  }, 60_000);

  afterAll(async () => {
    await rt?.close();
    jest.useRealTimers();
  });

  it('the data plane answers until the DataUsageEndDate, refuses after it before the monitor runs, and the monitor terminates both sides with the reason', async () => {
    const supplierDid = ((await call(rt.baseUrl, 'GET', '/tenants/supplier/did.json')).body as { id: string }).id;
    const { transferId } = await negotiateAndStart(oem, { protocol: 'dataspace-protocol-http:2025-1', address: dspBase(rt, 'supplier', 'dataspace-protocol-http:2025-1'), counterPartyId: supplierDid });
    const providerId = await providerProcessOf(oem, transferId);
    const edr = await edrOf(oem, transferId);
    expect((await readFootprint(rt, 'supplier', footprintId, edr.authorization)).status).toBe(200);

    // 90 s later: past the end (agreement + 60 s), well inside the token's 600 s lifetime; the monitor has not run.
    jest.setSystemTime(Date.now() + 90_000);
    const refused = await readFootprint(rt, 'supplier', footprintId, edr.authorization);
    // The token is still valid; the access is not: 403 AccessDenied (PACT error table).
    expect(refused.status).toBe(403);
    expect((refused.body as { code?: string }).code).toBe('AccessDenied');
    expect(((await sup('GET', `/transferprocesses/${encodeURIComponent(providerId)}`)).body as { state: string }).state).toBe('STARTED');

    // The monitor's next pass (default interval 60 s) terminates the transfer; the consumer learns why.
    await jest.advanceTimersByTimeAsync(60_000);
    await waitState(sup, 'transferprocesses', providerId, 'TERMINATED');
    await waitState(oem, 'transferprocesses', transferId, 'TERMINATED');
    const provider = (await sup('GET', `/transferprocesses/${encodeURIComponent(providerId)}`)).body as { errorDetail?: string };
    expect(provider.errorDetail).toMatch(/^policy no longer satisfied: .*end date .* has passed/);
    const consumer = await eventually(() => oem('GET', `/transferprocesses/${encodeURIComponent(transferId)}`), (r) => (r.body as { errorDetail?: string }).errorDetail !== undefined);
    expect((consumer.body as { errorDetail: string }).errorDetail).toContain('policy no longer satisfied');
    expect((await readFootprint(rt, 'supplier', footprintId, edr.authorization)).status).toBe(401);
    expect((await oem('GET', `/edrs/${encodeURIComponent(transferId)}/dataaddress`)).status).toBe(404);
  }, 90_000);

  it('a new transfer under the ended agreement is refused by the provider (transfer scope) and ends TERMINATED', async () => {
    const agreements = (await oem('POST', '/contractagreements/request', {})).body as { '@id': string }[];
    expect(agreements.length).toBeGreaterThan(0);
    const r = await oem('POST', '/transferprocesses', {
      '@context': { '@vocab': 'https://w3id.org/edc/v0.0.1/ns/' }, '@type': 'TransferRequest', contractId: agreements[0]?.['@id'],
      counterPartyAddress: dspBase(rt, 'supplier', 'dataspace-protocol-http:2025-1'), protocol: 'dataspace-protocol-http:2025-1', transferType: 'HttpData-PULL',
    });
    expect(r.status).toBe(200);
    await waitState(oem, 'transferprocesses', (r.body as { '@id': string })['@id'], 'TERMINATED');
  }, 60_000);
});
