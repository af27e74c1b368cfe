// Benchmark: evaluations per second of the CX-0136 PCF usage policy (allow and deny cases), after parsing once.
import { performance } from 'node:perf_hooks';
import type { Policy, PolicyContext, PolicyEngine } from '../../policies';
import { createCatenaXFunctions, createPolicyEngine, parsePolicy, pcfUsagePolicy } from '../../policies';

export interface PolicyEvalBenchResult {
  readonly name: 'policy-eval';
  /** Mean of the allow and deny rates (evaluations per second, one core). */
  readonly evaluationsPerSecond: number;
  readonly allowPerSecond: number;
  readonly denyPerSecond: number;
  readonly iterations: number;
  readonly warmupIterations: number;
  readonly targetPerSecond: number;
  readonly meetsTarget: boolean;
  readonly node: string;
}

const ITERATIONS = 200_000;
const WARMUP = 20_000;
const TARGET = 100_000;
const NOW = new Date('2025-06-01T12:00:00Z');

function credential(type: string, subject: Record<string, unknown>): PolicyContext['counterParty']['credentials'][number] {
  return {
    type: ['VerifiableCredential', type],
    issuer: 'did:web:issuer.example',
    issuanceDate: '2025-01-01T00:00:00Z',
    expirationDate: '2026-01-01T00:00:00Z',
    credentialSubject: { id: 'did:web:partner.example', holderIdentifier: 'BPNL00000000000A', ...subject },
  };
}

const ALLOW: PolicyContext = {
  now: NOW,
  counterParty: {
    did: 'did:web:partner.example',
    bpn: 'BPNL00000000000A',
    credentials: [
      credential('MembershipCredential', {}),
      credential('DataExchangeGovernanceCredential', { contractVersion: '1.0', useCase: 'DataExchangeGovernance' }),
      credential('BpnCredential', { bpn: 'BPNL00000000000A' }),
    ],
  },
};

/** A member without the framework agreement credential: denied by FrameworkAgreement. */
const DENY: PolicyContext = {
  now: NOW,
  counterParty: { did: 'did:web:other.example', credentials: [credential('MembershipCredential', {})] },
};

function measure(engine: PolicyEngine, policy: Policy, ctx: PolicyContext, expected: boolean): number {
  for (let i = 0; i < WARMUP; i++) engine.evaluate(policy, 'contract.negotiation', ctx);
  let mismatches = 0;
  const start = performance.now();
  for (let i = 0; i < ITERATIONS; i++) {
    if (engine.evaluate(policy, 'contract.negotiation', ctx).allowed !== expected) mismatches++;
  }
  const elapsedMs = performance.now() - start;
  if (mismatches > 0) throw new Error(`policy evaluation gave the wrong verdict ${mismatches} times`);
  return Math.round((ITERATIONS / elapsedMs) * 1000);
}

/** Runs the benchmark and returns its result (also used by `npm run bench`). */
export async function run(): Promise<PolicyEvalBenchResult> {
  const parsed = await parsePolicy(pcfUsagePolicy());
  if (!parsed.ok) throw new Error(`PCF usage policy template does not parse: ${parsed.message}`);
  const engine = createPolicyEngine({ functions: createCatenaXFunctions() });
  const valid = engine.validate(parsed.value, { kind: 'usage' });
  if (!valid.ok) throw new Error(`PCF usage policy template is invalid: ${valid.message}`);
  const allowPerSecond = measure(engine, parsed.value, ALLOW, true);
  const denyPerSecond = measure(engine, parsed.value, DENY, false);
  const evaluationsPerSecond = Math.round((allowPerSecond + denyPerSecond) / 2);
  return {
    name: 'policy-eval',
    evaluationsPerSecond,
    allowPerSecond,
    denyPerSecond,
    iterations: ITERATIONS,
    warmupIterations: WARMUP,
    targetPerSecond: TARGET,
    meetsTarget: Math.min(allowPerSecond, denyPerSecond) >= TARGET,
    node: process.version,
  };
}

if (require.main === module) {
  run()
    .then((result) => process.stdout.write(`${JSON.stringify(result)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
