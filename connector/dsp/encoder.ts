// Builds a dialect's compact wire JSON for a typed DSP message directly (no jsonld.compact on the hot path).
import { canonicalContext, DIALECT_INFO, type DspDialect } from './dialects';
import type {
  CatalogBody,
  DataAddress,
  DataService,
  DatasetBody,
  Distribution,
  OutboundDspMessage,
  SerializedPolicy,
} from './messages';
import { compactType, wireNames, type WireNames } from './vocabulary';

type Json = Record<string, unknown>;

/** A message that cannot be written in the requested dialect (a caller bug: e.g. 2024-1 needs a callbackAddress). */
export class DspEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DspEncodeError';
  }
}

function put(target: Json, key: string, value: unknown): void {
  if (value !== undefined) target[key] = value;
}

function reasonsOut(dialect: DspDialect, reason: readonly string[] | undefined): unknown[] | undefined {
  if (reason === undefined || reason.length === 0) return undefined;
  return DIALECT_INFO[dialect].prefixed ? reason.map((r) => ({ '@value': r, '@language': 'en' })) : [...reason];
}

function dataAddressOut(dialect: DspDialect, w: WireNames, a: DataAddress): Json {
  const out: Json = { '@type': compactType(dialect, 'DataAddress'), [w.dspace('endpointType')]: a.endpointType };
  let endpoint = a.endpoint;
  if (endpoint === undefined && DIALECT_INFO[dialect].prefixed) {
    // 2024-1/0.8 require `endpoint`; EDC-style addresses carry it as an endpoint property (docs/dsp.md, DataAddress).
    endpoint = a.endpointProperties.find((p) => p.name === 'endpoint' || p.name === 'https://w3id.org/edc/v0.0.1/ns/endpoint')?.value;
    if (endpoint === undefined) throw new DspEncodeError(`DSP ${dialect} DataAddress needs an endpoint`);
  }
  put(out, w.dspace('endpoint'), endpoint);
  if (a.endpointProperties.length > 0) {
    out[w.dspace('endpointProperties')] = a.endpointProperties.map((p) => ({
      '@type': compactType(dialect, 'EndpointProperty'),
      [w.dspace('name')]: p.name,
      [w.dspace('value')]: p.value,
    }));
  }
  return out;
}

function dataServiceOut(dialect: DspDialect, w: WireNames, s: DataService): Json {
  const out: Json = { '@id': s.id, '@type': compactType(dialect, 'DataService') };
  put(out, w.dcat('endpointURL'), s.endpointURL);
  put(out, w.dcat('endpointDescription'), s.endpointDescription);
  return out;
}

function distributionOut(dialect: DspDialect, w: WireNames, d: Distribution): Json {
  const prefixed = DIALECT_INFO[dialect].prefixed;
  const service = d.service ?? { id: d.accessService };
  return {
    '@type': compactType(dialect, 'Distribution'),
    [w.format]: d.format,
    // 2024-1 wants an array of DataService objects; 2025-1 accepts the id.
    [w.dcat('accessService')]: prefixed ? [dataServiceOut(dialect, w, service)] : d.service !== undefined ? dataServiceOut(dialect, w, service) : d.accessService,
  };
}

function withExtras(out: Json, properties: DatasetBody['properties']): Json {
  for (const [iri, value] of Object.entries(properties ?? {})) {
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(iri)) throw new DspEncodeError(`extra property ${iri} must be an absolute IRI`);
    out[iri] = value;
  }
  return out;
}

function datasetOut(dialect: DspDialect, w: WireNames, d: DatasetBody<SerializedPolicy>): Json {
  if (d.hasPolicy.length === 0) throw new DspEncodeError(`Dataset ${d.id} needs at least one offer`);
  if (d.distribution.length === 0 && !DIALECT_INFO[dialect].prefixed) throw new DspEncodeError(`Dataset ${d.id} needs at least one distribution in DSP 2025-1`);
  const out: Json = { '@id': d.id, '@type': compactType(dialect, 'Dataset'), [w.odrl('hasPolicy')]: [...d.hasPolicy] };
  if (d.distribution.length > 0) out[w.dcat('distribution')] = d.distribution.map((x) => distributionOut(dialect, w, x));
  return withExtras(out, d.properties);
}

function catalogOut(dialect: DspDialect, w: WireNames, c: CatalogBody<SerializedPolicy>): Json {
  const out: Json = { '@id': c.id, '@type': compactType(dialect, 'Catalog') };
  put(out, w.dspace('participantId'), c.participantId);
  if (c.service.length > 0) out[w.dcat('service')] = c.service.map((s) => dataServiceOut(dialect, w, s));
  // `dataset`/`catalog` have minItems 1: an empty list is omitted, never sent as [].
  if (c.dataset.length > 0) out[w.dcat('dataset')] = c.dataset.map((d) => datasetOut(dialect, w, d));
  if (c.catalog !== undefined && c.catalog.length > 0) out[w.dcat('catalog')] = c.catalog.map((x) => catalogOut(dialect, w, x));
  if (c.distribution !== undefined && c.distribution.length > 0) out[w.dcat('distribution')] = c.distribution.map((x) => distributionOut(dialect, w, x));
  return withExtras(out, c.properties);
}

function requireCallback(dialect: DspDialect, type: string, callbackAddress: string | undefined): string {
  if (callbackAddress === undefined) throw new DspEncodeError(`${type} in DSP ${dialect} requires a callbackAddress`);
  return callbackAddress;
}

function withTimestamp(w: WireNames, agreement: SerializedPolicy, timestamp: string | undefined): SerializedPolicy {
  const key = w.dspace('timestamp');
  if (timestamp === undefined || key in agreement) return agreement;
  return { ...agreement, [key]: timestamp };
}

/** The message's compact body in `dialect`, with the dialect's `@context` (2025-1: array; 2024-1: string; 0.8: inline). */
export function encodeMessage(message: OutboundDspMessage, dialect: DspDialect): Json {
  const w = wireNames(dialect);
  const prefixed = DIALECT_INFO[dialect].prefixed;
  if (message.type === 'VersionResponse') {
    // 2025-1 has no @context here; the 2024-1 (and derived 0.8) version schema requires one.
    const versions = { protocolVersions: message.protocolVersions.map((v) => ({ ...v })) };
    return prefixed ? { '@context': canonicalContext(dialect), ...versions } : versions;
  }
  const context = canonicalContext(dialect);
  const out: Json = { '@context': Array.isArray(context) ? [...(context as unknown[])] : context };
  const d = w.dspace;
  switch (message.type) {
    case 'Catalog':
      return { ...out, ...catalogOut(dialect, w, message) };
    case 'Dataset':
      return { ...out, ...datasetOut(dialect, w, message) };
    default:
      break;
  }
  out['@type'] = compactType(dialect, message.type);
  switch (message.type) {
    case 'CatalogRequestMessage':
      put(out, d('filter'), message.filter === undefined ? undefined : [...message.filter]);
      break;
    case 'DatasetRequestMessage':
      out[d('dataset')] = message.dataset;
      break;
    case 'CatalogError':
      put(out, d('code'), message.code);
      put(out, d('reason'), reasonsOut(dialect, message.reason));
      break;
    case 'ContractRequestMessage':
      if (message.providerPid === undefined && message.callbackAddress === undefined) {
        throw new DspEncodeError('an initial ContractRequestMessage requires a callbackAddress');
      }
      out[d('consumerPid')] = message.consumerPid;
      put(out, d('providerPid'), message.providerPid);
      out[d('offer')] = message.offer;
      // 2025-1: exactly one of callbackAddress (initial) / providerPid (counter); 2024-1/0.8: callbackAddress always.
      if (prefixed) out[d('callbackAddress')] = requireCallback(dialect, message.type, message.callbackAddress);
      else if (message.providerPid === undefined) out[d('callbackAddress')] = message.callbackAddress;
      break;
    case 'ContractOfferMessage':
      if (message.consumerPid === undefined && message.callbackAddress === undefined) {
        throw new DspEncodeError('an initial ContractOfferMessage requires a callbackAddress');
      }
      out[d('providerPid')] = message.providerPid;
      put(out, d('consumerPid'), message.consumerPid);
      out[d('offer')] = message.offer;
      if (prefixed) out[d('callbackAddress')] = requireCallback(dialect, message.type, message.callbackAddress);
      else if (message.consumerPid === undefined) out[d('callbackAddress')] = message.callbackAddress;
      break;
    case 'ContractAgreementMessage':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      out[d('agreement')] = withTimestamp(w, message.agreement, message.timestamp);
      if (prefixed) out[d('callbackAddress')] = requireCallback(dialect, message.type, message.callbackAddress);
      break;
    case 'ContractNegotiationEventMessage':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      out[d('eventType')] = w.enumValue(message.eventType);
      break;
    case 'ContractNegotiation':
    case 'TransferProcess':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      out[d('state')] = w.enumValue(message.state);
      break;
    case 'ContractAgreementVerificationMessage':
    case 'TransferCompletionMessage':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      break;
    case 'ContractNegotiationTerminationMessage':
    case 'ContractNegotiationError':
    case 'TransferSuspensionMessage':
    case 'TransferTerminationMessage':
    case 'TransferError':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      put(out, d('code'), message.code);
      put(out, d('reason'), reasonsOut(dialect, message.reason));
      break;
    case 'TransferRequestMessage':
      out[d('consumerPid')] = message.consumerPid;
      out[d('agreementId')] = message.agreementId;
      out[w.format] = message.format;
      out[d('callbackAddress')] = message.callbackAddress;
      if (message.dataAddress !== undefined) out[d('dataAddress')] = dataAddressOut(dialect, w, message.dataAddress);
      break;
    case 'TransferStartMessage':
      out[d('providerPid')] = message.providerPid;
      out[d('consumerPid')] = message.consumerPid;
      if (message.dataAddress !== undefined) out[d('dataAddress')] = dataAddressOut(dialect, w, message.dataAddress);
      break;
  }
  return out;
}
