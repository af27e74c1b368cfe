// Checks docker/ without a Docker engine: the Dockerfile's copied paths and stages, the compose wiring, the health probe.
import yaml from 'js-yaml';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../../connector/app/config';

const ROOT = resolve(__dirname, '../../..');
const DOCKER = join(ROOT, 'docker');

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  command?: string[];
}
interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const compose = yaml.load(readFileSync(join(DOCKER, 'compose.yaml'), 'utf8')) as Compose;
const dockerfile = readFileSync(join(DOCKER, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const CONNECTORS = ['supplier', 'consumer'] as const;
const other = (s: (typeof CONNECTORS)[number]): string => (s === 'supplier' ? 'consumer' : 'supplier');

/** Dockerfile instructions with line continuations joined. */
function instructions(): { op: string; args: string }[] {
  return dockerfile.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ op: l.split(/\s+/)[0].toUpperCase(), args: l.slice(l.split(/\s+/)[0].length).trim() }));
}

describe('docker/Dockerfile', () => {
  const ins = instructions();

  it('copies only paths that exist in the repository and are not excluded by .dockerignore', () => {
    const copies = ins.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'));
    expect(copies.length).toBeGreaterThanOrEqual(6);
    for (const c of copies) {
      const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect({ src, exists: existsSync(join(ROOT, src)) }).toEqual({ src, exists: true });
        expect({ src, ignored: dockerignore.some((pattern) => src === pattern || src.startsWith(`${pattern}/`)) }).toEqual({ src, ignored: false });
      }
    }
  });

  it('builds in a dev-dependency stage and runs production dependencies only, as a non-root user, with a health check', () => {
    const stages = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+AS\s+/i)[1]);
    expect(stages).toEqual(['build', 'demo', 'runtime']);
    const runtime = ins.slice(ins.findIndex((i) => i.op === 'FROM' && /AS runtime$/i.test(i.args)));
    expect(ins.find((i) => i.op === 'RUN' && i.args.startsWith('npm ci') && !i.args.includes('--omit=dev'))).toBeDefined();
    expect(runtime.find((i) => i.op === 'RUN' && i.args.includes('npm ci --omit=dev'))).toBeDefined();
    expect(runtime.filter((i) => i.op === 'COPY' && i.args.startsWith('--from=build')).map((i) => i.args)).toEqual(['--from=build /app/dist ./dist']);
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^(root|0)$/);
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/PCF_DATA_DIR=\/data/);
    expect(runtime.find((i) => i.op === 'VOLUME')?.args).toContain('/data');
    expect(runtime.find((i) => i.op === 'HEALTHCHECK')?.args).toContain('docker/healthcheck.js');
    // The command is the package's bin, as the build script lays it out.
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };
    expect(runtime.find((i) => i.op === 'CMD')?.args).toBe(`["node", "${pkg.bin['pcf-connector']}", "serve"]`);
    expect(pkg.scripts.build).toContain('tsconfig.build.json');
  });
});

describe('docker/compose.yaml', () => {
  it('has PostgreSQL, the certificate job, a supplier and a consumer connector, and the demo behind a profile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['certs', 'consumer', 'demo', 'postgres', 'supplier']);
    expect(compose.services.demo.profiles).toEqual(['demo']);
    for (const s of [...CONNECTORS, 'demo']) {
      const build = compose.services[s].build;
      expect(build).toBeDefined();
      expect(existsSync(resolve(DOCKER, build?.context ?? '', build?.dockerfile ?? ''))).toBe(true);
      expect(dockerfile).toMatch(new RegExp(`^FROM .* AS ${build?.target}$`, 'm'));
    }
    for (const v of Object.values(compose.services).flatMap((s) => s.volumes ?? [])) {
      const [src] = v.split(':');
      if (src.startsWith('.')) expect({ v, exists: existsSync(resolve(DOCKER, src)) }).toEqual({ v, exists: true });
      else expect(Object.keys(compose.volumes)).toContain(src);
    }
  });

  it.each(CONNECTORS)('wires the %s connector: public URL by service name, its own database, TLS, trust in the other anchor', (name) => {
    const svc = compose.services[name];
    const env = svc.environment ?? {};
    const publicUrl = new URL(env.PCF_PUBLIC_URL);
    expect(publicUrl.hostname).toBe(name);
    expect(publicUrl.protocol).toBe('https:');
    const db = new URL(env.DATABASE_URL);
    expect(db.hostname).toBe('postgres');
    expect(readFileSync(join(DOCKER, 'postgres-init.sql'), 'utf8')).toContain(`CREATE DATABASE ${db.pathname.slice(1)};`);
    expect(svc.depends_on?.postgres.condition).toBe('service_healthy');
    expect(env.PCF_OUTBOUND_ALLOW_PRIVATE).toBe('true');
    const otherUrl = new URL(compose.services[other(name)].environment?.PCF_PUBLIC_URL ?? '');
    expect(env.PCF_TRUSTED_ISSUERS).toBe(`did:web:${otherUrl.hostname}%3A${otherUrl.port}:trust-anchor`);
    expect(svc.ports?.[0]).toMatch(new RegExp(`:${publicUrl.port}$`));
    // The environment is a valid configuration (compose defaults `${VAR:-x}` resolved to x).
    // The certificate volume is stood in for by a temporary directory (the config checks that the files exist).
    const certs = mkdtempSync(join(tmpdir(), 'pcf-certs-'));
    for (const f of ['server.crt', 'server.key', 'ca.crt']) writeFileSync(join(certs, f), 'placeholder');
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1').replace(/^\/certs\//, `${certs}/`)]));
    expect(env.PCF_TLS_CERT_FILE).toBe('/certs/server.crt');
    const { config } = loadConfig({ ...resolved, PCF_DATA_DIR: '/data' }, undefined);
    expect(config.server.publicUrl.replace(/\/$/, '')).toBe(env.PCF_PUBLIC_URL);
    expect(config.identity.devTrustAnchor).toBe(true);
  });

  it('points the demo at both connectors with their operator keys', () => {
    const demo = compose.services.demo.environment ?? {};
    expect(demo.PCF_DEMO_SUPPLIER_URL).toBe(compose.services.supplier.environment?.PCF_PUBLIC_URL);
    expect(demo.PCF_DEMO_CONSUMER_URL).toBe(compose.services.consumer.environment?.PCF_PUBLIC_URL);
    expect(demo.PCF_DEMO_SUPPLIER_OPERATOR_KEY).toBe(compose.services.supplier.environment?.PCF_OPERATOR_KEY);
    expect(demo.PCF_DEMO_CONSUMER_OPERATOR_KEY).toBe(compose.services.consumer.environment?.PCF_OPERATOR_KEY);
    expect(compose.services.demo.depends_on?.supplier.condition).toBe('service_healthy');
  });
});

describe('docker/healthcheck.js', () => {
  let server: Server;
  let status = 200;
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.statusCode = req.url === '/health' ? status : 404;
      res.end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  const probe = (): Promise<number> => new Promise((done) => {
    execFile(process.execPath, [join(DOCKER, 'healthcheck.js')], { env: { PORT: String((server.address() as AddressInfo).port) } }, (err) => {
      done(err === null ? 0 : Number((err as { code?: number }).code ?? 1));
    });
  });

  it('exits 0 when /health answers 200 and 1 otherwise', async () => {
    expect(await probe()).toBe(0);
    status = 503;
    expect(await probe()).toBe(1);
  });
});
