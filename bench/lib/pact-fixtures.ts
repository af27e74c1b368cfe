// PACT bench fixtures: scratch PostgreSQL database, an in-process runtime logging at warn, tenants, clients, footprints.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '../../connector/app/config';
import { createRuntime, type Runtime } from '../../connector/app/runtime';
import { createLogger } from '../../connector/observability/logger';
import type { Database } from '../../connector/store/database';
import type { PactFootprint, ProductFootprintV3 } from '../../pcf-exchange-module/model/pact-types';
import { createSqlFootprintStore } from '../../pcf-exchange-module/store/sql-footprint-store';

const EXAMPLE = resolve(__dirname, '../../../shared/specs/pact/v3/examples/example-1.json');
export const GEOGRAPHIES = ['DE', 'FR', 'IT', 'ES'] as const;

export function benchDatabaseUrl(): string {
  return process.env.PCF_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Creates `pcf_bench_<random>` next to the admin database; `drop()` removes it (forcing out connections). */
export async function createScratchDatabase(adminUrl = benchDatabaseUrl()): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `pcf_bench_${randomBytes(5).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name, url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => ok(port));
    });
  });
}

export interface BenchRuntime {
  readonly runtime: Runtime;
  readonly baseUrl: string;
  readonly operatorKey: string;
  close(): Promise<void>;
}

/** The full runtime on PostgreSQL (it applies the migrations), plain HTTP on a loopback port, logging at `warn`. */
export async function startBenchRuntime(databaseUrl: string, env: Record<string, string> = {}): Promise<BenchRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcf-bench-'));
  const operatorKey = `pcfop_${randomBytes(24).toString('base64url')}`;
  const port = await freePort();
  const { config } = loadConfig({
    PCF_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: String(port), PCF_PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_URL: databaseUrl,
    PCF_OPERATOR_KEY: operatorKey, PCF_MASTER_KEY: randomBytes(32).toString('base64url'), PCF_LOG_LEVEL: 'warn',
    PCF_DEV_TRUST_ANCHOR: 'false', ...env,
  }, undefined);
  const runtime = await createRuntime(config, createLogger({ level: 'warn' }));
  const address = await runtime.start();
  return {
    runtime, operatorKey, baseUrl: `http://127.0.0.1:${address.port}`,
    async close() {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** One HTTP request over a keep-alive agent (setup calls and sequential latency probes). */
export function httpCall(url: string, method = 'GET', headers: Record<string, string> = {}, body?: string): Promise<Reply> {
  return new Promise((ok, fail) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

export function parseJson<T>(r: Reply, what: string): T {
  if (r.status >= 300) throw new Error(`${what}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
  return JSON.parse(r.body.toString('utf8')) as T;
}

/** Onboards a tenant through the operator API; returns its admin API key. */
export async function onboardTenant(rt: BenchRuntime, id: string): Promise<string> {
  const bpn = `BPNL${id.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`;
  const r = await httpCall(`${rt.baseUrl}/operator/v1/tenants`, 'POST', { authorization: `Bearer ${rt.operatorKey}`, 'content-type': 'application/json' },
    JSON.stringify({ id, displayName: id, bpn }));
  return parseJson<{ adminApiKey: string }>(r, `onboard ${id}`).adminApiKey;
}

/** Inserts tenant rows directly (tenants that only hold data; no keys or PACT clients). */
export async function insertTenantRows(db: Database, ids: readonly string[]): Promise<void> {
  await db.withSystem(async (tx) => {
    for (const id of ids) {
      const bpn = `BPNL${id.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(12, '0').slice(0, 12)}`;
      await tx.query("INSERT INTO tenants (id, display_name, bpn, region, credential_mode) VALUES ($1, $2, $3, 'eu-central-1', 'local')", [id, id, bpn]);
    }
  });
}

export interface PactClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly basic: string;
  readonly tokenUrl: string;
  readonly pactBase: string;
}

export async function registerPactClient(rt: BenchRuntime, tenantId: string, adminKey: string): Promise<PactClientCredentials> {
  const r = await httpCall(`${rt.baseUrl}/management/v3/pact/clients`, 'POST', { 'x-api-key': adminKey, 'content-type': 'application/json' }, JSON.stringify({ name: 'bench' }));
  const c = parseJson<{ clientId: string; clientSecret: string }>(r, 'register client');
  const pactBase = `${rt.baseUrl}/tenants/${tenantId}/pact`;
  return { ...c, basic: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`, tokenUrl: `${pactBase}/auth/token`, pactBase };
}

export const TOKEN_BODY = 'grant_type=client_credentials';

/**
 * A measured tenant (onboarded, with a PACT client and its bearer header) among `count - 1` bare tenants named
 * `${prefix}` plus a zero-padded number: the multi-tenant scale suites' setup.
 */
export async function measuredAmongTenants(rt: BenchRuntime, measured: string, count: number, prefix: string, digits: number): Promise<{ client: PactClientCredentials; bearer: Record<string, string>; tenants: string[] }> {
  const adminKey = await onboardTenant(rt, measured);
  const others = Array.from({ length: count - 1 }, (_, i) => `${prefix}${String(i + 1).padStart(digits, '0')}`);
  await insertTenantRows(rt.runtime.db, others);
  const client = await registerPactClient(rt, measured, adminKey);
  return { client, bearer: { authorization: `Bearer ${await accessToken(client)}` }, tenants: [measured, ...others] };
}

/** Adds `perTenant` footprints (ids labelled `label`) to every tenant and refreshes the planner's statistics. */
export async function fillTenants(db: Database, tenants: readonly string[], perTenant: number, label: string): Promise<void> {
  for (const t of tenants) await bulkInsert(db, t, makeFootprints(perTenant, `${t}-${label}`));
  await db.withSystem((tx) => tx.query('ANALYZE footprints'));
}

export async function accessToken(c: PactClientCredentials): Promise<string> {
  const r = await httpCall(c.tokenUrl, 'POST', { authorization: c.basic, 'content-type': 'application/x-www-form-urlencoded' }, TOKEN_BODY);
  return parseJson<{ access_token: string }>(r, 'token').access_token;
}

/** `n` distinct v3 footprints from the spec's example-1: own ids, products, one of four countries, increasing `created`. */
export function makeFootprints(n: number, label: string): PactFootprint[] {
  const template = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as ProductFootprintV3;
  const base = Date.parse('2025-01-01T00:00:00Z');
  const out: PactFootprint[] = [];
  for (let i = 0; i < n; i++) {
    const pcf = { ...template.pcf } as Record<string, unknown>;
    delete pcf.geographyCountrySubdivision;
    delete pcf.geographyRegionOrSubregion;
    pcf.geographyCountry = GEOGRAPHIES[i % GEOGRAPHIES.length];
    out.push({
      version: '3',
      doc: {
        ...template, id: randomUUID(), created: new Date(base + i * 1000).toISOString(),
        productIds: [`urn:pact:bench:${label}:product:${i}`], companyIds: [`urn:pact:bench:${label}:company`],
        pcf: pcf as ProductFootprintV3['pcf'],
      },
    });
  }
  return out;
}

/** Bulk-inserts footprints with SQL through `db.withTenant`, one transaction per batch. */
export async function bulkInsert(db: Database, tenantId: string, fps: readonly PactFootprint[], batch = 1000): Promise<void> {
  const store = createSqlFootprintStore();
  for (let i = 0; i < fps.length; i += batch) {
    const r = await db.withTenant(tenantId, (tx) => store.insertMany(tx, fps.slice(i, i + batch)));
    if (!r.ok) throw new Error(`bulk insert into ${tenantId}: ${r.message}`);
  }
}

/** Sequential latency of `url` (ms): mean, p50, p99 over `n` requests after `warmup`. */
export async function sequentialLatency(url: string, headers: Record<string, string>, n: number, warmup = 50): Promise<{ meanMs: number; p50Ms: number; p99Ms: number }> {
  const samples: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const t = process.hrtime.bigint();
    const r = await httpCall(url, 'GET', headers);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 200) throw new Error(`latency probe ${url}: HTTP ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
    if (i >= warmup) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return { meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length), p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
}

export function closeAgent(): void {
  agent.destroy();
}
