// The CLI as a newcomer uses it: serve on the embedded default (PGlite in a data dir), tenants and audit commands, restart, SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CLI = join(ROOT, 'connector/app/cli.ts');
const SPECS = resolve(ROOT, '../shared/specs');

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

const children = new Set<ChildProcess>();

function serve(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(TSX, [CLI, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  child.on('exit', () => children.delete(child));
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start:\n${out}`)), 60_000);
    child.stdout?.on('data', () => {
      if (out.includes('Onboard a tenant:')) {
        clearTimeout(timer);
        res({ child, output: () => out });
      }
    });
    child.on('exit', (code) => rej(new Error(`server exited ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((res) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => res(code));
    child.kill('SIGTERM');
  });
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [CLI, ...args], { env, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('pcf-connector CLI on the embedded default', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'pcf-cli-'));
    const port = await freePort();
    env = { ...process.env, PCF_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', PCF_PUBLIC_URL: `http://127.0.0.1:${port}`, PCF_LOG_LEVEL: 'warn', DATABASE_URL: '', PCF_OPERATOR_KEY: '', PCF_MASTER_KEY: '' };
  });

  afterAll(() => {
    // tsx runs the CLI in a child node process: kill the whole process group, or a failed test leaves a server behind.
    for (const child of children) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the generated operator key once, keeps data across restarts and stops cleanly on SIGTERM', async () => {
    const first = await serve(env);
    const key = readFileSync(join(dataDir, 'operator.key'), 'utf8').trim();
    expect(first.output()).toContain(`Operator key (shown once; kept in ${join(dataDir, 'operator.key')}): ${key}`);
    expect(statSync(join(dataDir, 'operator.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);

    const created = cli(env, 'tenants', 'create', '--id', 'cli-acme', '--name', 'ACME', '--bpn', 'BPNL0000000CLI01');
    expect(created.status).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ tenant: { id: 'cli-acme' }, adminApiKey: expect.stringMatching(/^pcfk_cli-acme_/) });
    const refused = cli(env, 'tenants', 'create', '--id', 'cli-acme', '--name', 'ACME', '--bpn', 'BPNL0000000CLI01');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/409/);
    expect(await stop(first.child)).toBe(0);

    const second = await serve(env);
    expect(second.output()).not.toContain(key);
    expect(second.output()).toContain(`Operator key: in ${join(dataDir, 'operator.key')}`);
    const listed = cli(env, 'tenants', 'list');
    expect(JSON.parse(listed.stdout).items.map((t: { id: string }) => t.id)).toEqual(['cli-acme']);
    const verified = cli(env, 'audit', 'verify');
    expect(verified.status).toBe(0);
    const report = JSON.parse(verified.stdout) as { ok: boolean; tenants: Record<string, { ok: boolean; records: number }> };
    expect(report).toMatchObject({ ok: true, tenants: { 'cli-acme': { ok: true } } });
    expect(report.tenants['cli-acme'].records).toBeGreaterThanOrEqual(2);
    const issued = cli(env, 'credentials', 'issue', '--tenant', 'cli-acme', '--types', 'MembershipCredential');
    expect(issued.status).toBe(0);
    expect(issued.stdout).toContain('MembershipCredential');
    expect(await stop(second.child)).toBe(0);

    // With the server stopped, the import opens the PGlite database directly.
    const example = (n: number) => readFileSync(join(SPECS, `pact/v3/examples/example-${n}.json`), 'utf8').replace(/\s*\n\s*/g, ' ');
    const file = join(dataDir, 'footprints.jsonl');
    writeFileSync(file, [example(1), example(2), JSON.stringify({ specVersion: '3.0.0', id: 'not-a-uuid' }), '{ this is not json'].join('\n'));
    const imported = cli(env, 'footprints', 'import', file, '--tenant', 'cli-acme');
    expect(imported.status).toBe(1);
    expect(JSON.parse(imported.stdout)).toMatchObject({ processed: 3, imported: 2, refused: 1, unreadableLines: [{ line: 4 }] });
    expect(imported.stderr).toMatch(/3 items, 2 imported, 1 refused/);
    expect(cli(env, 'footprints', 'import', file, '--tenant', 'nobody').status).toBe(1);

    const local = cli(env, 'audit', 'verify', '--local');
    expect(local.status).toBe(0);
    expect(JSON.parse(local.stdout)).toMatchObject({ ok: true });
  }, 100_000);

  it('fails fast with the option path on bad configuration, and explains unknown commands', () => {
    const bad = cli({ ...env, PORT: 'http' }, 'serve');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/\/server\/port \(from PORT\)/);
    const unknown = cli(env, 'frobnicate');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/usage: pcf-connector/);
  });
});
