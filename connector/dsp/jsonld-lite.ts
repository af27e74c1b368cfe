// A small JSON-LD expander for the bundled DSP contexts only: same output as jsonld.expand, or it bails out.
import { bundledContext } from '../../schemas/contexts/index';

/** Thrown when the input uses a JSON-LD feature this expander does not model; callers then use jsonld.expand. */
export class UnsupportedJsonLd extends Error {
  constructor(reason: string) {
    super(`not handled by the lite expander: ${reason}`);
    this.name = 'UnsupportedJsonLd';
  }
}

interface TermDef {
  readonly iri: string;
  /** '@id', '@vocab' or an expanded datatype IRI. */
  readonly type?: string;
  readonly language?: string;
  readonly prefix: boolean;
  readonly scoped?: Readonly<Record<string, unknown>>;
  readonly propagate: boolean;
  /** A container or other feature the expander does not model. */
  readonly unsupported?: string;
}

/** An active context: term definitions plus the context to revert to for non-propagated type-scoped contexts. */
export interface LiteContext {
  readonly terms: ReadonlyMap<string, TermDef>;
  readonly previous?: LiteContext;
  readonly scopedCache: Map<string, LiteContext>;
}

const KEYWORDS = new Set(['@id', '@type', '@context', '@value', '@language', '@graph', '@list', '@set', '@reverse', '@index', '@base', '@vocab', '@container', '@nest', '@included', '@json', '@none', '@direction', '@version', '@protected', '@propagate', '@import', '@prefix']);
const GEN_DELIMS = new Set([':', '/', '?', '#', '[', ']', '@']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expandIriWith(terms: ReadonlyMap<string, TermDef>, value: string, vocab: boolean): string {
  if (KEYWORDS.has(value)) return value;
  if (value.startsWith('@')) throw new UnsupportedJsonLd(`keyword-like value ${value}`);
  if (vocab) {
    const term = terms.get(value);
    if (term !== undefined) return term.iri;
  }
  const colon = value.indexOf(':');
  if (colon > 0) {
    const prefix = value.slice(0, colon);
    const suffix = value.slice(colon + 1);
    if (prefix === '_' || suffix.startsWith('//')) return value;
    const def = terms.get(prefix);
    if (def !== undefined && def.prefix) return def.iri + suffix;
    return value;
  }
  // No @vocab and no @base in the bundled contexts: a relative IRI stays as written (as jsonld.expand does without base).
  return value;
}

/** Builds the active context for `raw` (a context object) on top of `base`; throws UnsupportedJsonLd for unmodelled features. */
export function buildLiteContext(raw: unknown, base?: LiteContext): LiteContext {
  if (!isRecord(raw)) throw new UnsupportedJsonLd('context is not an object');
  const terms = new Map<string, TermDef>(base?.terms ?? []);
  let entries = Object.entries(raw);
  const importUrl = raw['@import'];
  if (typeof importUrl === 'string') {
    const imported = bundledContext(importUrl) as { '@context'?: unknown } | undefined;
    if (imported === undefined || !isRecord(imported['@context'])) throw new UnsupportedJsonLd(`@import ${importUrl}`);
    entries = [...Object.entries(imported['@context']), ...entries];
  }
  for (const [key, value] of entries) {
    if (key === '@version' || key === '@protected' || key === '@propagate' || key === '@import') continue;
    if (key.startsWith('@')) throw new UnsupportedJsonLd(`context keyword ${key}`);
    if (typeof value === 'string') {
      const iri = expandIriWith(terms, value, true);
      const prefix = !key.includes(':') && GEN_DELIMS.has(iri.charAt(iri.length - 1));
      terms.set(key, { iri, prefix, propagate: true });
      continue;
    }
    if (!isRecord(value)) throw new UnsupportedJsonLd(`term definition ${key}`);
    const idValue = value['@id'];
    const iri = typeof idValue === 'string' ? expandIriWith(terms, idValue, true) : key.includes(':') ? expandIriWith(terms, key, true) : undefined;
    if (iri === undefined) throw new UnsupportedJsonLd(`term ${key} without @id`);
    const typeValue = value['@type'];
    const type = typeof typeValue === 'string' ? (typeValue === '@id' || typeValue === '@vocab' ? typeValue : expandIriWith(terms, typeValue, true)) : undefined;
    if (type === '@json' || type === '@none') throw new UnsupportedJsonLd(`term ${key} typed ${type}`);
    const container = value['@container'];
    const scoped = isRecord(value['@context']) ? value['@context'] : undefined;
    const language = value['@language'];
    const def: TermDef = {
      iri,
      prefix: value['@prefix'] === true,
      propagate: scoped?.['@propagate'] === true,
      ...(type !== undefined ? { type } : {}),
      ...(typeof language === 'string' ? { language } : {}),
      ...(scoped !== undefined ? { scoped } : {}),
      ...(container !== undefined && container !== '@set' ? { unsupported: `container ${JSON.stringify(container)}` } : {}),
      ...(language === null ? { unsupported: 'null language' } : {}),
    };
    terms.set(key, def);
  }
  return { terms, scopedCache: new Map() };
}

function withTypeScope(ctx: LiteContext, termName: string, def: TermDef): LiteContext {
  const cached = ctx.scopedCache.get(termName);
  if (cached !== undefined) return cached;
  const built = buildLiteContext(def.scoped, ctx);
  const result: LiteContext = def.propagate ? built : { ...built, previous: ctx };
  ctx.scopedCache.set(termName, result);
  return result;
}

function expandPrimitive(ctx: LiteContext, def: TermDef | undefined, value: string | number | boolean): Record<string, unknown> {
  const type = def?.type;
  if (typeof value === 'string') {
    if (type === '@id') return { '@id': expandIriWith(ctx.terms, value, false) };
    if (type === '@vocab') return { '@id': expandIriWith(ctx.terms, value, true) };
    if (type !== undefined) return { '@value': value, '@type': type };
    if (def?.language !== undefined) return { '@value': value, '@language': def.language };
    return { '@value': value };
  }
  if (type !== undefined && type !== '@id' && type !== '@vocab') return { '@value': value, '@type': type };
  return { '@value': value };
}

function expandValueObject(ctx: LiteContext, value: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '@value') {
      if (isRecord(v) || Array.isArray(v)) throw new UnsupportedJsonLd('structured @value');
      out['@value'] = v;
    } else if (k === '@type' && typeof v === 'string') out['@type'] = expandIriWith(ctx.terms, v, true);
    else if (k === '@language' && typeof v === 'string') out['@language'] = v;
    else throw new UnsupportedJsonLd(`value object key ${k}`);
  }
  if (out['@value'] === null) return undefined;
  return out;
}

function expandPropertyValue(ctx: LiteContext, def: TermDef | undefined, value: unknown): unknown[] {
  if (value === null) return [];
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      if (Array.isArray(item)) throw new UnsupportedJsonLd('nested array');
      out.push(...expandPropertyValue(ctx, def, item));
    }
    return out;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return [expandPrimitive(ctx, def, value)];
  if (!isRecord(value)) throw new UnsupportedJsonLd('unexpected value');
  if ('@value' in value) {
    const v = expandValueObject(ctx, value);
    return v === undefined ? [] : [v];
  }
  return [expandNodeObject(ctx, value)];
}

/** Expands one node object (no `@context` inside) with the given active context. */
export function expandNodeObject(ctxIn: LiteContext, node: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const ctx = ctxIn.previous ?? ctxIn;
  const rawTypes = node['@type'];
  const typeNames = rawTypes === undefined ? [] : Array.isArray(rawTypes) ? rawTypes : [rawTypes];
  let active = ctx;
  const types: string[] = [];
  for (const t of typeNames) {
    if (typeof t !== 'string') throw new UnsupportedJsonLd('non-string @type');
    types.push(expandIriWith(ctx.terms, t, true));
  }
  for (const t of [...typeNames].sort() as string[]) {
    const def = ctx.terms.get(t);
    if (def?.scoped !== undefined) active = withTypeScope(active, t, def);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '@type') continue;
    if (key === '@id') {
      if (typeof value !== 'string') throw new UnsupportedJsonLd('non-string @id');
      out['@id'] = expandIriWith(active.terms, value, false);
      continue;
    }
    if (key.startsWith('@')) throw new UnsupportedJsonLd(`keyword ${key}`);
    const def = active.terms.get(key);
    if (def?.unsupported !== undefined) throw new UnsupportedJsonLd(def.unsupported);
    if (def?.scoped !== undefined) throw new UnsupportedJsonLd(`property-scoped context on ${key}`);
    const iri = def !== undefined ? def.iri : expandIriWith(active.terms, key, true);
    if (iri.startsWith('@')) throw new UnsupportedJsonLd(`keyword alias ${key}`);
    if (!iri.includes(':')) continue; // unmapped term: dropped, as jsonld.expand does
    const expanded = expandPropertyValue(active, def, value);
    if (value === null) continue;
    const existing = out[iri] as unknown[] | undefined;
    out[iri] = existing === undefined ? expanded : [...existing, ...expanded];
  }
  if (types.length > 0) out['@type'] = types;
  return out;
}

const documentContexts = new Map<string, LiteContext>();

/**
 * Expands a whole document whose `@context` is a bundled context URL, an array of them, or an inline object,
 * returning the same node list jsonld.expand would. Throws UnsupportedJsonLd when it cannot guarantee that.
 */
export function liteExpand(doc: unknown): Record<string, unknown>[] {
  if (!isRecord(doc)) throw new UnsupportedJsonLd('document is not an object');
  const { '@context': context, ...body } = doc;
  const key = typeof context === 'string' ? context : JSON.stringify(context);
  let ctx = documentContexts.get(key);
  if (ctx === undefined) {
    ctx = contextFor(context);
    if (documentContexts.size < 16) documentContexts.set(key, ctx);
  }
  for (const k of Object.keys(body)) {
    if (k.startsWith('@') && k !== '@id' && k !== '@type') throw new UnsupportedJsonLd(`top-level ${k}`);
  }
  const node = expandNodeObject(ctx, body);
  if (Object.keys(node).length === 0 || (Object.keys(node).length === 1 && '@id' in node)) return [];
  return [node];
}

function contextFor(context: unknown): LiteContext {
  const list = Array.isArray(context) ? context : [context];
  let ctx: LiteContext | undefined;
  for (const entry of list) {
    if (typeof entry === 'string') {
      const doc = bundledContext(entry) as { '@context'?: unknown } | undefined;
      if (doc === undefined) throw new UnsupportedJsonLd(`context ${entry} is not bundled`);
      ctx = buildLiteContext(doc['@context'], ctx);
    } else {
      ctx = buildLiteContext(entry, ctx);
    }
  }
  if (ctx === undefined) throw new UnsupportedJsonLd('no context');
  return ctx;
}
