// Test harness for the PACT API: a migrated database with two tenants, the PACT module mounted on a tiny express app.
import { randomBytes } from 'node:crypto';
import express, { type Express } from 'express';
import request from 'supertest';
import { createLocalKeyStore, type LocalKeyStore } from '../../../connector/credentials/local/local-key-store';
import type { DataPlaneTokenVerifier } from '../../../connector/credentials/token-verifier';
import { silentLogger, type Logger } from '../../../connector/observability/logger';
import { isRole, setCaller } from '../../../connector/tenancy/caller';
import { createPactModule, type PactModule } from '../../../pcf-exchange-module/api/pact-module';
import type { PactOutbound } from '../../../pcf-exchange-module/events/outbound';
import type { PactFootprint } from '../../../pcf-exchange-module/model/pact-types';
import { createSqlFootprintStore } from '../../../pcf-exchange-module/store/sql-footprint-store';
import { insertTenantRow, openTestDatabase, type EngineName, type TestDatabase } from '../../support/databases';

export const PUBLIC_URL = 'https://pact.example.test';
export const TENANTS = ['alpha', 'beta'] as const;

export interface Harness {
  readonly db: TestDatabase;
  readonly keys: LocalKeyStore;
  readonly app: Express;
  readonly module: PactModule;
  readonly clock: { now: Date };
  advance(seconds: number): void;
  /** Registers a PACT client for `tenant` through the management API; returns its credentials. */
  registerClient(tenant: string): Promise<{ clientId: string; clientSecret: string }>;
  /** An access token of a fresh client of `tenant`. */
  token(tenant: string): Promise<string>;
  /** Inserts footprints directly through the store. */
  seed(tenant: string, footprints: readonly PactFootprint[]): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Builds the data-plane verifier from the harness's key store. */
  readonly dataPlaneVerifier?: (keys: LocalKeyStore) => DataPlaneTokenVerifier;
  readonly outbound?: PactOutbound;
  readonly logger?: Logger;
  readonly defaultPageSize?: number;
}

const unusedOutbound: PactOutbound = {
  post: async () => ({ ok: false, message: 'no outbound in this test' }),
  get: async () => ({ ok: false, message: 'no outbound in this test' }),
};

/** Management requests name their caller with test headers (the real app sets it in its authorizer). */
export function mgmt(app: Express, tenant: string, role: string) {
  const headers = { 'x-test-tenant': tenant, 'x-test-role': role };
  return {
    get: (path: string) => request(app).get(`/management/v3${path}`).set(headers),
    post: (path: string) => request(app).post(`/management/v3${path}`).set(headers),
    put: (path: string) => request(app).put(`/management/v3${path}`).set(headers),
    delete: (path: string) => request(app).delete(`/management/v3${path}`).set(headers),
  };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

export async function openHarness(engine: EngineName, options: HarnessOptions = {}): Promise<Harness> {
  const db = await openTestDatabase(engine);
  for (const t of TENANTS) await insertTenantRow(db, t);
  const clock = { now: new Date('2026-03-01T10:00:00Z') };
  const now = (): Date => new Date(clock.now.getTime());
  const keys = createLocalKeyStore({ db, masterKey: randomBytes(32), now });
  const logger = options.logger ?? silentLogger();
  const module = createPactModule({
    db, keys, secrets: keys, publicUrl: PUBLIC_URL, logger, now,
    tenants: { get: async (id) => ((TENANTS as readonly string[]).includes(id) ? { id, bpn: `BPNL-${id}`, displayName: id } : undefined) },
    outbound: options.outbound ?? unusedOutbound,
    ...(options.dataPlaneVerifier === undefined ? {} : { dataPlaneVerifier: options.dataPlaneVerifier(keys) }),
    options: { defaultPageSize: options.defaultPageSize ?? 100 },
    delivery: { baseBackoffMs: 1000, random: () => 0.5 },
    allowHttpPartners: true,
  });
  const app = express();
  app.use(express.json({ limit: '5mb' }));
  app.use((_req, res, next) => { res.locals.requestId = 'test-request'; next(); });
  app.use('/tenants/:tenantId/pact', module.pactRouter);
  app.use('/management/v3', (req, res, next) => {
    const tenantId = String(req.headers['x-test-tenant']);
    const role = req.headers['x-test-role'];
    if (!isRole(role)) { res.status(401).json([{ message: 'no caller', type: 'Unauthenticated' }]); return; }
    setCaller(res, { tenantId, subject: `${role}-user`, role, via: 'api-key', actor: `api-key:${role}-${tenantId}` });
    next();
  }, module.managementRouter);
  const store = createSqlFootprintStore();

  const registerClient = async (tenant: string): Promise<{ clientId: string; clientSecret: string }> => {
    const r = await mgmt(app, tenant, 'admin').post('/pact/clients').send({ name: 'partner app' });
    if (r.status !== 201) throw new Error(`client registration failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { clientId: r.body.clientId as string, clientSecret: r.body.clientSecret as string };
  };

  return {
    db, keys, app, module, clock,
    advance(seconds) { clock.now = new Date(clock.now.getTime() + seconds * 1000); },
    registerClient,
    async token(tenant) {
      const c = await registerClient(tenant);
      const r = await request(app).post(`/tenants/${tenant}/pact/auth/token`).set('Authorization', basic(c.clientId, c.clientSecret))
        .type('form').send('grant_type=client_credentials');
      if (r.status !== 200) throw new Error(`token failed: ${r.status}`);
      return r.body.access_token as string;
    },
    async seed(tenant, footprints) {
      await db.withTenant(tenant, async (tx) => {
        const r = await store.insertMany(tx, footprints);
        if (!r.ok) throw new Error(r.message);
      });
    },
    async close() {
      await module.worker.stop();
      await db.close();
    },
  };
}

/** The `<url>` of a `Link: <url>; rel="next"` header, parsed the way the conformance suite does. */
export function nextLink(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(', ')) {
    const m = /^<(.+)>; rel="(.+)"$/.exec(part);
    if (m !== null && m[2] === 'next') return m[1];
  }
  return undefined;
}

/** The path of an absolute link on PUBLIC_URL (supertest talks to the app directly). */
export function pathOf(link: string): string {
  if (!link.startsWith(PUBLIC_URL)) throw new Error(`link ${link} is not on ${PUBLIC_URL}`);
  return link.slice(PUBLIC_URL.length);
}
