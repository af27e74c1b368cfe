// Bench suite: latency of a filtered, paginated PACT list at 1,000 vs 100,000 footprints across 100 tenants (PostgreSQL + RLS).
import {
  accessToken, bulkInsert, closeAgent, createScratchDatabase, httpCall, insertTenantRows, makeFootprints, onboardTenant,
  registerPactClient, sequentialLatency, startBenchRuntime,
} from '../lib/pact-fixtures';
import type { BenchSuite } from '../lib/report';

const TENANTS = 100;
const MEASURED = 'scale-t000';

export const suite: BenchSuite = {
  name: 'pact-scale',
  async run(ctx) {
    const small = 1_000;
    const large = ctx.quick ? 10_000 : 100_000;
    const probes = ctx.quick ? 150 : 400;
    const scratch = await createScratchDatabase();
    ctx.log(`scratch database ${scratch.name}`);
    const latencies: { total: number; first: { meanMs: number; p50Ms: number; p99Ms: number }; next: { meanMs: number; p50Ms: number; p99Ms: number } }[] = [];
    try {
      // The read cache would answer every repeated probe from memory: this suite measures the database path.
      const rt = await startBenchRuntime(scratch.url, { PCF_PACT_READ_CACHE_MB: '0' });
      try {
        const adminKey = await onboardTenant(rt, MEASURED);
        const others = Array.from({ length: TENANTS - 1 }, (_, i) => `scale-t${String(i + 1).padStart(3, '0')}`);
        await insertTenantRows(rt.runtime.db, others);
        const tenants = [MEASURED, ...others];
        const client = await registerPactClient(rt, MEASURED, adminKey);
        const bearer = { authorization: `Bearer ${await accessToken(client)}` };
        const listUrl = `${client.pactBase}/3/footprints?geography=DE&status=Active&limit=2`;
        let inserted = 0;
        for (const total of [small, large]) {
          const perTenant = total / TENANTS - inserted / TENANTS;
          const started = Date.now();
          for (const t of tenants) await bulkInsert(rt.runtime.db, t, makeFootprints(perTenant, `${t}-${inserted}`));
          inserted = total;
          await rt.runtime.db.withSystem((tx) => tx.query('ANALYZE footprints'));
          ctx.log(`${total.toLocaleString('en')} footprints in ${TENANTS} tenants (+${Math.round((Date.now() - started) / 1000)} s); probing ${probes} sequential requests`);
          const firstPage = await httpCall(listUrl, 'GET', bearer);
          const link = /^<([^>]+)>; rel="next"$/.exec(String(firstPage.headers.link ?? ''))?.[1];
          if (firstPage.status !== 200 || link === undefined) throw new Error(`list: HTTP ${firstPage.status}, link ${String(firstPage.headers.link)}`);
          latencies.push({ total, first: await sequentialLatency(listUrl, bearer, probes), next: await sequentialLatency(link, bearer, probes) });
        }
      } finally {
        await rt.close();
      }
    } finally {
      closeAgent();
      await scratch.drop();
    }
    const [a, b] = latencies;
    // The target is judged on the exact ratio; the report shows it rounded to three decimals.
    const metric = (page: 'first' | 'next', label: string) => {
      const exact = b[page].p50Ms / a[page].p50Ms;
      return {
        name: `${label} at ${b.total.toLocaleString('en')} footprints (p50; p99 ${b[page].p99Ms} ms)`, value: b[page].p50Ms, unit: 'ms',
        baseline: { name: `same at ${a.total.toLocaleString('en')} (p99 ${a[page].p99Ms} ms)`, value: a[page].p50Ms },
        ratio: Math.round(exact * 1000) / 1000, ratioNote: 'latency / latency at 1,000', target: { text: '≤ 1.5×', met: exact <= 1.5 },
      };
    };
    return {
      suite: 'pact-scale',
      description: `GET 3/footprints?geography=DE&status=Active&limit=2 of one tenant, sequential requests over keep-alive, with ${a.total.toLocaleString('en')} then ${b.total.toLocaleString('en')} footprints spread over ${TENANTS} tenants (bulk SQL inserts through db.withTenant, then ANALYZE); read cache off, so every probe runs the query under RLS`,
      metrics: [metric('first', 'first page'), metric('next', 'second page (Link)')],
      notes: latencies.map((l) => `${l.total}: first page mean ${l.first.meanMs} ms, p50 ${l.first.p50Ms}, p99 ${l.first.p99Ms}; next page mean ${l.next.meanMs} ms, p50 ${l.next.p50Ms}, p99 ${l.next.p99Ms}`),
    };
  },
};
