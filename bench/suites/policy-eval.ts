// Bench suite: ODRL evaluations per second of the CX-0136 PCF usage policy (parsed once), allow and deny cases.
import { run } from '../lib/policy-eval';
import type { BenchSuite } from '../lib/report';

export const suite: BenchSuite = {
  name: 'policy-eval',
  async run(ctx) {
    ctx.log('policy-eval: evaluating the PCF usage policy');
    const r = await run();
    const target = (v: number) => ({ text: `≥ ${r.targetPerSecond.toLocaleString('en')}/s on one core`, met: v >= r.targetPerSecond });
    return {
      suite: 'policy-eval',
      description: `ODRL evaluation of the CX-0136 PCF usage policy after parsing, one core, ${r.iterations.toLocaleString('en')} iterations`,
      metrics: [
        { name: 'PCF usage policy, allowed partner', value: Math.round(r.allowPerSecond), unit: 'evaluations/s', target: target(r.allowPerSecond) },
        { name: 'PCF usage policy, denied partner', value: Math.round(r.denyPerSecond), unit: 'evaluations/s', target: target(r.denyPerSecond) },
      ],
    };
  },
};
