// Two tenants, a trusted and an untrusted issuer, DID documents and Credential Services served by one loopback HTTP server.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOutboundHttpClient, type OutboundHttpClient } from '../../../../connector/common/outbound-http';
import type { TenantKeyProvider } from '../../../../connector/credentials/key-provider';
import { type AccessTokenService } from '../../../../connector/identity/access-token';
import { type CredentialService } from '../../../../connector/identity/credential-service';
import { type DcpIdentityService } from '../../../../connector/identity/dcp-identity-service';
import { createDevTrustAnchor, generateDevIssuerKey, type DevTrustAnchor } from '../../../../connector/identity/dev-trust-anchor';
import { type DidDocumentService } from '../../../../connector/identity/did-document';
import { type DidResolver } from '../../../../connector/identity/did-resolver';
import { heldCredentialFromJwt, type HeldCredentialRepository } from '../../../../connector/identity/held-credential-repository';
import { createInMemoryJtiReplayStore } from '../../../../connector/identity/jti-replay-store';
import { type PresentationCache } from '../../../../connector/identity/presentation-cache';
import { type PresentationVerifier } from '../../../../connector/identity/presentation-verifier';
import { type SelfIssuedTokenService } from '../../../../connector/identity/self-issued-token';
import { createIdentityComponents } from '../../../../connector/identity/identity-components';
import { createInMemoryKeyProvider } from './in-memory-key-provider';
import type { ScratchDb } from './scratch-db';

export const OEM = 'oem';
export const SUPPLIER = 'supplier';
export const OEM_BPN = 'BPNL000000000OEM';
export const SUPPLIER_BPN = 'BPNL000000000SUP';

export interface Harness {
  readonly base: string;
  readonly clock: { ms: number };
  readonly now: () => Date;
  readonly keys: TenantKeyProvider;
  readonly dids: DidDocumentService;
  readonly http: OutboundHttpClient;
  readonly resolver: DidResolver;
  readonly accessTokens: AccessTokenService;
  readonly siTokens: SelfIssuedTokenService;
  readonly credentialService: CredentialService;
  readonly presentations: PresentationVerifier;
  readonly presentationCache: PresentationCache;
  readonly dcp: DcpIdentityService;
  readonly anchor: DevTrustAnchor;
  readonly rogueIssuer: DevTrustAnchor;
  readonly repo: HeldCredentialRepository;
  /** Extra documents served verbatim by path (e.g. `/rogue/did.json`). */
  readonly extra: Map<string, unknown>;
  /** Requests seen, by path. */
  readonly hits: Map<string, number>;
  /** Stores a JWT VC in a tenant's wallet. */
  hold(tenantId: string, jwt: string): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
  });
}

export async function startHarness(db: ScratchDb, options: { presentationCacheSeconds?: number } = {}): Promise<Harness> {
  const clock = { ms: Date.UTC(2026, 0, 15, 12) };
  const now = () => new Date(clock.ms);
  const extra = new Map<string, unknown>();
  const hits = new Map<string, number>();
  let handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void> = async () => undefined;
  const server = http.createServer((req, res) => {
    handler(req, res).catch((err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const keys = createInMemoryKeyProvider(now);
  const httpClient = createOutboundHttpClient({ allowLoopback: true, timeoutMs: 3000 });
  const anchor = createDevTrustAnchor({ publicBaseUrl: base, key: generateDevIssuerKey('ES256K'), now });
  const rogueIssuer = createDevTrustAnchor({ publicBaseUrl: base, key: generateDevIssuerKey('ES256'), now, pathSegments: ['rogue-issuer'] });
  const components = createIdentityComponents(
    { publicBaseUrl: base, trustedIssuers: [anchor.did], allowLoopbackHttp: true, didCacheTtlMs: 60_000, statusListCacheTtlMs: 0, presentationCacheSeconds: options.presentationCacheSeconds },
    { keys, http: httpClient, db, now, replay: createInMemoryJtiReplayStore({ now }) },
  );
  const { dids, resolver, accessTokens, siTokens, credentialService, presentations, presentationCache, dcp } = components;
  const repo = components.heldCredentials;

  handler = async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.statusCode = status;
      res.setHeader('content-type', type);
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (extra.has(url.pathname)) return send(200, extra.get(url.pathname));
    let m = /^\/tenants\/([^/]+)\/did\.json$/.exec(url.pathname);
    if (m && req.method === 'GET') return send(200, await dids.documentOf(decodeURIComponent(m[1])));
    m = /^\/tenants\/([^/]+)\/credentials\/presentations\/query$/.exec(url.pathname);
    if (m && req.method === 'POST') {
      const result = await credentialService.answerQuery(decodeURIComponent(m[1]), req.headers.authorization, await readBody(req));
      if (result.ok) return send(200, result.value);
      return send(result.code === 'presentation-definition-unsupported' ? 501 : result.reason === 'bad-request' ? 400 : 401, { code: result.code });
    }
    for (const issuer of [anchor, rogueIssuer]) {
      const prefix = new URL(issuer.statusListUrl).pathname.replace(/\/status\/revocation$/, '');
      if (url.pathname === `${prefix}/did.json`) return send(200, issuer.didDocument());
      if (url.pathname === `${prefix}/status/revocation`) return send(200, await issuer.statusListCredential(), 'application/vc+jwt');
    }
    send(404, { error: 'not found' });
  };

  return {
    base,
    clock,
    now,
    keys,
    dids,
    http: httpClient,
    resolver,
    accessTokens,
    siTokens,
    credentialService,
    presentations,
    presentationCache,
    dcp,
    anchor,
    rogueIssuer,
    repo,
    extra,
    hits,
    async hold(tenantId, jwt) {
      const held = heldCredentialFromJwt(jwt);
      if (!held.ok) throw new Error(held.message);
      await db.withTenant(tenantId, (tx) => repo.save(tx, held.value));
    },
    async close() {
      httpClient.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
