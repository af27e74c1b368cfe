// Bench suite: filtered PACT list latency for one tenant among 1,000 tenants, at 10,000 footprints in all and,
// opt-in (PCF_BENCH_LARGE=1), at 1,000,000 — PostgreSQL with RLS, the same runtime and query in both stages.
import { closeAgent, createScratchDatabase, fillTenants, measuredAmongTenants, sequentialLatency, startBenchRuntime } from '../lib/pact-fixtures';
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
        const { client, bearer, tenants } = await measuredAmongTenants(rt, MEASURED, TENANTS, 'ts-t', 4);
        const url = `${client.pactBase}/3/footprints?geography=DE&status=Active&limit=10`;
        let inserted = 0;
        for (const total of stages) {
          const perTenant = (total - inserted) / TENANTS;
          const started = Date.now();
          await fillTenants(rt.runtime.db, tenants, perTenant, String(inserted));
          inserted = total;
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
