// did:web resolution through the SSRF-safe outbound client, with a TTL cache and document validation.
import type { OutboundHttpClient } from '../common/outbound-http';
import type { DidDocument, DidService, VerificationMethod } from './did-document';
import { didWebToUrl } from './did-web';
import { identityFailure, type IdentityResult } from './failures';

/** Resolves a DID to its DID document. */
export interface DidResolver {
  /** The validated document of `did`, whose `id` equals `did`; failures carry `did-*` codes. */
  resolve(did: string): Promise<IdentityResult<DidDocument>>;
  /** Drops a cached document (e.g. after a signature failed with a cached key, to pick up a rotation). */
  evict(did: string): void;
}

export interface DidWebResolverConfig {
  readonly http: OutboundHttpClient;
  /** Resolve loopback hosts over plain http (tests and local development only). Default false. */
  readonly allowLoopbackHttp?: boolean;
  /** How long a resolved document is reused. Default 5 minutes. */
  readonly cacheTtlMs?: number;
  readonly maxCacheEntries?: number;
  /** Deadline per resolution. Default 5 s. */
  readonly timeoutMs?: number;
  /** Largest accepted DID document. Default 256 KiB. */
  readonly maxDocumentBytes?: number;
  readonly now: () => Date;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function validMethod(v: unknown): v is VerificationMethod {
  return isObject(v) && typeof v.id === 'string' && typeof v.type === 'string' && (v.publicKeyJwk === undefined || isObject(v.publicKeyJwk));
}

const RELATIONSHIPS = ['authentication', 'assertionMethod', 'capabilityInvocation', 'capabilityDelegation', 'keyAgreement'] as const;

/** Checks the parts of a DID document we rely on; returns the document narrowed or a reason. */
export function parseDidDocument(value: unknown): IdentityResult<DidDocument> {
  if (!isObject(value) || typeof value.id !== 'string') return identityFailure('did-document-invalid', 'DID document has no id');
  const methods = value.verificationMethod ?? [];
  if (!Array.isArray(methods) || !methods.every(validMethod)) return identityFailure('did-document-invalid', 'malformed verificationMethod');
  for (const rel of RELATIONSHIPS) {
    const entries = value[rel];
    if (entries !== undefined && (!Array.isArray(entries) || !entries.every((e) => typeof e === 'string' || validMethod(e)))) {
      return identityFailure('did-document-invalid', `malformed ${rel}`);
    }
  }
  const services = value.service ?? [];
  if (!Array.isArray(services)) return identityFailure('did-document-invalid', 'malformed service');
  const service: DidService[] = services.filter(
    (s): s is DidService => isObject(s) && typeof s.id === 'string' && typeof s.type === 'string' && typeof s.serviceEndpoint === 'string',
  );
  return { ok: true, value: { ...(value as unknown as DidDocument), verificationMethod: methods as VerificationMethod[], service } };
}

export function createDidWebResolver(config: DidWebResolverConfig): DidResolver {
  const ttl = config.cacheTtlMs ?? 300_000;
  const maxEntries = config.maxCacheEntries ?? 1000;
  const cache = new Map<string, { doc: DidDocument; expiresAt: number }>();
  const inFlight = new Map<string, Promise<IdentityResult<DidDocument>>>();

  async function fetchDocument(did: string): Promise<IdentityResult<DidDocument>> {
    const url = didWebToUrl(did, { allowLoopbackHttp: config.allowLoopbackHttp });
    if (!url.ok) return url;
    const res = await config.http.requestJson({
      url: url.value,
      headers: { accept: 'application/did+json, application/json' },
      timeoutMs: config.timeoutMs ?? 5000,
      maxResponseBytes: config.maxDocumentBytes ?? 256 * 1024,
    });
    if (!res.ok) return identityFailure('did-resolution-failed', `cannot fetch the DID document of ${did}: ${res.reason} (${res.message})`);
    const doc = parseDidDocument(res.value.json);
    if (!doc.ok) return doc;
    if (doc.value.id !== did) return identityFailure('did-document-id-mismatch', `DID document id ${doc.value.id} does not equal ${did}`);
    return doc;
  }

  return {
    async resolve(did) {
      const now = config.now().getTime();
      const hit = cache.get(did);
      if (hit !== undefined && hit.expiresAt > now) return { ok: true, value: hit.doc };
      let pending = inFlight.get(did);
      if (pending === undefined) {
        pending = fetchDocument(did).finally(() => inFlight.delete(did));
        inFlight.set(did, pending);
      }
      const result = await pending;
      if (result.ok) {
        cache.delete(did);
        cache.set(did, { doc: result.value, expiresAt: config.now().getTime() + ttl });
        while (cache.size > maxEntries) cache.delete(cache.keys().next().value as string);
      }
      return result;
    },
    evict(did) {
      cache.delete(did);
    },
  };
}
