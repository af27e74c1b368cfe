// Dialect-independent TypeScript types for every DSP message (catalog, negotiation, transfer, errors, versions).

/**
 * An ODRL policy as a JSON-LD **expanded** node (what `jsonld.expand` yields for the offer/agreement object),
 * handed to the policy module's `parseExpandedPolicy(node)`. Decoded messages carry policies in this form.
 */
export type ExpandedPolicyNode = unknown;

/**
 * An ODRL policy already serialized in the target dialect's compact form by the policy module's
 * `serializePolicy(policy, 'dsp-2025-1' | 'dsp-2024-1')` (0.8 uses the 2024-1 form). Encoded messages take this form.
 */
export type SerializedPolicy = Readonly<Record<string, unknown>>;

/** Policy slot type parameter: decoded messages use {@link ExpandedPolicyNode}, messages to encode {@link SerializedPolicy}. */
export type PolicyForm = ExpandedPolicyNode | SerializedPolicy;

export interface EndpointProperty {
  readonly name: string;
  readonly value: string;
}

export interface DataAddress {
  /** e.g. `https://w3id.org/idsa/v4.1/HTTP`. */
  readonly endpointType: string;
  readonly endpoint?: string;
  readonly endpointProperties: readonly EndpointProperty[];
}

// ---- catalog ----

export interface CatalogRequestMessage {
  readonly type: 'CatalogRequestMessage';
  readonly filter?: readonly unknown[];
}

export interface DatasetRequestMessage {
  readonly type: 'DatasetRequestMessage';
  readonly dataset: string;
}

export interface DataService {
  readonly id: string;
  readonly endpointURL?: string;
  readonly endpointDescription?: string;
}

export interface Distribution {
  /** e.g. `HttpData-PULL`. */
  readonly format: string;
  /** The id of the DataService giving access (inline DataService objects are reduced to their id and kept in `service`). */
  readonly accessService: string;
  readonly service?: DataService;
}

/** Extra JSON-LD properties of a dataset/catalog, keyed by absolute IRI, values in JSON-LD expanded form (arrays). */
export type ExtraProperties = Readonly<Record<string, readonly unknown[]>>;

export interface DatasetBody<P extends PolicyForm = ExpandedPolicyNode> {
  readonly id: string;
  readonly hasPolicy: readonly P[];
  readonly distribution: readonly Distribution[];
  readonly properties?: ExtraProperties;
}

export interface Dataset<P extends PolicyForm = ExpandedPolicyNode> extends DatasetBody<P> {
  readonly type: 'Dataset';
}

export interface CatalogBody<P extends PolicyForm = ExpandedPolicyNode> {
  readonly id: string;
  readonly participantId?: string;
  readonly dataset: readonly DatasetBody<P>[];
  readonly service: readonly DataService[];
  readonly catalog?: readonly CatalogBody<P>[];
  readonly distribution?: readonly Distribution[];
  readonly properties?: ExtraProperties;
}

export interface Catalog<P extends PolicyForm = ExpandedPolicyNode> extends CatalogBody<P> {
  readonly type: 'Catalog';
}

export interface CatalogError {
  readonly type: 'CatalogError';
  readonly code?: string;
  readonly reason?: readonly string[];
}

// ---- negotiation ----

export type NegotiationDspState = 'REQUESTED' | 'OFFERED' | 'ACCEPTED' | 'AGREED' | 'VERIFIED' | 'FINALIZED' | 'TERMINATED';
export const NEGOTIATION_DSP_STATES: readonly NegotiationDspState[] = ['REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED', 'TERMINATED'];

export type NegotiationEventType = 'ACCEPTED' | 'FINALIZED';

export interface ContractRequestMessage<P extends PolicyForm = ExpandedPolicyNode> {
  readonly type: 'ContractRequestMessage';
  readonly consumerPid: string;
  /** Present on counter-requests, absent on the initial request. */
  readonly providerPid?: string;
  /** Present on the initial request (2024-1/0.8: on every request). */
  readonly callbackAddress?: string;
  readonly offer: P;
}

export interface ContractOfferMessage<P extends PolicyForm = ExpandedPolicyNode> {
  readonly type: 'ContractOfferMessage';
  readonly providerPid: string;
  /** Absent on the initial (provider-initiated) offer. */
  readonly consumerPid?: string;
  readonly callbackAddress?: string;
  readonly offer: P;
}

export interface ContractAgreementMessage<P extends PolicyForm = ExpandedPolicyNode> {
  readonly type: 'ContractAgreementMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  /** Required on the wire by 2024-1/0.8 only. */
  readonly callbackAddress?: string;
  readonly agreement: P;
  /** The agreement's `timestamp` (xsd:dateTime), read from / written into the agreement object. */
  readonly timestamp?: string;
}

export interface ContractAgreementVerificationMessage {
  readonly type: 'ContractAgreementVerificationMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
}

export interface ContractNegotiationEventMessage {
  readonly type: 'ContractNegotiationEventMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly eventType: NegotiationEventType;
}

export interface ContractNegotiationTerminationMessage {
  readonly type: 'ContractNegotiationTerminationMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly code?: string;
  readonly reason?: readonly string[];
}

export interface ContractNegotiationAck {
  readonly type: 'ContractNegotiation';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly state: NegotiationDspState;
}

export interface ContractNegotiationError {
  readonly type: 'ContractNegotiationError';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly code?: string;
  readonly reason?: readonly string[];
}

// ---- transfer ----

export type TransferDspState = 'REQUESTED' | 'STARTED' | 'TERMINATED' | 'COMPLETED' | 'SUSPENDED';
export const TRANSFER_DSP_STATES: readonly TransferDspState[] = ['REQUESTED', 'STARTED', 'TERMINATED', 'COMPLETED', 'SUSPENDED'];

export interface TransferRequestMessage {
  readonly type: 'TransferRequestMessage';
  readonly consumerPid: string;
  readonly agreementId: string;
  readonly format: string;
  readonly callbackAddress: string;
  /** Only for push transfers. */
  readonly dataAddress?: DataAddress;
}

export interface TransferStartMessage {
  readonly type: 'TransferStartMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  /** Required for pull transfers when sent by the provider. */
  readonly dataAddress?: DataAddress;
}

export interface TransferCompletionMessage {
  readonly type: 'TransferCompletionMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
}

export interface TransferSuspensionMessage {
  readonly type: 'TransferSuspensionMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly code?: string;
  readonly reason?: readonly string[];
}

export interface TransferTerminationMessage {
  readonly type: 'TransferTerminationMessage';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly code?: string;
  readonly reason?: readonly string[];
}

export interface TransferProcessAck {
  readonly type: 'TransferProcess';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly state: TransferDspState;
}

export interface TransferError {
  readonly type: 'TransferError';
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly code?: string;
  readonly reason?: readonly string[];
}

// ---- versions ----

export interface VersionAuth {
  readonly protocol: string;
  readonly version: string;
  readonly profile?: readonly string[];
}

export interface ProtocolVersion {
  readonly version: string;
  readonly path: string;
  readonly binding?: string;
  readonly serviceId?: string;
  readonly identifierType?: string;
  readonly auth?: VersionAuth;
}

export interface VersionResponse {
  readonly type: 'VersionResponse';
  readonly protocolVersions: readonly ProtocolVersion[];
}

// ---- unions ----

/** Every DSP message, keyed by its (2025-1) type name. */
export interface DspMessageMap<P extends PolicyForm = ExpandedPolicyNode> {
  CatalogRequestMessage: CatalogRequestMessage;
  DatasetRequestMessage: DatasetRequestMessage;
  Catalog: Catalog<P>;
  Dataset: Dataset<P>;
  CatalogError: CatalogError;
  ContractRequestMessage: ContractRequestMessage<P>;
  ContractOfferMessage: ContractOfferMessage<P>;
  ContractAgreementMessage: ContractAgreementMessage<P>;
  ContractAgreementVerificationMessage: ContractAgreementVerificationMessage;
  ContractNegotiationEventMessage: ContractNegotiationEventMessage;
  ContractNegotiationTerminationMessage: ContractNegotiationTerminationMessage;
  ContractNegotiation: ContractNegotiationAck;
  ContractNegotiationError: ContractNegotiationError;
  TransferRequestMessage: TransferRequestMessage;
  TransferStartMessage: TransferStartMessage;
  TransferCompletionMessage: TransferCompletionMessage;
  TransferSuspensionMessage: TransferSuspensionMessage;
  TransferTerminationMessage: TransferTerminationMessage;
  TransferProcess: TransferProcessAck;
  TransferError: TransferError;
  VersionResponse: VersionResponse;
}

export type DspMessageType = keyof DspMessageMap;

/** A decoded DSP message (policies as expanded nodes). */
export type DspMessage = DspMessageMap[DspMessageType];

/** A DSP message to encode (policies already serialized in the dialect's compact form). */
export type OutboundDspMessage = DspMessageMap<SerializedPolicy>[DspMessageType];

export const DSP_MESSAGE_TYPES: readonly DspMessageType[] = [
  'CatalogRequestMessage',
  'DatasetRequestMessage',
  'Catalog',
  'Dataset',
  'CatalogError',
  'ContractRequestMessage',
  'ContractOfferMessage',
  'ContractAgreementMessage',
  'ContractAgreementVerificationMessage',
  'ContractNegotiationEventMessage',
  'ContractNegotiationTerminationMessage',
  'ContractNegotiation',
  'ContractNegotiationError',
  'TransferRequestMessage',
  'TransferStartMessage',
  'TransferCompletionMessage',
  'TransferSuspensionMessage',
  'TransferTerminationMessage',
  'TransferProcess',
  'TransferError',
  'VersionResponse',
];

/** Negotiation messages that move a negotiation's state. */
export type NegotiationMessage<P extends PolicyForm = ExpandedPolicyNode> =
  | ContractRequestMessage<P>
  | ContractOfferMessage<P>
  | ContractAgreementMessage<P>
  | ContractAgreementVerificationMessage
  | ContractNegotiationEventMessage
  | ContractNegotiationTerminationMessage;

/** Transfer messages that move a transfer process's state. */
export type TransferMessage =
  | TransferRequestMessage
  | TransferStartMessage
  | TransferCompletionMessage
  | TransferSuspensionMessage
  | TransferTerminationMessage;
