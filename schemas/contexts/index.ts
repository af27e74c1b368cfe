// Bundled JSON-LD contexts and an offline document loader: remote contexts are never fetched (SSRF, availability).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Context URL → file in this folder. Add a line here when a new bundled context is needed. */
const CONTEXT_FILES: Readonly<Record<string, string>> = {
  'https://w3id.org/dspace/2025/1/context.jsonld': 'dspace-2025-1.jsonld',
  'https://w3id.org/dspace/2025/1/odrl-profile.jsonld': 'dspace-2025-1-odrl-profile.jsonld',
  'https://w3id.org/dspace/2024/1/context.json': 'dspace-2024-1.jsonld',
  'https://w3id.org/catenax/2025/9/policy/context.jsonld': 'catenax-policy-2025-9.jsonld',
  'https://w3id.org/catenax/2025/9/policy/odrl.jsonld': 'catenax-odrl-2025-9.jsonld',
  'https://w3id.org/dspace-dcp/v1.0/dcp.jsonld': 'dcp-v1.jsonld',
  'https://w3id.org/dspace-dcp/v1.0/odrl.jsonld': 'dcp-v1-odrl.jsonld',
  'https://w3id.org/catenax/credentials/v1.0.0': 'catenax-credentials-v1.jsonld',
  'http://www.w3.org/ns/odrl.jsonld': 'odrl-w3c.jsonld',
  'https://w3id.org/tractusx/policy/v1.0.0': 'tractusx-policy-v1.jsonld',
};

const cache = new Map<string, unknown>();

/** Normalises a context URL for lookup: http/https and a trailing slash or `#` do not matter. */
function normalise(url: string): string {
  return url.replace(/^http:\/\//, 'https://').replace(/[#/]$/, '');
}

const byNormalisedUrl = new Map(Object.entries(CONTEXT_FILES).map(([url, file]) => [normalise(url), file]));

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A copy of `value` where every `@import` of a bundled context is merged into the importing context (its own terms
 * win, as `@import` specifies). jsonld.js 9 caches a processed `@import` per active context and reuses it for a
 * different scoped context importing the same URL (the DSP 2025-1 context has four), which silently drops
 * properties of later documents process-wide; serving contexts without `@import` avoids that for every caller.
 */
function inlineImports(value: unknown, depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => inlineImports(v, depth));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const importUrl = value['@import'];
  if (typeof importUrl === 'string' && depth < 4) {
    const imported = loadFile(importUrl) as { '@context'?: unknown } | undefined;
    if (!imported || !isRecord(imported['@context'])) throw new UnknownContextError(importUrl);
    for (const [k, v] of Object.entries(imported['@context'])) out[k] = inlineImports(v, depth + 1);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k !== '@import') out[k] = inlineImports(v, depth);
  }
  return out;
}

function loadFile(url: string): unknown {
  const file = byNormalisedUrl.get(normalise(url));
  return file === undefined ? undefined : (JSON.parse(readFileSync(join(__dirname, file), 'utf8')) as unknown);
}

/** The parsed bundled context document for `url` (with `@import`s inlined), or undefined if it is not bundled. */
export function bundledContext(url: string): unknown {
  const file = byNormalisedUrl.get(normalise(url));
  if (file === undefined) return undefined;
  let doc = cache.get(file);
  if (doc === undefined) {
    doc = inlineImports(loadFile(url));
    cache.set(file, doc);
  }
  return doc;
}

/** The URLs of every bundled context. */
export function bundledContextUrls(): string[] {
  return Object.keys(CONTEXT_FILES);
}

export class UnknownContextError extends Error {
  constructor(readonly url: string) {
    super(`JSON-LD context ${url} is not bundled with the connector and is never fetched`);
    this.name = 'UnknownContextError';
  }
}

/** A jsonld.js document loader that serves bundled contexts and refuses every other URL. */
export async function offlineDocumentLoader(url: string): Promise<{ contextUrl: undefined; documentUrl: string; document: unknown }> {
  const document = bundledContext(url);
  if (document === undefined) throw new UnknownContextError(url);
  return { contextUrl: undefined, documentUrl: url, document };
}
