// Maps a JSON-LD expanded DSP message to its typed form (one reader for every dialect, parameterised by namespace).
import { fail, ok, type Result } from '../common/result';
import { DIALECT_INFO, type DspDialect } from './dialects';
import type {
  CatalogBody,
  DataAddress,
  DataService,
  DatasetBody,
  Distribution,
  DspMessage,
  DspMessageMap,
  DspMessageType,
  ExtraProperties,
  NegotiationDspState,
  TransferDspState,
} from './messages';
import { NEGOTIATION_DSP_STATES, TRANSFER_DSP_STATES } from './messages';
import { DCAT, DCT, ODRL, dialectIris, typeIri, type DialectIris } from './vocabulary';

type Node = Readonly<Record<string, unknown>>;

/** Raised inside the reader for a malformed message; turned into a bad-request result at the boundary. */
class ReadError extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function values(node: Node, iri: string): readonly unknown[] {
  const v = node[iri];
  return Array.isArray(v) ? v : [];
}

function short(iri: string): string {
  const cut = Math.max(iri.lastIndexOf('/'), iri.lastIndexOf('#'));
  return cut >= 0 ? iri.slice(cut + 1) : iri;
}

/** The string of a single expanded value: `{"@id": s}` or `{"@value": s}`. */
function textOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const v = value['@id'] ?? value['@value'];
  return typeof v === 'string' ? v : undefined;
}

function optStr(node: Node, iri: string): string | undefined {
  const vs = values(node, iri);
  if (vs.length === 0) return undefined;
  const s = textOf(vs[0]);
  if (s === undefined) throw new ReadError(`${short(iri)} must be a string`);
  return s;
}

function reqStr(node: Node, iri: string): string {
  const s = optStr(node, iri);
  if (s === undefined) throw new ReadError(`missing ${short(iri)}`);
  return s;
}

function optNode(node: Node, iri: string): Node | undefined {
  const vs = values(node, iri);
  if (vs.length === 0) return undefined;
  if (!isRecord(vs[0]) || '@value' in vs[0]) throw new ReadError(`${short(iri)} must be an object`);
  return vs[0];
}

function reqNode(node: Node, iri: string): Node {
  const n = optNode(node, iri);
  if (n === undefined) throw new ReadError(`missing ${short(iri)}`);
  return n;
}

function nodes(node: Node, iri: string): Node[] {
  return values(node, iri).map((v) => {
    if (!isRecord(v) || '@value' in v) throw new ReadError(`${short(iri)} entries must be objects`);
    return v;
  });
}

function hasType(node: Node, iri: string): boolean {
  const t = node['@type'];
  return Array.isArray(t) && t.includes(iri);
}

/** Texts of `reason`: literal values and IRIs; structured reasons without a text are skipped. */
function reasons(node: Node, iri: string): string[] | undefined {
  const vs = values(node, iri);
  if (vs.length === 0) return undefined;
  const out: string[] = [];
  for (const v of vs) {
    if (!isRecord(v)) continue;
    const t = v['@value'] ?? v['@id'];
    if (typeof t === 'string' || typeof t === 'number' || typeof t === 'boolean') out.push(String(t));
  }
  return out.length === 0 ? undefined : out;
}

function enumOf<T extends string>(node: Node, iri: string, iris: DialectIris, allowed: readonly T[]): T {
  const raw = reqStr(node, iri);
  // Lenient on spelling (full IRI, `dspace:X`, bare `X`), strict on the dialect's namespace and the value set.
  const bare = raw.startsWith(iris.ns) ? raw.slice(iris.ns.length) : raw.startsWith('dspace:') ? raw.slice('dspace:'.length) : raw;
  if ((allowed as readonly string[]).includes(bare)) return bare as T;
  throw new ReadError(`${short(iri)} ${JSON.stringify(raw)} is not one of ${allowed.join(', ')}`);
}

/** `offer` = the offer of a ContractOfferMessage; its `target` is required by the 2025-1 schema only. */
type PolicyKind = 'request-offer' | 'offer' | 'offer-no-target-check' | 'agreement' | 'dataset-offer';

/** The structural minimum of a policy inside a message; the policy module checks the content. */
function checkPolicy(node: Node, kind: PolicyKind, what: string): Node {
  if (typeof node['@id'] !== 'string') throw new ReadError(`${what} must have an @id`);
  if (kind === 'agreement' && !hasType(node, `${ODRL}Agreement`)) throw new ReadError(`${what} must be of type odrl:Agreement`);
  if ((kind === 'request-offer' || kind === 'offer' || kind === 'offer-no-target-check') && !hasType(node, `${ODRL}Offer`)) throw new ReadError(`${what} must be of type odrl:Offer`);
  if (values(node, `${ODRL}permission`).length === 0 && values(node, `${ODRL}prohibition`).length === 0) {
    throw new ReadError(`${what} must have a permission or a prohibition`);
  }
  const required = kind === 'agreement' ? ['target', 'assigner', 'assignee'] : kind === 'offer' ? ['target'] : [];
  for (const p of required) {
    if (values(node, `${ODRL}${p}`).length === 0) throw new ReadError(`${what} must have an odrl:${p}`);
  }
  return node;
}

function dataAddress(node: Node, iris: DialectIris): DataAddress {
  const endpoint = optStr(node, iris.dspace('endpoint'));
  return {
    endpointType: reqStr(node, iris.dspace('endpointType')),
    ...(endpoint !== undefined ? { endpoint } : {}),
    endpointProperties: nodes(node, iris.dspace('endpointProperties')).map((p) => ({
      name: reqStr(p, iris.dspace('name')),
      value: reqStr(p, iris.dspace('value')),
    })),
  };
}

function dataService(node: Node): DataService {
  if (typeof node['@id'] !== 'string') throw new ReadError('DataService must have an @id');
  const endpointURL = optStr(node, `${DCAT}endpointURL`);
  const endpointDescription = optStr(node, `${DCAT}endpointDescription`);
  return {
    id: node['@id'],
    ...(endpointURL !== undefined ? { endpointURL } : {}),
    ...(endpointDescription !== undefined ? { endpointDescription } : {}),
  };
}

function distribution(node: Node): Distribution {
  const first = values(node, `${DCAT}accessService`)[0];
  if (!isRecord(first)) throw new ReadError('missing accessService');
  // 2025-1 writes the DataService id as a plain string (a literal after expansion) or an inline DataService.
  if (typeof first['@value'] === 'string') return { format: reqStr(node, `${DCT}format`), accessService: first['@value'] };
  const access = first;
  if (typeof access['@id'] !== 'string') throw new ReadError('accessService must reference a DataService by @id');
  const inline = Object.keys(access).some((k) => k !== '@id' && k !== '@type');
  return {
    format: reqStr(node, `${DCT}format`),
    accessService: access['@id'],
    ...(inline ? { service: dataService(access) } : {}),
  };
}

function extras(node: Node, known: readonly string[]): ExtraProperties | undefined {
  const out: Record<string, readonly unknown[]> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || known.includes(k) || !Array.isArray(v)) continue;
    out[k] = v;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

const DATASET_KNOWN = [`${ODRL}hasPolicy`, `${DCAT}distribution`];

function dataset(node: Node): DatasetBody {
  if (typeof node['@id'] !== 'string') throw new ReadError('Dataset must have an @id');
  const hasPolicy = nodes(node, `${ODRL}hasPolicy`).map((p, i) => checkPolicy(p, 'dataset-offer', `hasPolicy[${i}]`));
  if (hasPolicy.length === 0) throw new ReadError(`Dataset ${node['@id']} must have at least one offer in hasPolicy`);
  const properties = extras(node, DATASET_KNOWN);
  return {
    id: node['@id'],
    hasPolicy,
    distribution: nodes(node, `${DCAT}distribution`).map(distribution),
    ...(properties !== undefined ? { properties } : {}),
  };
}

function catalog(node: Node, iris: DialectIris): CatalogBody {
  if (typeof node['@id'] !== 'string') throw new ReadError('Catalog must have an @id');
  const participantId = optStr(node, iris.dspace('participantId'));
  const known = [`${DCAT}dataset`, `${DCAT}service`, `${DCAT}catalog`, `${DCAT}distribution`, iris.dspace('participantId')];
  const properties = extras(node, known);
  const sub = nodes(node, `${DCAT}catalog`);
  const dist = nodes(node, `${DCAT}distribution`);
  return {
    id: node['@id'],
    ...(participantId !== undefined ? { participantId } : {}),
    dataset: nodes(node, `${DCAT}dataset`).map(dataset),
    service: nodes(node, `${DCAT}service`).map(dataService),
    ...(sub.length > 0 ? { catalog: sub.map((c) => catalog(c, iris)) } : {}),
    ...(dist.length > 0 ? { distribution: dist.map(distribution) } : {}),
    ...(properties !== undefined ? { properties } : {}),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function pids(n: Node, iris: DialectIris): { providerPid: string; consumerPid: string } {
  return { providerPid: reqStr(n, iris.dspace('providerPid')), consumerPid: reqStr(n, iris.dspace('consumerPid')) };
}

function codeReason(n: Node, iris: DialectIris): { code?: string; reason?: string[] } {
  return { ...optional('code', optStr(n, iris.dspace('code'))), ...optional('reason', reasons(n, iris.dspace('reason'))) };
}

function read(type: DspMessageType, n: Node, iris: DialectIris): DspMessage {
  const d = iris.dspace;
  switch (type) {
    case 'CatalogRequestMessage': {
      const filter = n[d('filter')];
      return { type, ...optional('filter', Array.isArray(filter) ? filter : undefined) };
    }
    case 'DatasetRequestMessage':
      return { type, dataset: reqStr(n, d('dataset')) };
    case 'Catalog':
      return { type, ...catalog(n, iris) };
    case 'Dataset':
      return { type, ...dataset(n) };
    case 'CatalogError':
      return { type, ...codeReason(n, iris) };
    case 'ContractRequestMessage':
      return {
        type,
        consumerPid: reqStr(n, d('consumerPid')),
        ...optional('providerPid', optStr(n, d('providerPid'))),
        ...optional('callbackAddress', optStr(n, d('callbackAddress'))),
        offer: checkPolicy(reqNode(n, d('offer')), 'request-offer', 'offer'),
      };
    case 'ContractOfferMessage':
      return {
        type,
        providerPid: reqStr(n, d('providerPid')),
        ...optional('consumerPid', optStr(n, d('consumerPid'))),
        ...optional('callbackAddress', optStr(n, d('callbackAddress'))),
        offer: checkPolicy(reqNode(n, d('offer')), iris.ns === DIALECT_INFO['2025-1'].namespace ? 'offer' : 'offer-no-target-check', 'offer'),
      };
    case 'ContractAgreementMessage': {
      const agreement = checkPolicy(reqNode(n, d('agreement')), 'agreement', 'agreement');
      return {
        type,
        ...pids(n, iris),
        ...optional('callbackAddress', optStr(n, d('callbackAddress'))),
        agreement,
        ...optional('timestamp', optStr(agreement, d('timestamp'))),
      };
    }
    case 'ContractAgreementVerificationMessage':
    case 'TransferCompletionMessage':
      return { type, ...pids(n, iris) };
    case 'ContractNegotiationEventMessage':
      return { type, ...pids(n, iris), eventType: enumOf(n, d('eventType'), iris, ['ACCEPTED', 'FINALIZED'] as const) };
    case 'ContractNegotiationTerminationMessage':
    case 'ContractNegotiationError':
    case 'TransferSuspensionMessage':
    case 'TransferTerminationMessage':
    case 'TransferError':
      return { type, ...pids(n, iris), ...codeReason(n, iris) };
    case 'ContractNegotiation':
      return { type, ...pids(n, iris), state: enumOf<NegotiationDspState>(n, d('state'), iris, NEGOTIATION_DSP_STATES) };
    case 'TransferProcess':
      return { type, ...pids(n, iris), state: enumOf<TransferDspState>(n, d('state'), iris, TRANSFER_DSP_STATES) };
    case 'TransferRequestMessage': {
      const address = optNode(n, d('dataAddress'));
      return {
        type,
        consumerPid: reqStr(n, d('consumerPid')),
        agreementId: reqStr(n, d('agreementId')),
        format: reqStr(n, `${DCT}format`),
        callbackAddress: reqStr(n, d('callbackAddress')),
        ...optional('dataAddress', address === undefined ? undefined : dataAddress(address, iris)),
      };
    }
    case 'TransferStartMessage': {
      const address = optNode(n, d('dataAddress'));
      return { type, ...pids(n, iris), ...optional('dataAddress', address === undefined ? undefined : dataAddress(address, iris)) };
    }
    case 'VersionResponse':
      throw new ReadError('VersionResponse is plain JSON, not JSON-LD');
  }
}

/** Maps the output of JSON-LD expansion to the typed message, checking its type and required properties. */
export function readExpanded<T extends DspMessageType>(expanded: readonly unknown[], dialect: DspDialect, expectedType: T): Result<DspMessageMap[T]> {
  if (expanded.length !== 1 || !isRecord(expanded[0])) {
    return fail('bad-request', `${expectedType}: the body must contain exactly one top-level node (found ${expanded.length})`);
  }
  const node = expanded[0];
  const expectedIri = typeIri(dialect, expectedType);
  if (!hasType(node, expectedIri)) {
    const got = Array.isArray(node['@type']) ? node['@type'].join(', ') : 'no @type';
    return fail('bad-request', `expected a ${expectedType} (@type ${expectedIri}) but got ${got}`);
  }
  try {
    return ok(read(expectedType, node, dialectIris(dialect)) as DspMessageMap[T]);
  } catch (err) {
    if (err instanceof ReadError) return fail('bad-request', `${expectedType} (DSP ${dialect}): ${err.message}`);
    throw err;
  }
}
