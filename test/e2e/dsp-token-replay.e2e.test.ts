// A DSP request's SI-token id is recorded in the transaction of its effects: a replay is refused on every endpoint and
// changes nothing; concurrent twins of one initial request, each with its own token, get the one process they created.
import type { Policy } from '../../policies/index';
import { testEngines, type TestDatabase } from '../support/databases';
import { closeTwoTenants, contractRequestBody, eventually, OEM, openTwoTenantsWithOffer, SUPPLIER, type Harness } from './support/control-plane-harness';

describe.each(testEngines())('SI-token replay on DSP endpoints on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;
  let supplierDid: string;
  let dsp: string;
  let offer: Policy;

  beforeAll(async () => {
    ({ db, h, supplierDid, dsp, offer } = await openTwoTenantsWithOffer(engine));
  }, 60_000);

  afterAll(() => closeTwoTenants(h, db));

  /** What a replay could change on the provider's side: its negotiations, transfers and audit trail (once the negotiations under way have ended). */
  const supplierState = async () => {
    await eventually(
      () => h.db.withTenant(SUPPLIER, (tx) => tx.query<{ n: number }>("SELECT count(*)::int AS n FROM cp_negotiations WHERE state NOT IN ('FINALIZED', 'TERMINATED')")),
      (rows) => rows[0]?.n === 0,
    );
    return counts();
  };
  const counts = () => h.db.withTenant(SUPPLIER, async (tx) => ({
    negotiations: (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cp_negotiations'))[0]?.n,
    transfers: (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM cp_transfers'))[0]?.n,
    audit: (await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_log'))[0]?.n,
  }));

  const contractRequest = (consumerPid: string) => contractRequestBody(h, offer, consumerPid);

  const post = (path: string, authorization: string, body: string) =>
    fetch(`${dsp}${path}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });

  it('refuses a replayed token with another message, and the replay changes nothing', async () => {
    const auth = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    const first = await post('/negotiations/request', auth, contractRequest('urn:uuid:replay-first'));
    expect(first.status).toBe(201);
    const before = await supplierState();
    const replay = await post('/negotiations/request', auth, contractRequest('urn:uuid:replay-second'));
    // The answer to any unauthenticated caller.
    const stranger = await post('/negotiations/request', 'Bearer nonsense', contractRequest('urn:uuid:replay-third'));
    expect([replay.status, await replay.text()]).toEqual([404, await stranger.text()]);
    expect(await supplierState()).toEqual(before);
  });

  it('refuses a spent token on every DSP endpoint, whatever the body', async () => {
    const auth = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    expect((await post('/catalog/request', auth, JSON.stringify(h.codec.encode({ type: 'CatalogRequestMessage' }, '2025-1')))).status).toBe(200);
    const before = await supplierState();
    for (const endpoint of h.cp.dspEndpoints.list) {
      const path = endpoint.path.replace(':id', 'urn%3Auuid%3Aany');
      const res = endpoint.method === 'GET'
        ? await fetch(`${dsp}${path}`, { headers: { authorization: auth } })
        : await post(path, auth, endpoint.path === '/negotiations/request' ? contractRequest('urn:uuid:replay-each') : '{}');
      expect([endpoint.method, endpoint.path, res.status]).toEqual([endpoint.method, endpoint.path, 404]);
    }
    expect(await supplierState()).toEqual(before);
  });

  it('lets exactly one of two concurrent requests with the same token through', async () => {
    const auth = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    const before = await supplierState();
    const answers = await Promise.all([
      post('/negotiations/request', auth, contractRequest('urn:uuid:race-a')),
      post('/negotiations/request', auth, contractRequest('urn:uuid:race-b')),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 404]);
    expect((await supplierState()).negotiations).toBe((before.negotiations as number) + 1);
  });

  it('spends the token of a request that was refused or failed', async () => {
    const auth = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    // An unknown process: answered 404 by the service; the id is recorded all the same.
    const unknown = await post('/negotiations/urn%3Auuid%3Amissing/termination', auth,
      JSON.stringify(h.codec.encode({ type: 'ContractNegotiationTerminationMessage', providerPid: 'urn:uuid:missing', consumerPid: 'urn:uuid:c' }, '2025-1')));
    expect(unknown.status).toBe(404);
    const before = await supplierState();
    expect((await post('/negotiations/request', auth, contractRequest('urn:uuid:after-refusal'))).status).toBe(404);
    // A malformed message, refused before any transaction.
    const auth2 = await h.identity.dcp.authorizationFor(OEM, supplierDid);
    expect((await post('/negotiations/request', auth2, '{"@type":"nonsense"}')).status).toBe(400);
    expect((await post('/negotiations/request', auth2, contractRequest('urn:uuid:after-bad-request'))).status).toBe(404);
    expect(await supplierState()).toEqual(before);
  });

  it('answers a well-signed request to a malformed tenant id like an unknown one (404), not with a fault', async () => {
    const bad = 'Not_A_Tenant';
    const auth = await h.identity.dcp.authorizationFor(OEM, h.identity.dids.didOf(bad));
    const res = await fetch(`${h.base}/tenants/${bad}/dsp/2025-1/negotiations/request`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: contractRequest('urn:uuid:bad-tenant'),
    });
    expect(res.status).toBe(404);
  });

  it('records the token id of a read-only request (catalog, process state) without waiting for the WAL flush, and of a request with effects durably', async () => {
    const withTenant = h.db.withTenant.bind(h.db);
    const durability: (boolean | undefined)[] = [];
    Object.assign(h.db, {
      withTenant: <T>(tenant: string, work: Parameters<typeof withTenant>[1], options?: Parameters<typeof withTenant>[2]) => {
        if (tenant === SUPPLIER && options?.guard !== undefined) durability.push(options.durable);
        return withTenant(tenant, work, options) as Promise<T>;
      },
    });
    try {
      const catalog = await post('/catalog/request', await h.identity.dcp.authorizationFor(OEM, supplierDid), JSON.stringify(h.codec.encode({ type: 'CatalogRequestMessage' }, '2025-1')));
      expect(catalog.status).toBe(200);
      expect(durability).toEqual([false]);
      const created = await post('/negotiations/request', await h.identity.dcp.authorizationFor(OEM, supplierDid), contractRequest(`urn:uuid:durability-${engine}`));
      expect(created.status).toBe(201);
      expect(durability).toEqual([false, undefined]);
      const providerPid = ((await created.json()) as { providerPid: string }).providerPid;
      const state = await fetch(`${dsp}/negotiations/${encodeURIComponent(providerPid)}`, { headers: { authorization: await h.identity.dcp.authorizationFor(OEM, supplierDid) } });
      expect(state.status).toBe(200);
      expect(durability).toEqual([false, undefined, false]);
    } finally {
      Object.assign(h.db, { withTenant });
    }
  });

  it('answers a repeated initial request (same message, new token) with the negotiation it created, and refuses its consumerPid with another message', async () => {
    const consumerPid = `urn:uuid:repeat-${engine}`;
    const body = contractRequest(consumerPid);
    const first = await post('/negotiations/request', await h.identity.dcp.authorizationFor(OEM, supplierDid), body);
    expect(first.status).toBe(201);
    const created = (await first.json()) as Record<string, unknown>;
    const repeat = await post('/negotiations/request', await h.identity.dcp.authorizationFor(OEM, supplierDid), body);
    expect(repeat.status).toBeLessThan(300);
    expect(((await repeat.json()) as Record<string, unknown>)['providerPid']).toBe(created['providerPid']);
    const other = JSON.stringify({ ...(JSON.parse(body) as Record<string, unknown>), callbackAddress: `${h.cp.dspBase(OEM, '2025-1')}/elsewhere` });
    const conflicting = await post('/negotiations/request', await h.identity.dcp.authorizationFor(OEM, supplierDid), other);
    // 409 without a body: the error schema requires a providerPid, and the caller has none for this request.
    expect(conflicting.status).toBe(409);
    const rows = await h.db.withTenant(SUPPLIER, (tx) => tx.query('SELECT id FROM cp_negotiations WHERE consumer_pid = $1', [consumerPid]));
    expect(rows).toHaveLength(1);
  });

  // Runs last: the twins' negotiations are unknown to the OEM, so the supplier's agreements to them never land.
  it('answers concurrent twins of one initial request (same consumerPid, each with its own token) with the one negotiation they created, never with a fault', async () => {
    for (let i = 0; i < 6; i++) {
      const consumerPid = `urn:uuid:twin-${engine}-${i}`;
      const body = contractRequest(consumerPid);
      const auths = await Promise.all([0, 1].map(() => h.identity.dcp.authorizationFor(OEM, supplierDid)));
      const answers = await Promise.all(auths.map(async (authorization) => {
        const res = await fetch(`${dsp}/negotiations/request`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      }));
      expect(answers.map((a) => a.status < 300)).toEqual([true, true]);
      const pids = answers.map((a) => a.body['providerPid']);
      expect(pids[0]).toBe(pids[1]);
      const rows = await h.db.withTenant(SUPPLIER, (tx) => tx.query('SELECT id FROM cp_negotiations WHERE consumer_pid = $1', [consumerPid]));
      expect(rows).toHaveLength(1);
    }
  });
});
