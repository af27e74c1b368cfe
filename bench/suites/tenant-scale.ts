// Bench suite: filtered PACT list latency for one tenant among 1,000 tenants, at 10,000 footprints in all and,
// opt-in (PCF_BENCH_LARGE=1), at 1,000,000 — PostgreSQL with RLS, the same runtime and query in both stages.
import {
  accessToken, bulkInsert, closeAgent, createScratchDatabase, insertTenantRows, makeFootprints, onboardTenant,
  registerPactClient, sequentialLatency, startBenchRuntime,
} from '../lib/pact-fixtures';
import type { BenchMetric, BenchSuite } from '../lib/report';

const TENANTS = 1_000;
const MEASURED = 'ts-t0000';

export const suite: BenchSuite = {
  name: 'tenant-scale',
  async run(ctx) {
    const large = process.env.PCF_BENCH_LARGE === '1' && !ctx.quick;
    const stages = large ? [10_000, 1_000_000] : [10_000];
    const probes = ctx.quick ? 150 : 400;
    const scratch = await createScratchDatabase();
    const measured: { total: number; p50Ms: number; p99Ms: number }[] = [];
    try {
      const rt = await startBenchRuntime(scratch.url);
      try {
        const adminKey = await onboardTenant(rt, MEASURED);
        const others = Array.from({ length: TENANTS - 1 }, (_, i) => `ts-t${String(i + 1).padStart(4, '0')}`);
        await insertTenantRows(rt.runtime.db, others);
        const client = await registerPactClient(rt, MEASURED, adminKey);
        const bearer = { authorization: `Bearer ${await accessToken(client)}` };
        const url = `${client.pactBase}/3/footprints?geography=DE&status=Active&limit=10`;
        let inserted = 0;
        for (const total of stages) {
          const perTenant = (total - inserted) / TENANTS;
          const started = Date.now();
          for (const t of [MEASURED, ...others]) await bulkInsert(rt.runtime.db, t, makeFootprints(perTenant, `${t}-${inserted}`));
          inserted = total;
          await rt.runtime.db.withSystem((tx) => tx.query('ANALYZE footprints'));
          ctx.log(`${total.toLocaleString('en')} footprints in ${TENANTS} tenants (+${Math.round((Date.now() - started) / 1000)} s); probing`);
          const l = await sequentialLatency(url, bearer, probes);
          measured.push({ total, p50Ms: l.p50Ms, p99Ms: l.p99Ms });
        }
      } finally {
        await rt.close();
      }
    } finally {
      closeAgent();
      await scratch.drop();
    }
    const [small, big] = measured;
    const metrics: BenchMetric[] = [
      { name: `filtered list, ${small.total.toLocaleString('en')} footprints across ${TENANTS} tenants (p50; p99 ${small.p99Ms} ms)`, value: small.p50Ms, unit: 'ms' },
    ];
    if (big) {
      const ratio = Math.round((big.p50Ms / small.p50Ms) * 100) / 100;
      metrics.push({
        name: `filtered list, ${big.total.toLocaleString('en')} footprints across ${TENANTS} tenants (p50; p99 ${big.p99Ms} ms)`, value: big.p50Ms, unit: 'ms',
        baseline: { name: `same at ${small.total.toLocaleString('en')}`, value: small.p50Ms }, ratio, ratioNote: 'latency / latency at 10,000',
      });
    }
    return {
      suite: 'tenant-scale',
      description: `GET 3/footprints?geography=DE&status=Active&limit=10 of one tenant among ${TENANTS}, sequential requests over keep-alive${large ? '' : '; the 1,000,000-footprint stage runs with PCF_BENCH_LARGE=1'}`,
      metrics,
    };
  },
};
