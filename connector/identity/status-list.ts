// Credential status checks against StatusList2021 / BitstringStatusList credentials, fetched via the outbound client and cached.
import { gunzipSync } from 'node:zlib';
import type { OutboundHttpClient } from '../common/outbound-http';
import { verifyDidSignature } from './did-jwt';
import type { DidResolver } from './did-resolver';
import { identityFailure, type IdentityResult } from './failures';
import { parseCredentialJwt, type CredentialStatusEntry } from './vc-jwt';

/** Checks one credential status entry. */
export interface StatusListChecker {
  /** Ok when the entry's bit is clear; `credential-revoked` / `credential-suspended` when set; `credential-status-unavailable` when the list cannot be obtained or trusted. */
  check(entry: CredentialStatusEntry, credentialIssuer: string): Promise<IdentityResult<true>>;
}

const ENTRY_TYPES = new Set(['StatusList2021Entry', 'BitstringStatusListEntry']);
const LIST_TYPES = ['StatusList2021Credential', 'BitstringStatusListCredential'];

interface CachedList {
  readonly issuer: string;
  readonly purpose: string;
  readonly bits: Buffer;
  readonly expiresAt: number;
}

/** Decodes an `encodedList`: optional multibase `u` prefix, base64/base64url, GZIP. */
export function decodeStatusBits(encoded: string, multibase: boolean): Buffer {
  const body = multibase && encoded.startsWith('u') ? encoded.slice(1) : encoded;
  return gunzipSync(Buffer.from(body, 'base64'), { maxOutputLength: 4 * 1024 * 1024 });
}

/** Bit `index` of a status bitstring (index 0 = most significant bit of the first byte). */
export function statusBit(bits: Buffer, index: number): boolean | undefined {
  const byte = index >> 3;
  if (byte >= bits.length) return undefined;
  return (bits[byte] & (0x80 >> (index & 7))) !== 0;
}

export function createStatusListChecker(deps: {
  http: OutboundHttpClient;
  resolver: DidResolver;
  now: () => Date;
  /** How long a fetched list is reused. Default 5 minutes. */
  cacheTtlMs?: number;
}): StatusListChecker {
  const ttl = deps.cacheTtlMs ?? 300_000;
  const cache = new Map<string, CachedList>();

  async function load(url: string, issuer: string): Promise<IdentityResult<CachedList>> {
    const hit = cache.get(url);
    if (hit !== undefined && hit.expiresAt > deps.now().getTime()) return { ok: true, value: hit };
    const unavailable = (why: string) => identityFailure('credential-status-unavailable', `status list ${url}: ${why}`);
    const res = await deps.http.request({ url, headers: { accept: 'application/vc+jwt, application/jwt, application/json' } });
    if (!res.ok) return unavailable(`${res.reason} (${res.message})`);
    if (res.value.status !== 200) return unavailable(`HTTP ${res.value.status}`);
    let text = res.value.body.toString('utf8').trim();
    if (text.startsWith('"')) {
      try {
        text = String(JSON.parse(text));
      } catch {
        return unavailable('malformed body');
      }
    }
    if (text.startsWith('{')) return unavailable('only JWT-secured status list credentials are accepted');
    const list = parseCredentialJwt(text);
    if (!list.ok) return unavailable(list.message);
    const cred = list.value;
    if (cred.issuer !== issuer) return unavailable('issued by another issuer than the credential');
    const signed = await verifyDidSignature(deps.resolver, cred.jws, { signerDid: issuer, relationship: 'assertionMethod' });
    if (!signed.ok) return unavailable(signed.message);
    const now = deps.now().getTime();
    if (cred.validUntil !== undefined && cred.validUntil.getTime() <= now) return unavailable('status list credential expired');
    const listType = LIST_TYPES.find((t) => cred.types.includes(t));
    if (listType === undefined || typeof cred.subject.encodedList !== 'string') return unavailable('not a status list credential');
    let bits: Buffer;
    try {
      bits = decodeStatusBits(cred.subject.encodedList, listType === 'BitstringStatusListCredential');
    } catch {
      return unavailable('encodedList cannot be decoded');
    }
    const purpose = typeof cred.subject.statusPurpose === 'string' ? cred.subject.statusPurpose : 'revocation';
    const entry: CachedList = { issuer, purpose, bits, expiresAt: Math.min(now + ttl, cred.validUntil?.getTime() ?? Infinity) };
    cache.set(url, entry);
    return { ok: true, value: entry };
  }

  return {
    async check(entry, credentialIssuer) {
      if (!ENTRY_TYPES.has(entry.type)) return identityFailure('credential-status-unavailable', `unsupported status type ${entry.type}`);
      if (entry.statusPurpose !== 'revocation' && entry.statusPurpose !== 'suspension') return { ok: true, value: true };
      const url = entry.statusListCredential.split('#')[0];
      const list = await load(url, credentialIssuer);
      if (!list.ok) return list;
      if (list.value.purpose !== entry.statusPurpose) return identityFailure('credential-status-unavailable', 'status list purpose does not match the entry');
      const bit = statusBit(list.value.bits, entry.statusListIndex);
      if (bit === undefined) return identityFailure('credential-status-unavailable', 'status index outside the list');
      if (!bit) return { ok: true, value: true };
      return entry.statusPurpose === 'revocation'
        ? identityFailure('credential-revoked', 'credential has been revoked')
        : identityFailure('credential-suspended', 'credential is suspended');
    },
  };
}
