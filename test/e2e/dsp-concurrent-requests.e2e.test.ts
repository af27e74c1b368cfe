// Concurrent twins of one initial DSP request (same consumerPid, each with its own token) create one process and get one answer.
import type { Policy } from '../../policies/index';
import { testEngines, type TestDatabase } from '../support/databases';
import { closeTwoTenants, contractRequestBody, OEM, openTwoTenantsWithOffer, SUPPLIER, type Harness } from './support/control-plane-harness';

describe.each(testEngines())('concurrent initial DSP requests on %s', (engine) => {
  let db: TestDatabase;
  let h: Harness;
  let supplierDid: string;
  let dsp: string;
  let offer: Policy;

  beforeAll(async () => {
    ({ db, h, supplierDid, dsp, offer } = await openTwoTenantsWithOffer(engine));
  }, 60_000);

  afterAll(() => closeTwoTenants(h, db));

  it('answers both twins with the one negotiation they created, never with a fault', async () => {
    for (let i = 0; i < 6; i++) {
      const consumerPid = `urn:uuid:twin-${engine}-${i}`;
      const body = contractRequestBody(h, offer, consumerPid);
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
