// The DSP codec: decode any valid serialization of a message to its typed form; encode typed messages per dialect.
import { fail, ok, type Result } from '../common/result';
import { bundledContext } from '../../schemas/contexts/index';
import { canonicalContext, DSPACE_2025_1_CONTEXT_URL, type DspDialect } from './dialects';
import { encodeMessage } from './encoder';
import { readExpanded } from './expanded-reader';
import { createDspExpander } from './jsonld-expand';
import { liteExpand, UnsupportedJsonLd } from './jsonld-lite';
import type { DspMessageMap, DspMessageType, OutboundDspMessage, ProtocolVersion, VersionResponse } from './messages';
import type { DspValidators } from './validators';
import { compactType } from './vocabulary';

export interface DspCodecDeps {
  readonly validators: DspValidators;
}

/** How a body was decoded (for metrics and tests). */
export type DecodePath = 'canonical' | 'expanded';

export interface DspCodec {
  /**
   * Decodes a parsed JSON body as `expectedType` in `dialect`. Never throws on bad input: a failure (bad-request)
   * says what is wrong. Bodies in the dialect's canonical form (2025-1 also with further bundled contexts such as the
   * Catena-X policy context) are schema-validated and read without jsonld;
   * any other serialization is JSON-LD-expanded offline (contexts that are not bundled are refused, never fetched).
   */
  decode<T extends DspMessageType>(body: unknown, dialect: DspDialect, expectedType: T): Promise<Result<DspMessageMap[T]>>;
  /** Like {@link decode}, also telling which path was taken. */
  decodeWithPath<T extends DspMessageType>(body: unknown, dialect: DspDialect, expectedType: T): Promise<Result<{ message: DspMessageMap[T]; path: DecodePath }>>;
  /**
   * The compact wire JSON of `message` in `dialect`, valid against the dialect's schema when the embedded policies are.
   * Throws DspEncodeError when the message lacks what the dialect requires (a caller bug).
   */
  encode(message: OutboundDspMessage, dialect: DspDialect): Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const TOP_LEVEL_KEYWORDS_BREAKING_PLAIN_READ = ['@graph', '@included', '@reverse', '@nest', '@set', '@list', '@value'];

/**
 * The 2025-1 context followed only by other bundled context URLs, e.g. `[dspace 2025-1, Catena-X policy]` as our
 * encoder (and Tractus-X connectors) write policy-carrying messages. Such bodies take the fast path when they are
 * schema-valid and the lite expander models every term they use; anything else is expanded by jsonld.js as before.
 */
function extendedCanonical(context: unknown, dialect: DspDialect): boolean {
  return dialect === '2025-1' && Array.isArray(context) && context.length > 1 && context[0] === DSPACE_2025_1_CONTEXT_URL
    && context.slice(1).every((c) => typeof c === 'string' && c !== DSPACE_2025_1_CONTEXT_URL && bundledContext(c) !== undefined);
}

function readVersionResponse(body: Record<string, unknown>): VersionResponse {
  const list = body['protocolVersions'] as readonly Record<string, unknown>[];
  return {
    type: 'VersionResponse',
    protocolVersions: list.map((v) => {
      const entry: Record<string, unknown> = { version: v['version'], path: v['path'] };
      for (const key of ['binding', 'serviceId', 'identifierType', 'auth'] as const) {
        if (v[key] !== undefined) entry[key] = v[key];
      }
      return entry as unknown as ProtocolVersion;
    }),
  };
}

/** The DSP codec over compiled validators (see docs/dsp.md for the rules). */
export function createDspCodec(deps: DspCodecDeps): DspCodec {
  const { validators } = deps;
  const expander = createDspExpander();
  const canonicalJson = new Map<DspDialect, string>();
  const canonicalFor = (dialect: DspDialect): string => {
    let json = canonicalJson.get(dialect);
    if (json === undefined) {
      json = JSON.stringify(canonicalContext(dialect));
      canonicalJson.set(dialect, json);
    }
    return json;
  };

  async function decodeWithPath<T extends DspMessageType>(body: unknown, dialect: DspDialect, expectedType: T): Promise<Result<{ message: DspMessageMap[T]; path: DecodePath }>> {
    if (Array.isArray(body) && body.length === 1 && isRecord(body[0]) && expectedType !== 'VersionResponse') {
      // A document in JSON-LD expanded form (the output of expansion is a node array).
      const expandedDoc = await expander.expand(body);
      if (!expandedDoc.ok) return expandedDoc;
      const read = readExpanded(expandedDoc.value, dialect, expectedType);
      return read.ok ? ok({ message: read.value, path: 'expanded' }) : read;
    }
    if (!isRecord(body)) return fail('bad-request', `${expectedType}: the body must be a JSON object`);

    if (expectedType === 'VersionResponse') {
      const valid = validators.validate(dialect, expectedType, body);
      if (!valid.ok) return valid;
      return ok({ message: readVersionResponse(body) as DspMessageMap[T], path: 'canonical' });
    }

    const context = body['@context'];
    const plainRead = context !== undefined && !TOP_LEVEL_KEYWORDS_BREAKING_PLAIN_READ.some((k) => k in body);
    const canonical = plainRead && JSON.stringify(context) === canonicalFor(dialect);
    if (plainRead && !canonical && extendedCanonical(context, dialect) && body['@type'] === compactType(dialect, expectedType) && validators.validate(dialect, expectedType, body).ok) {
      try {
        const read = readExpanded(liteExpand(body), dialect, expectedType);
        if (read.ok) return ok({ message: read.value, path: 'canonical' });
      } catch (err) {
        if (!(err instanceof UnsupportedJsonLd)) throw err;
      }
      // Not modelled by the lite expander, or not readable: the expansion path below decides (and words any error).
    }
    if (canonical) {
      const wantedType = compactType(dialect, expectedType);
      if (body['@type'] !== wantedType) {
        return fail('bad-request', `expected @type ${JSON.stringify(wantedType)} (DSP ${dialect}) but got ${JSON.stringify(body['@type'] ?? null)}`);
      }
      const valid = validators.validate(dialect, expectedType, body);
      if (!valid.ok) return valid;
      try {
        const read = readExpanded(liteExpand(body), dialect, expectedType);
        return read.ok ? ok({ message: read.value, path: 'canonical' }) : read;
      } catch (err) {
        if (!(err instanceof UnsupportedJsonLd)) throw err;
        // A valid canonical body using a JSON-LD feature the lite expander does not model: expand it properly.
      }
    } else if (context === undefined && !Object.keys(body).some((k) => k.startsWith('@') && k !== '@graph')) {
      return fail('bad-request', `${expectedType}: the body has no @context and is not in JSON-LD expanded form`);
    }

    const expanded = await expander.expand(body);
    if (!expanded.ok) return expanded;
    const read = readExpanded(expanded.value, dialect, expectedType);
    return read.ok ? ok({ message: read.value, path: 'expanded' }) : read;
  }

  return {
    decodeWithPath,
    async decode(body, dialect, expectedType) {
      const r = await decodeWithPath(body, dialect, expectedType);
      return r.ok ? ok(r.value.message) : r;
    },
    encode(message, dialect) {
      return encodeMessage(message, dialect);
    },
  };
}
