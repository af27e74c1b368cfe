// did:web identifiers: the tenant's DID for a public base URL, and the did:web → HTTPS URL transformation.
import { isIP } from 'node:net';
import { identityFailure, type IdentityResult } from './failures';

/** The connector's public base URL without a trailing slash. */
function trimBase(publicBaseUrl: string): string {
  return publicBaseUrl.replace(/\/+$/, '');
}

/** The did:web DID whose document lives at `{publicBaseUrl}/{segments…}/did.json` (port percent-encoded). */
export function didWebFor(publicBaseUrl: string, segments: readonly string[]): string {
  let base = didBases.get(publicBaseUrl);
  if (base === undefined) {
    const url = new URL(publicBaseUrl);
    const host = url.port === '' ? url.hostname : `${url.hostname}%3A${url.port}`;
    const prefix = url.pathname.split('/').filter((s) => s !== '');
    base = ['did:web', host, ...prefix.map(encodeURIComponent)].join(':');
    if (didBases.size >= 64) didBases.clear();
    didBases.set(publicBaseUrl, base);
  }
  let did = base;
  for (const s of segments) did += `:${encodeURIComponent(s)}`;
  return did;
}

/** `did:web:host[:prefix…]` per public base URL: tenant DIDs are derived on every DSP message, the URL parsed once. */
const didBases = new Map<string, string>();

/** `https://host:port/prefix` + tenant → `did:web:host%3Aport:prefix:tenants:{tenantId}`. */
export function tenantDid(publicBaseUrl: string, tenantId: string): string {
  return didWebFor(publicBaseUrl, ['tenants', tenantId]);
}

/** The tenant's HTTP root: `{base}/tenants/{tenantId}`. */
export function tenantBaseUrl(publicBaseUrl: string, tenantId: string): string {
  return `${trimBase(publicBaseUrl)}/tenants/${encodeURIComponent(tenantId)}`;
}

/** Base URL of the tenant's Credential Service (DCP); the query endpoint is `{this}/presentations/query`. */
export function credentialServiceUrl(publicBaseUrl: string, tenantId: string): string {
  return `${tenantBaseUrl(publicBaseUrl, tenantId)}/credentials`;
}

/** The tenant's DSP version discovery URL, published as the `DataService` entry of its DID document. */
export function dspVersionUrl(publicBaseUrl: string, tenantId: string): string {
  return `${tenantBaseUrl(publicBaseUrl, tenantId)}/.well-known/dspace-version`;
}

/** Splits `did#fragment` (or a DID URL with path/query) into the DID and the fragment. */
export function splitDidUrl(didUrl: string): { did: string; fragment?: string } {
  const hash = didUrl.indexOf('#');
  const withoutFragment = hash < 0 ? didUrl : didUrl.slice(0, hash);
  const did = withoutFragment.replace(/[/?].*$/, '');
  return hash < 0 ? { did } : { did, fragment: didUrl.slice(hash + 1) };
}

function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

export interface DidWebUrlOptions {
  /** Use `http:` for loopback hosts (tests and local development only). */
  readonly allowLoopbackHttp?: boolean;
}

const SEGMENT = /^[A-Za-z0-9._~%-]+$/;

/** The URL of the DID document for a `did:web` DID (per the did:web method: `:` → `/`, `%3A` → `:`). */
export function didWebToUrl(did: string, options: DidWebUrlOptions = {}): IdentityResult<string> {
  if (!did.startsWith('did:web:')) return identityFailure('did-invalid', 'only did:web DIDs are supported');
  const parts = did.slice('did:web:'.length).split(':');
  if (parts.some((p) => !SEGMENT.test(p))) return identityFailure('did-invalid', 'malformed did:web identifier');
  let host: string;
  let segments: string[];
  try {
    host = decodeURIComponent(parts[0]);
    segments = parts.slice(1).map((p) => decodeURIComponent(p));
  } catch {
    return identityFailure('did-invalid', 'malformed percent-encoding in did:web identifier');
  }
  if (/[/@?#\s]/.test(host) || segments.some((s) => s === '' || s === '.' || s === '..' || /[/?#\s]/.test(s))) {
    return identityFailure('did-invalid', 'malformed did:web identifier');
  }
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    return identityFailure('did-invalid', 'did:web host is not a valid authority');
  }
  if (options.allowLoopbackHttp && isLoopbackHost(url.hostname)) url.protocol = 'http:';
  url.pathname = segments.length === 0 ? '/.well-known/did.json' : `/${segments.map(encodeURIComponent).join('/')}/did.json`;
  return { ok: true, value: url.toString() };
}
