// The identity module wired like the runtime does: a database, the local key store, the tenant service with the module's
// hooks, and a loopback express app serving the public routers and the operator router behind a fake operator auth.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Router } from 'express';
import { createLocalKeyStore, type LocalKeyStore } from '../../../../connector/credentials/local/local-key-store';
import { createIdentityModule, type IdentityModule, type IdentityModuleDeps } from '../../../../connector/identity/module/identity-module';
import { createLogger } from '../../../../connector/observability/logger';
import { createTenantService, type TenantService } from '../../../../connector/tenancy/tenant-service';
import { openTestDatabase, type EngineName, type TestDatabase } from '../../../support/databases';

export const OPERATOR_KEY = 'test-operator-key';

export interface ModuleHarness {
  readonly db: TestDatabase;
  readonly base: string;
  readonly clock: { ms: number };
  readonly now: () => Date;
  readonly masterKey: Buffer;
  readonly keys: LocalKeyStore;
  readonly module: IdentityModule;
  readonly tenants: TenantService;
  /** Extra routes on the same server (e.g. a rogue issuer). */
  readonly extra: Router;
  /** `METHOD path` of every request the server received. */
  readonly hits: string[];
  /** fetch against the loopback server; `operator: true` adds the operator key. */
  call(method: string, path: string, options?: CallOptions): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  /** Onboards a tenant through the tenant service (runs the module's afterOnboard hook). */
  onboard(id: string, bpn: string): Promise<void>;
  /** A second module instance on the same database and URL (a restart, or another replica). */
  replica(): IdentityModule;
  /** Serves `module`'s public routers on another loopback port. */
  serve(module: IdentityModule): Promise<{ call: ModuleHarness['call']; close(): Promise<void> }>;
  close(): Promise<void>;
}

type CallOptions = { body?: unknown; operator?: boolean; headers?: Record<string, string> };

async function callOn(base: string, method: string, path: string, opts: CallOptions = {}): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.operator) headers.authorization = `Bearer ${OPERATOR_KEY}`;
  if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON (status list JWT)
  }
  return { status: res.status, body, text, headers: res.headers };
}

export async function startModuleHarness(engine: EngineName, options: { trustAnchor?: boolean; db?: TestDatabase } = {}): Promise<ModuleHarness> {
  const db = options.db ?? (await openTestDatabase(engine));
  const clock = { ms: Date.now() };
  const now = () => new Date(clock.ms);
  const masterKey = randomBytes(32);
  const keys = createLocalKeyStore({ db, masterKey, now, signingKeyCacheMs: 0 });
  const logger = createLogger({ level: 'error', silent: true });

  let current: express.Express = express();
  const server = http.createServer((req, res) => current(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const moduleDeps: IdentityModuleDeps = {
    db, keys, masterKey, publicUrl: base, logger, now,
    outbound: { allowLoopback: true, timeoutMs: 5000 },
    trustAnchor: { enabled: options.trustAnchor ?? true },
    trustedIssuers: [],
    jtiPurgeIntervalMs: 1000,
  };
  const module = createIdentityModule(moduleDeps);
  await module.start();
  const tenants = createTenantService({ db, allowedRegions: ['eu-central-1'], defaultRegion: 'eu-central-1', pseudonymKey: randomBytes(32), hooks: module.hooks, now });

  const extra = express.Router();
  const hits: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    hits.push(`${req.method} ${req.path}`);
    next();
  });
  app.use(express.json());
  app.use('/operator/v1', (req, res, next) => {
    if (req.get('authorization') !== `Bearer ${OPERATOR_KEY}`) return void res.status(401).json([{ message: 'operator key required', type: 'Unauthenticated' }]);
    next();
  }, module.operatorRouter);
  for (const { path, router } of module.publicRouters) app.use(path, router);
  app.use(extra);
  current = app;

  const replicas: IdentityModule[] = [];
  return {
    db, base, clock, now, masterKey, keys, module, tenants, extra, hits,
    call: (method, path, opts) => callOn(base, method, path, opts),
    async serve(m) {
      const other = express();
      for (const { path, router } of m.publicRouters) other.use(path, router);
      const s = http.createServer(other);
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      return {
        call: (method, path, opts) => callOn(url, method, path, opts),
        async close() {
          s.closeAllConnections();
          await new Promise((r) => s.close(r));
        },
      };
    },
    async onboard(id, bpn) {
      const r = await tenants.onboard({ id, displayName: id, bpn }, { actor: 'test' });
      if (!r.ok) throw new Error(`onboarding ${id} failed: ${r.message}`);
    },
    replica() {
      const m = createIdentityModule(moduleDeps);
      replicas.push(m);
      return m;
    },
    async close() {
      for (const m of [module, ...replicas]) await m.stop();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      if (options.db === undefined) await db.close();
    },
  };
}
