// The three DSP dialects the connector speaks (2025-1, 2024-1, legacy 0.8): namespaces, contexts, paths, protocol ids.
import { bundledContext } from '../../schemas/contexts/index';

export type DspDialect = '2025-1' | '2024-1' | '0.8';

export const DSP_DIALECTS: readonly DspDialect[] = ['2025-1', '2024-1', '0.8'];

export const DSPACE_2025_1_CONTEXT_URL = 'https://w3id.org/dspace/2025/1/context.jsonld';
export const DSPACE_2025_1_ODRL_PROFILE_URL = 'https://w3id.org/dspace/2025/1/odrl-profile.jsonld';
export const DSPACE_2024_1_CONTEXT_URL = 'https://w3id.org/dspace/2024/1/context.json';

export interface DialectInfo {
  readonly dialect: DspDialect;
  /** The dspace vocabulary namespace (ends with `/`). */
  readonly namespace: string;
  /** `true` when terms are written with `dspace:`/`odrl:`/`dct:`/`dcat:` prefixes (2024-1, 0.8). */
  readonly prefixed: boolean;
  /** The `version` string published in `/.well-known/dspace-version`. */
  readonly version: string;
  /** Path segment under `/tenants/{tenantId}` where the dialect's endpoints live. */
  readonly pathSegment: string;
  /** The EDC Management API `protocol` identifier for the dialect. */
  readonly protocol: string;
}

export const DIALECT_INFO: Readonly<Record<DspDialect, DialectInfo>> = {
  '2025-1': {
    dialect: '2025-1',
    namespace: 'https://w3id.org/dspace/2025/1/',
    prefixed: false,
    version: '2025-1',
    pathSegment: '/dsp/2025-1',
    protocol: 'dataspace-protocol-http:2025-1',
  },
  '2024-1': {
    dialect: '2024-1',
    namespace: 'https://w3id.org/dspace/2024/1/',
    prefixed: true,
    version: '2024-1',
    pathSegment: '/dsp/2024-1',
    protocol: 'dataspace-protocol-http:2024/1',
  },
  '0.8': {
    dialect: '0.8',
    namespace: 'https://w3id.org/dspace/v0.8/',
    prefixed: true,
    version: '0.8',
    pathSegment: '/dsp',
    protocol: 'dataspace-protocol-http',
  },
};

const NAMESPACE_2024_1 = DIALECT_INFO['2024-1'].namespace;

/**
 * The 0.8 context: the 2024-1 context document with the dspace namespace swapped for `https://w3id.org/dspace/v0.8/`.
 * 0.8 has no published context URL that peers can resolve offline, so 0.8 bodies carry it inline.
 */
function derive08Context(): Readonly<Record<string, unknown>> {
  const doc = bundledContext(DSPACE_2024_1_CONTEXT_URL) as { '@context': Record<string, unknown> } | undefined;
  if (doc === undefined) throw new Error(`bundled context ${DSPACE_2024_1_CONTEXT_URL} is missing`);
  const swapped = JSON.parse(JSON.stringify(doc['@context']).split(NAMESPACE_2024_1).join(DIALECT_INFO['0.8'].namespace)) as Record<string, unknown>;
  return Object.freeze(swapped);
}

let context08: Readonly<Record<string, unknown>> | undefined;

/** The inline `@context` object used by 0.8 messages (derived once from the bundled 2024-1 context). */
export function dsp08Context(): Readonly<Record<string, unknown>> {
  context08 ??= derive08Context();
  return context08;
}

/** The exact `@context` value a dialect's canonical serialization carries. */
export function canonicalContext(dialect: DspDialect): unknown {
  switch (dialect) {
    case '2025-1':
      return [DSPACE_2025_1_CONTEXT_URL];
    case '2024-1':
      return DSPACE_2024_1_CONTEXT_URL;
    case '0.8':
      return dsp08Context();
  }
}

/**
 * The dialect named by a version string or an EDC protocol id, matched leniently
 * (`2025-1`, `2024-1`, `2024/1`, `0.8`, `v0.8`, `dataspace-protocol-http[:…]`); undefined if unknown.
 */
export function dialectFromVersion(value: string): DspDialect | undefined {
  const v = value.trim().toLowerCase().replace(/^dataspace-protocol-http:?/, '');
  if (v === '' || v === '0.8' || v === 'v0.8') return '0.8';
  if (v === '2025-1' || v === '2025/1') return '2025-1';
  if (v === '2024-1' || v === '2024/1') return '2024-1';
  return undefined;
}
