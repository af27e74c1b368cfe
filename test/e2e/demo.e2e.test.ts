// Runs `npm run demo` (tsx demo/run.ts) as a child process: self-started on PGlite, against a runtime on PostgreSQL, and failing.
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { testEngines } from '../support/databases';
import { startTestRuntime } from '../support/runtime';

const ROOT = resolve(__dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');

const STEPS = [
  'Find or start a connector', 'Onboard the supplier tenant', 'Onboard the OEM tenant', 'Publish a PACT v3.0 footprint',
  'Publish a Catena-X 9.0.0 footprint', 'Create the PCF asset', 'Create the CX-0136 access and usage policies',
  'Create the contract definition', 'OEM requests the supplier’s catalog', 'OEM negotiates the contract', 'OEM starts the transfer',
  'OEM reads its EDR', 'OEM fetches the footprints from the supplier’s PACT host', 'OEM terminates the transfer',
  'The EDR token no longer opens the PACT host',
];

function runDemo(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  // Only what the demo needs: no inherited PCF_* settings or DATABASE_URL may redirect it.
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NODE_ENV: 'test' };
  return new Promise((done) => {
    execFile(TSX, ['demo/run.ts'], { cwd: ROOT, env: { ...base, ...env }, timeout: 150_000 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1;
      done({ code, stdout, stderr });
    });
  });
}

function unusedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = (probe.address() as AddressInfo);
      probe.close(() => resolvePort(port));
    });
  });
}

function expectAllSteps(stdout: string): void {
  const lines = stdout.split('\n');
  for (const title of STEPS) {
    expect(lines.some((l) => new RegExp(`^\\[ok\\]\\s+\\d+\\. ${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} — .* \\(\\d+ ms\\)$`).test(l))).toBe(true);
  }
  expect(lines.filter((l) => l.includes('Publish a PACT v3.0 footprint'))).toHaveLength(3);
  expect(stdout).toMatch(/OEM fetches the footprints .* — 4 footprints/);
  expect(stdout).toMatch(/The EDR token no longer opens the PACT host — HTTP 401/);
  expect(stdout).toMatch(/^Demo complete: \d+ steps in [\d.]+ s$/m);
  expect(stdout).not.toContain('[FAIL]');
}

describe('npm run demo', () => {
  it('starts its own connector on PGlite when none answers, and runs every step (exit 0)', async () => {
    const port = await unusedPort();
    const r = await runDemo({ PCF_PUBLIC_URL: `http://127.0.0.1:${port}` });
    if (r.code !== 0) throw new Error(`demo exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    expect(r.stdout).toMatch(/Find or start a connector — started in-process on http:\/\/127\.0\.0\.1:\d+ \(embedded PGlite/);
    expectAllSteps(r.stdout);
  }, 180_000);

  const onPostgres = testEngines().includes('postgres') ? it : it.skip;
  onPostgres('runs against a running connector on PostgreSQL (PCF_DEMO_URL + PCF_OPERATOR_KEY)', async () => {
    const rt = await startTestRuntime('postgres');
    try {
      const r = await runDemo({ PCF_DEMO_URL: rt.baseUrl, PCF_OPERATOR_KEY: rt.operatorKey });
      if (r.code !== 0) throw new Error(`demo exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      expect(r.stdout).toContain(`Find or start a connector — running connector at ${rt.baseUrl}`);
      expectAllSteps(r.stdout);
      // The tenants it created are real tenants of that connector.
      const tenants = await fetch(`${rt.baseUrl}/operator/v1/tenants`, { headers: { authorization: `Bearer ${rt.operatorKey}` } });
      expect(JSON.stringify(await tenants.json())).toMatch(/demo-supplier-[0-9a-f]{8}/);
    } finally {
      await rt.close();
    }
  }, 180_000);

  it('exits non-zero with a FAIL line when PCF_DEMO_URL does not answer', async () => {
    const port = await unusedPort();
    const r = await runDemo({ PCF_DEMO_URL: `http://127.0.0.1:${port}`, PCF_OPERATOR_KEY: 'x'.repeat(32) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\[FAIL\]\s+1\. Find or start a connector — no connector answers at/m);
    expect(r.stdout).not.toContain('Demo complete');
  }, 60_000);
});
