// EDC management JSON-LD bodies: normalize (@vocab, prefixed or expanded forms) and build compact, self-contained replies.
import { EDC_MANAGEMENT_CONTEXT } from '../../policies/index';
import { EDC_NS, KNOWN_PREFIXES } from '../catalog/vocabulary';
import { fail, ok, type Result } from '../common/result';
import { createDspExpander } from '../dsp/jsonld-expand';

/**
 * A management body after normalization: keys are full IRIs (or `@id`/`@type`), values are JSON with single-element
 * arrays unwrapped (JSON-LD does not tell `"a"` from `["a"]`, nor does EDC), `{"@id": iri}` for IRI references,
 * `{"@value", "@type"}` for typed literals, nested nodes as objects. `@type` is a full IRI or a list of them.
 */
export type NormalizedNode = Record<string, unknown>;

export interface ManagementBodyReader {
  /**
   * Normalizes a body. Inline contexts made only of `@vocab` and prefixes (what EDC clients send) are read directly;
   * anything else is expanded with the bundled contexts (never fetched). A body without `@context` is read with
   * `@vocab` EDC. Fails (bad-request) for non-objects, unknown remote contexts or several top-level nodes.
   */
  read(body: unknown): Promise<Result<NormalizedNode>>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const DEFAULT_CONTEXT = { '@vocab': EDC_NS };
const GEN_DELIM = /[/#:?[\]@]$/;
const BAIL_KEYWORDS = new Set(['@context', '@list', '@set', '@graph', '@reverse', '@language', '@index', '@nest', '@included', '@json', '@direction']);
const ABSOLUTE_IRI = /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/;

class Bail extends Error {}

interface LiteContext {
  readonly vocab?: string;
  readonly terms: ReadonlyMap<string, string>;
}

/** An inline context of only `@vocab` and prefix strings, or undefined if it needs a real JSON-LD processor. */
function liteContext(ctx: unknown): LiteContext | undefined {
  const list = Array.isArray(ctx) ? ctx : [ctx];
  let vocab: string | undefined;
  const terms = new Map<string, string>();
  for (const item of list) {
    if (!isRecord(item)) return undefined;
    for (const [k, v] of Object.entries(item)) {
      if (typeof v !== 'string') return undefined;
      if (k === '@vocab') vocab = v;
      else if (k.startsWith('@') || k.includes(':') || !GEN_DELIM.test(v) || !ABSOLUTE_IRI.test(v)) return undefined;
      else terms.set(k, v);
    }
  }
  return { ...(vocab !== undefined ? { vocab } : {}), terms };
}

function expandCompactIri(value: string, ctx: LiteContext): string | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const rest = value.slice(colon + 1);
  if (rest.startsWith('//')) return value;
  const ns = ctx.terms.get(value.slice(0, colon));
  return ns !== undefined ? ns + rest : value;
}

function expandKey(key: string, ctx: LiteContext): string {
  const compact = expandCompactIri(key, ctx);
  if (compact !== undefined) return compact;
  const term = ctx.terms.get(key);
  if (term !== undefined) return term;
  if (ctx.vocab === undefined) throw new Bail();
  return ctx.vocab + key;
}

function expandVocabValue(value: unknown, ctx: LiteContext): string {
  if (typeof value !== 'string') throw new Bail();
  return expandKey(value, ctx);
}

function expandIdValue(value: unknown, ctx: LiteContext): string {
  if (typeof value !== 'string') throw new Bail();
  return expandCompactIri(value, ctx) ?? value;
}

function unwrap(list: unknown[]): unknown {
  return list.length === 1 ? list[0] : list;
}

function liteValue(value: unknown, ctx: LiteContext): unknown {
  if (Array.isArray(value)) {
    const items = value.filter((v) => v !== null).map((v) => {
      if (Array.isArray(v)) throw new Bail();
      return liteValue(v, ctx);
    });
    return unwrap(items);
  }
  if (!isRecord(value)) return value;
  if ('@value' in value) {
    const keys = Object.keys(value);
    if (keys.some((k) => k !== '@value' && k !== '@type')) throw new Bail();
    if (value['@type'] === undefined) return value['@value'];
    return { '@value': value['@value'], '@type': expandVocabValue(value['@type'], ctx) };
  }
  return liteNode(value, ctx);
}

function liteNode(node: Record<string, unknown>, ctx: LiteContext): NormalizedNode {
  const out: NormalizedNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (BAIL_KEYWORDS.has(key)) throw new Bail();
    if (key === '@id') out['@id'] = expandIdValue(value, ctx);
    else if (key === '@type') {
      const types = (Array.isArray(value) ? value : [value]).map((t) => expandVocabValue(t, ctx));
      out['@type'] = unwrap(types);
    } else if (key.startsWith('@')) throw new Bail();
    else if (value !== null) {
      const iri = expandKey(key, ctx);
      if (iri in out) throw new Bail();
      out[iri] = liteValue(value, ctx);
    }
  }
  return out;
}

/** The fast path: normalizes a body whose context is inline `@vocab`/prefixes only; undefined when it cannot. */
export function readCanonical(body: Record<string, unknown>): NormalizedNode | undefined {
  const ctx = liteContext(body['@context'] ?? DEFAULT_CONTEXT);
  if (ctx === undefined) return undefined;
  const { '@context': _ignored, ...rest } = body;
  try {
    return liteNode(rest, ctx);
  } catch (err) {
    if (err instanceof Bail) return undefined;
    throw err;
  }
}

/** Turns jsonld.js expanded output into the normalized shape (same result as {@link readCanonical}). */
export function simplifyExpanded(value: unknown): unknown {
  if (Array.isArray(value)) return unwrap(value.map(simplifyExpanded));
  if (!isRecord(value)) return value;
  if ('@value' in value) {
    if (value['@type'] !== undefined) return { '@value': value['@value'], '@type': value['@type'] };
    if (value['@language'] !== undefined) return { '@value': value['@value'], '@language': value['@language'] };
    return value['@value'];
  }
  if ('@list' in value) return (value['@list'] as unknown[]).map(simplifyExpanded);
  const out: NormalizedNode = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '@id') out[k] = v;
    else if (k === '@type') out[k] = unwrap(v as unknown[]);
    else out[k] = simplifyExpanded(v);
  }
  return out;
}

/** Creates a reader; the slow path uses the DSP expander (offline contexts, immune to the jsonld.js `@import` bug). */
export function createManagementBodyReader(): ManagementBodyReader {
  const expander = createDspExpander();
  return {
    async read(body) {
      if (!isRecord(body)) return fail('bad-request', 'the request body must be a JSON-LD object', [{ path: '', message: 'the request body must be a JSON-LD object', invalidValue: null }]);
      const fast = readCanonical(body);
      if (fast !== undefined) return ok(fast);
      const input = body['@context'] === undefined ? { '@context': DEFAULT_CONTEXT, ...body } : body;
      const expanded = await expander.expand(input);
      if (!expanded.ok) return expanded;
      if (expanded.value.length !== 1 || !isRecord(expanded.value[0])) {
        return fail('bad-request', `expected one JSON-LD node in the body, found ${expanded.value.length}`);
      }
      return ok(simplifyExpanded(expanded.value[0]) as NormalizedNode);
    },
  };
}

/** The `@type` IRIs of a node. */
export function typesOf(node: NormalizedNode): string[] {
  const t = node['@type'];
  return (Array.isArray(t) ? t : t === undefined ? [] : [t]).filter((x): x is string => typeof x === 'string');
}

/** A node's EDC property (`https://w3id.org/edc/v0.0.1/ns/<name>`). */
export function edcProperty(node: NormalizedNode, name: string): unknown {
  return node[EDC_NS + name];
}

/** The context every management response carries: `@vocab` EDC plus the prefixes used in compact IRIs. */
export const MANAGEMENT_CONTEXT: Readonly<Record<string, string>> = Object.freeze({
  ...(EDC_MANAGEMENT_CONTEXT as Record<string, string>),
  '@vocab': EDC_NS,
  ...KNOWN_PREFIXES,
});

const PREFIXES = Object.entries(KNOWN_PREFIXES).sort((a, b) => b[1].length - a[1].length);
const BARE_TERM = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Compact form of an IRI: bare under `@vocab` EDC when `vocab`, else `prefix:local`, else unchanged. */
export function compactIri(iri: string, vocab = true): string {
  if (vocab && iri.startsWith(EDC_NS)) {
    const local = iri.slice(EDC_NS.length);
    if (BARE_TERM.test(local) && KNOWN_PREFIXES[local] === undefined) return local;
  }
  for (const [prefix, ns] of PREFIXES) {
    if (iri.startsWith(ns) && iri.length > ns.length && !iri.slice(ns.length).startsWith('//')) return `${prefix}:${iri.slice(ns.length)}`;
  }
  return iri;
}

/** Compacts a normalized value (keys and `@type` vocabulary-relative, `@id` values prefix-only). */
export function compactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(compactValue);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '@id') out[k] = typeof v === 'string' ? compactIri(v, false) : v;
    else if (k === '@type') out[k] = Array.isArray(v) ? v.map((t) => compactIri(String(t))) : compactIri(String(v));
    else if (k.startsWith('@')) out[k] = v;
    else out[compactIri(k)] = compactValue(v);
  }
  return out;
}

/** A response object with the self-contained management context appended (EDC puts it last). */
export function withContext(body: Record<string, unknown>): Record<string, unknown> {
  return { ...body, '@context': { ...MANAGEMENT_CONTEXT } };
}

/** EDC `IdResponse` for create calls. */
export function idResponse(id: string, createdAt: number): Record<string, unknown> {
  return withContext({ '@type': 'IdResponse', '@id': id, createdAt });
}
