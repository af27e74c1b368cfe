// The `/.well-known/dspace-version` document for a tenant, tenant DSP base URLs, and reading a peer's version list.
import { fail, ok, type Result } from '../common/result';
import { DIALECT_INFO, DSP_DIALECTS, DSPACE_2024_1_CONTEXT_URL, dialectFromVersion, type DspDialect } from './dialects';
import type { ProtocolVersion, VersionAuth, VersionResponse } from './messages';

export interface VersionDocumentOptions {
  /** The public base URL of the connector, e.g. `https://connector.example.com` (a path prefix is kept). */
  readonly baseUrl: string;
  readonly tenantId: string;
  /** Dialects to list, newest first by default: 2025-1, 2024-1, 0.8. */
  readonly dialects?: readonly DspDialect[];
  readonly serviceId?: string;
  /** `identifierType` per dialect, e.g. `{ '2025-1': 'did:web' }`. */
  readonly identifierTypes?: Partial<Record<DspDialect, string>>;
  /** Authentication profile advertised for every listed dialect, e.g. DCP 1.0. */
  readonly auth?: VersionAuth;
  /** Add the 2024-1 `@context` so the document also satisfies the 2024-1 version schema (2025-1 has none). */
  readonly include2024Context?: boolean;
}

function basePath(baseUrl: string): string {
  return new URL(baseUrl).pathname.replace(/\/+$/, '');
}

/** The path (from the host root) of a tenant's DSP endpoints for a dialect: `/tenants/{id}/dsp/2025-1`, `…/dsp/2024-1`, `…/dsp`. */
export function dspPath(baseUrl: string, tenantId: string, dialect: DspDialect): string {
  return `${basePath(baseUrl)}/tenants/${encodeURIComponent(tenantId)}${DIALECT_INFO[dialect].pathSegment}`;
}

/** The absolute DSP base URL of a tenant for a dialect (used as callbackAddress and DataService endpointURL). */
export function dspBaseUrl(baseUrl: string, tenantId: string, dialect: DspDialect): string {
  return new URL(dspPath(baseUrl, tenantId, dialect), baseUrl).toString();
}

/** The tenant's version document (2025-1 `VersionResponse` shape; optionally with the 2024-1 `@context`). */
export function buildVersionDocument(options: VersionDocumentOptions): Record<string, unknown> {
  const dialects = options.dialects ?? DSP_DIALECTS;
  const protocolVersions: ProtocolVersion[] = dialects.map((dialect) => {
    const identifierType = options.identifierTypes?.[dialect];
    return {
      version: DIALECT_INFO[dialect].version,
      path: dspPath(options.baseUrl, options.tenantId, dialect),
      binding: 'HTTPS',
      ...(options.serviceId !== undefined ? { serviceId: options.serviceId } : {}),
      ...(identifierType !== undefined ? { identifierType } : {}),
      ...(options.auth !== undefined ? { auth: options.auth } : {}),
    };
  });
  return options.include2024Context === true ? { '@context': DSPACE_2024_1_CONTEXT_URL, protocolVersions } : { protocolVersions };
}

/** Reads any peer's version document leniently (2025-1 or 2024-1 shape); entries need `version` and `path`. */
export function parseVersionResponse(body: unknown): Result<VersionResponse> {
  const list = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['protocolVersions'] : undefined;
  if (!Array.isArray(list) || list.length === 0) return fail('bad-request', 'version document: protocolVersions must be a non-empty array');
  const out: ProtocolVersion[] = [];
  for (const [i, entry] of list.entries()) {
    const e = entry as Record<string, unknown> | null;
    if (typeof e !== 'object' || e === null || typeof e['version'] !== 'string' || typeof e['path'] !== 'string') {
      return fail('bad-request', `version document: protocolVersions[${i}] needs string version and path`);
    }
    out.push({ ...(e as object), version: e['version'], path: e['path'] } as ProtocolVersion);
  }
  return ok({ type: 'VersionResponse', protocolVersions: out });
}

/** The first dialect of `preference` the peer offers, with the peer's path for it; undefined when none is common. */
export function selectDialect(
  peer: VersionResponse,
  preference: readonly DspDialect[] = DSP_DIALECTS,
): { dialect: DspDialect; version: ProtocolVersion } | undefined {
  for (const dialect of preference) {
    const version = peer.protocolVersions.find((v) => dialectFromVersion(v.version) === dialect && (v.binding === undefined || v.binding === 'HTTPS'));
    if (version !== undefined) return { dialect, version };
  }
  return undefined;
}
