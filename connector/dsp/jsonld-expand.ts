// JSON-LD expansion for DSP bodies: offline contexts only, @import inlined, a private context cache (jsonld.js bug).
import jsonld from 'jsonld';
import { bundledContext } from '../../schemas/contexts/index';
import { fail, ok, type Result } from '../common/result';

/*
 * jsonld.js 9 caches a processed `@import` per active context and reuses it for a *different* scoped context that
 * imports the same URL (lib/context.js, "@import" handling). With the 2025-1 context (four scoped contexts import
 * the ODRL profile) expanding a Catalog and then a Dataset makes a later ContractRequestMessage lose every property.
 * The cache is module-global, so other callers can poison it too. Remedy here: serve contexts with `@import`
 * already inlined (same semantics: local terms win), and use a private, bounded resolver cache.
 */

interface SharedCache {
  get(key: string): unknown;
  set(key: string, value: unknown): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ContextResolver = require('jsonld/lib/ContextResolver') as new (options: { sharedCache: SharedCache }) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Thrown inside the loader for contexts that are not bundled; mapped to a bad-request result. */
class RefusedContext extends Error {
  constructor(readonly url: string) {
    super(`JSON-LD context ${url} is not bundled with the connector and is never fetched`);
  }
}

/** A deep copy of `value` where every context object's `@import` of a bundled context is merged in (local terms win). */
function inlineImports(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inlineImports);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  const importUrl = value['@import'];
  if (typeof importUrl === 'string') {
    const imported = bundledContext(importUrl) as { '@context'?: unknown } | undefined;
    if (imported === undefined || !isRecord(imported['@context'])) throw new RefusedContext(importUrl);
    for (const [k, v] of Object.entries(imported['@context'])) out[k] = inlineImports(v);
  }
  for (const [k, v] of Object.entries(value)) {
    if (k !== '@import') out[k] = inlineImports(v);
  }
  return out;
}

/** Every string `@context` URL anywhere in the body (top level, nested nodes, scoped contexts in inline contexts). */
function contextUrls(value: unknown, found: Set<string>, inContext = false): void {
  if (typeof value === 'string') {
    if (inContext) found.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) contextUrls(item, found, inContext);
    return;
  }
  if (!isRecord(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === '@context' || k === '@import') contextUrls(v, found, true);
    else if (isRecord(v) || Array.isArray(v)) contextUrls(v, found, false);
  }
}

function boundedCache(max: number): SharedCache {
  const map = new Map<string, unknown>();
  return {
    get(key) {
      const value = map.get(key);
      if (value !== undefined) {
        map.delete(key);
        map.set(key, value);
      }
      return value;
    },
    set(key, value) {
      map.delete(key);
      map.set(key, value);
      if (map.size > max) map.delete(map.keys().next().value as string);
    },
  };
}

const inlinedDocuments = new Map<string, unknown>();

async function loader(url: string): Promise<{ contextUrl: undefined; documentUrl: string; document: unknown }> {
  let document = inlinedDocuments.get(url);
  if (document === undefined) {
    const original = bundledContext(url);
    if (original === undefined) throw new RefusedContext(url);
    document = inlineImports(original);
    inlinedDocuments.set(url, document);
  }
  // jsonld.js may add keys to context objects it processes: hand out a copy, never the cached document.
  return { contextUrl: undefined, documentUrl: url, document: structuredClone(document) };
}

export interface DspExpander {
  /** Expands a body offline; fails (bad-request) for contexts that are not bundled or invalid JSON-LD. */
  expand(body: unknown): Promise<Result<readonly unknown[]>>;
}

/** A JSON-LD expander that never fetches and is immune to the jsonld.js shared-cache `@import` bug. */
export function createDspExpander(): DspExpander {
  const cache = boundedCache(64);
  return {
    async expand(body) {
      const urls = new Set<string>();
      contextUrls(body, urls);
      for (const url of urls) {
        if (bundledContext(url) === undefined) return fail('bad-request', `JSON-LD context ${url} is not supported (remote contexts are never fetched)`);
      }
      try {
        const prepared = inlineImports(body) as jsonld.JsonLdDocument;
        const expanded = await jsonld.expand(prepared, {
          documentLoader: loader as never,
          contextResolver: new ContextResolver({ sharedCache: cache }),
        } as jsonld.Options.Expand);
        return ok(expanded);
      } catch (err) {
        if (err instanceof RefusedContext) return fail('bad-request', `JSON-LD context ${err.url} is not supported (remote contexts are never fetched)`);
        const e = err as { message?: unknown; details?: { code?: unknown } };
        const code = typeof e.details?.code === 'string' ? ` (${e.details.code})` : '';
        return fail('bad-request', `invalid JSON-LD: ${String(e.message ?? err)}${code}`);
      }
    },
  };
}
