// The contract negotiation entity (provider and consumer): plain immutable records whose transitions are checked here.
import { fail, ok, type Result } from '../common/result';
import type { DspDialect } from '../dsp/dialects';
import type { ContractOfferMessage, ContractRequestMessage, NegotiationDspState, NegotiationMessage } from '../dsp/messages';
import {
  counterpartyViews,
  findEdge,
  isNegotiationTerminal,
  maySend,
  negotiationDspState,
  NEGOTIATION_STATE_CODES,
  PENDING_STATE,
  pendingTarget,
  type GraphState,
  type NegotiationMessageKind,
  type NegotiationRole,
  type NegotiationState,
} from './negotiation-states';

export * from './negotiation-states';

/** A contract negotiation as stored (plain JSON-compatible data; the store saves and loads it as is). */
export interface ContractNegotiation {
  /** Our local id (EDC: the negotiation id; also our own pid). */
  readonly id: string;
  readonly tenantId: string;
  readonly role: NegotiationRole;
  readonly dialect: DspDialect;
  /** The counter-party's participant id (DID or BPN). */
  readonly counterPartyId: string;
  /** Where messages to the counter-party go (its callbackAddress, or the provider's DSP base for a consumer). */
  readonly counterPartyAddress: string;
  readonly consumerPid: string;
  /** Unknown to a consumer until the provider's first answer. */
  readonly providerPid?: string;
  readonly state: NegotiationState;
  /** How many times the current state was entered in a row (retries). */
  readonly stateCount: number;
  /** Epoch milliseconds of the last transition. */
  readonly stateTimestamp: number;
  readonly createdAt: number;
  /** For pending ("-ING") states: the DSP state we left. */
  readonly pendingFrom?: GraphState;
  /** Fingerprint of the last counter-party message applied (replays of it are no-ops). */
  readonly lastMessageId?: string;
  readonly errorDetail?: string;
  readonly offerId?: string;
  readonly assetId?: string;
  /** The last offer exchanged (expanded ODRL node or the policy module's own form). */
  readonly offerPolicy?: unknown;
  readonly agreementId?: string;
  readonly agreementPolicy?: unknown;
}

/** Data a transition may record. */
export interface NegotiationData {
  readonly offerId?: string;
  readonly assetId?: string;
  readonly offerPolicy?: unknown;
  readonly agreementId?: string;
  readonly agreementPolicy?: unknown;
  readonly errorDetail?: string;
}

export interface InboundContext {
  /** Fingerprint of the message (`dspMessageFingerprint`). */
  readonly messageId: string;
  /** The verified participant id of the caller; when given it must be the negotiation's counter-party. */
  readonly senderId?: string;
}

export interface Received {
  readonly negotiation: ContractNegotiation;
  /** True when the message was already applied (a replay): nothing changed. */
  readonly duplicate: boolean;
}

export interface NewNegotiation {
  readonly id: string;
  readonly tenantId: string;
  readonly dialect: DspDialect;
  readonly counterPartyId: string;
  readonly counterPartyAddress: string;
}

export interface ContractNegotiationMachine {
  /** A consumer negotiation in INITIAL, about to send its first ContractRequestMessage (consumerPid = id). */
  startAsConsumer(init: NewNegotiation & NegotiationData): ContractNegotiation;
  /** A provider negotiation in INITIAL for a provider-initiated negotiation (providerPid = id); consumerPid comes later. */
  startAsProvider(init: NewNegotiation & NegotiationData & { readonly consumerPid?: string }): ContractNegotiation;
  /** Provider side: a negotiation in REQUESTED created from an initial ContractRequestMessage (providerPid = id). */
  fromInitialRequest(init: NewNegotiation, message: ContractRequestMessage, ctx: InboundContext): Result<ContractNegotiation>;
  /** Consumer side: a negotiation in OFFERED created from an initial ContractOfferMessage (consumerPid = id). */
  fromInitialOffer(init: NewNegotiation, message: ContractOfferMessage, ctx: InboundContext): Result<ContractNegotiation>;
  /** Applies a counter-party message: checks pids, sender and the allowed-from table; a replay of the last message is a no-op. */
  receive(n: ContractNegotiation, message: NegotiationMessage, ctx: InboundContext): Result<Received>;
  /** Our side decides to send `kind`: moves to the pending state if the graph allows it from the current state. */
  send(n: ContractNegotiation, kind: NegotiationMessageKind, data?: NegotiationData): Result<ContractNegotiation>;
  /** The counter-party acknowledged our pending message: the pending state becomes its target (a first ACK names the other pid). */
  acknowledged(n: ContractNegotiation, ack?: { readonly providerPid?: string; readonly consumerPid?: string }): Result<ContractNegotiation>;
  /** Stays in the current state and counts a retry (stateCount + 1). */
  retry(n: ContractNegotiation): ContractNegotiation;
  /** Ends a non-terminal negotiation locally (no message), e.g. when retries are exhausted. */
  fail(n: ContractNegotiation, errorDetail: string): Result<ContractNegotiation>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function policyId(policy: unknown): string | undefined {
  return isRecord(policy) && typeof policy['@id'] === 'string' ? policy['@id'] : undefined;
}

function policyTarget(policy: unknown): string | undefined {
  if (!isRecord(policy)) return undefined;
  const t = policy['http://www.w3.org/ns/odrl/2/target'];
  const first: unknown = Array.isArray(t) ? t[0] : undefined;
  return isRecord(first) && typeof first['@id'] === 'string' ? first['@id'] : undefined;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function kindOf(message: NegotiationMessage): NegotiationMessageKind {
  switch (message.type) {
    case 'ContractRequestMessage':
      return 'request';
    case 'ContractOfferMessage':
      return 'offer';
    case 'ContractAgreementMessage':
      return 'agreement';
    case 'ContractAgreementVerificationMessage':
      return 'verification';
    case 'ContractNegotiationEventMessage':
      return message.eventType === 'ACCEPTED' ? 'accepted' : 'finalized';
    case 'ContractNegotiationTerminationMessage':
      return 'termination';
  }
}

function label(message: NegotiationMessage): string {
  return message.type === 'ContractNegotiationEventMessage' ? `${message.type}(${message.eventType})` : message.type;
}

function dataOf(message: NegotiationMessage): NegotiationData {
  switch (message.type) {
    case 'ContractRequestMessage':
    case 'ContractOfferMessage':
      return { offerId: policyId(message.offer), assetId: policyTarget(message.offer), offerPolicy: message.offer };
    case 'ContractAgreementMessage':
      return { agreementId: policyId(message.agreement), assetId: policyTarget(message.agreement), agreementPolicy: message.agreement };
    case 'ContractNegotiationTerminationMessage': {
      const detail = [message.code, ...(message.reason ?? [])].filter((x) => x !== undefined).join(': ');
      return { errorDetail: `terminated by counter-party${detail === '' ? '' : `: ${detail}`}` };
    }
    default:
      return {};
  }
}

/** The negotiation entity's transitions, with an injected clock. */
export function createContractNegotiationMachine(deps: { readonly now: () => Date }): ContractNegotiationMachine {
  const now = (): number => deps.now().getTime();

  function moveTo(n: ContractNegotiation, state: NegotiationState, extra: Partial<ContractNegotiation> = {}): ContractNegotiation {
    const { pendingFrom: _drop, ...rest } = n;
    void _drop;
    return defined({
      ...rest,
      ...extra,
      state,
      stateCount: state === n.state ? n.stateCount + 1 : 1,
      stateTimestamp: now(),
    });
  }

  function create(init: NewNegotiation, role: NegotiationRole, state: NegotiationState, fields: Partial<ContractNegotiation>): ContractNegotiation {
    const t = now();
    return defined({
      id: init.id,
      tenantId: init.tenantId,
      role,
      dialect: init.dialect,
      counterPartyId: init.counterPartyId,
      counterPartyAddress: init.counterPartyAddress,
      consumerPid: '',
      state,
      stateCount: 1,
      stateTimestamp: t,
      createdAt: t,
      ...fields,
    } as ContractNegotiation);
  }

  return {
    startAsConsumer(init) {
      const { id, tenantId, dialect, counterPartyId, counterPartyAddress, ...data } = init;
      return create({ id, tenantId, dialect, counterPartyId, counterPartyAddress }, 'consumer', 'INITIAL', { consumerPid: id, ...data });
    },

    startAsProvider(init) {
      const { id, tenantId, dialect, counterPartyId, counterPartyAddress, consumerPid, ...data } = init;
      return create({ id, tenantId, dialect, counterPartyId, counterPartyAddress }, 'provider', 'INITIAL', { consumerPid: consumerPid ?? '', providerPid: id, ...data });
    },

    fromInitialRequest(init, message, ctx) {
      if (message.providerPid !== undefined) return fail('bad-request', 'an initial ContractRequestMessage must not carry a providerPid');
      if (message.callbackAddress === undefined) return fail('bad-request', 'an initial ContractRequestMessage needs a callbackAddress');
      return ok(create({ ...init, counterPartyAddress: message.callbackAddress }, 'provider', 'REQUESTED', {
        consumerPid: message.consumerPid,
        providerPid: init.id,
        lastMessageId: ctx.messageId,
        ...dataOf(message),
      }));
    },

    fromInitialOffer(init, message, ctx) {
      if (message.consumerPid !== undefined) return fail('bad-request', 'an initial ContractOfferMessage must not carry a consumerPid');
      if (message.callbackAddress === undefined) return fail('bad-request', 'an initial ContractOfferMessage needs a callbackAddress');
      return ok(create({ ...init, counterPartyAddress: message.callbackAddress }, 'consumer', 'OFFERED', {
        consumerPid: init.id,
        providerPid: message.providerPid,
        lastMessageId: ctx.messageId,
        ...dataOf(message),
      }));
    },

    receive(n, message, ctx) {
      if (ctx.senderId !== undefined && ctx.senderId !== n.counterPartyId) return fail('not-found', 'negotiation not found');
      const consumerPid = 'consumerPid' in message ? message.consumerPid : undefined;
      const providerPid = 'providerPid' in message ? message.providerPid : undefined;
      if (consumerPid !== undefined && n.consumerPid !== '' && consumerPid !== n.consumerPid) return fail('not-found', 'negotiation not found (consumerPid mismatch)');
      if (providerPid !== undefined && n.providerPid !== undefined && providerPid !== n.providerPid) return fail('not-found', 'negotiation not found (providerPid mismatch)');
      if (ctx.messageId === n.lastMessageId) return ok({ negotiation: n, duplicate: true });

      const kind = kindOf(message);
      const sender: NegotiationRole = n.role === 'provider' ? 'consumer' : 'provider';
      if (!maySend(sender, kind)) return fail('bad-request', `a ${sender} may not send ${label(message)}`);
      if (isNegotiationTerminal(n.state)) return fail('bad-request', `${label(message)} is not allowed: the negotiation is ${n.state}`);
      const bothTerminating = kind === 'termination' && n.state === 'TERMINATING';
      const edge = bothTerminating ? undefined : findEdge(counterpartyViews(n.state, n.pendingFrom), kind, sender);
      if (edge === undefined && !bothTerminating) {
        return fail('bad-request', `${label(message)} from the ${sender} is not allowed in state ${negotiationDspState(n.state, n.pendingFrom)} (${n.state})`);
      }
      const to: NegotiationDspState = edge?.to ?? 'TERMINATED';
      return ok({
        negotiation: moveTo(n, to, {
          ...dataOf(message),
          lastMessageId: ctx.messageId,
          ...(n.providerPid === undefined && providerPid !== undefined ? { providerPid } : {}),
          ...(n.consumerPid === '' && consumerPid !== undefined ? { consumerPid } : {}),
        }),
        duplicate: false,
      });
    },

    send(n, kind, data = {}) {
      if (isNegotiationTerminal(n.state)) return fail('bad-request', `cannot send ${kind}: the negotiation is ${n.state}`);
      const pending = pendingTarget(n.state) !== undefined;
      if (pending && kind !== 'termination') return fail('bad-request', `cannot send ${kind} while ${n.state} is pending`);
      if (n.state === 'TERMINATING') return fail('bad-request', 'a termination is already pending');
      const views = counterpartyViews(n.state, n.pendingFrom);
      const edge = findEdge(views, kind, n.role);
      if (edge === undefined) return fail('bad-request', `a ${n.role} may not send ${kind} in state ${n.state}`);
      const from: GraphState = pending ? (n.pendingFrom ?? 'START') : n.state === 'INITIAL' ? 'START' : (n.state as NegotiationDspState);
      return ok({ ...moveTo(n, PENDING_STATE[kind], defined({ ...data })), pendingFrom: from });
    },

    acknowledged(n, ack = {}) {
      const target = pendingTarget(n.state);
      if (target === undefined) return fail('bad-request', `nothing is pending in state ${n.state}`);
      return ok(moveTo(n, target, {
        ...(n.providerPid === undefined && ack.providerPid !== undefined ? { providerPid: ack.providerPid } : {}),
        ...(n.consumerPid === '' && ack.consumerPid !== undefined && ack.consumerPid !== '' ? { consumerPid: ack.consumerPid } : {}),
      }));
    },

    retry(n) {
      return { ...n, stateCount: n.stateCount + 1, stateTimestamp: now() };
    },

    fail(n, errorDetail) {
      if (isNegotiationTerminal(n.state)) return fail('bad-request', `the negotiation is already ${n.state}`);
      return ok(moveTo(n, 'TERMINATED', { errorDetail }));
    },
  };
}

/** The EDC Management API view of the state: name and code. */
export function negotiationEdcState(n: ContractNegotiation): { readonly state: NegotiationState; readonly code: number } {
  return { state: n.state, code: NEGOTIATION_STATE_CODES[n.state] };
}

/** The DSP `ContractNegotiation` ACK/GET body for a negotiation. */
export function negotiationAck(n: ContractNegotiation): { type: 'ContractNegotiation'; providerPid: string; consumerPid: string; state: NegotiationDspState } {
  return { type: 'ContractNegotiation', providerPid: n.providerPid ?? '', consumerPid: n.consumerPid, state: negotiationDspState(n.state, n.pendingFrom) };
}

const STRING_FIELDS = ['id', 'tenantId', 'counterPartyId', 'counterPartyAddress', 'consumerPid'] as const;
const OPTIONAL_STRING_FIELDS = ['providerPid', 'lastMessageId', 'errorDetail', 'offerId', 'assetId', 'agreementId', 'pendingFrom'] as const;

/** The plain record to persist (a detached copy). */
export function negotiationToRecord(n: ContractNegotiation): Record<string, unknown> {
  // Entities are immutable values and the record is serialized to JSON at once: a shallow copy is enough.
  return { ...n };
}

/** Checks a stored record and returns it as a negotiation; a malformed record is a bad-request failure. */
export function negotiationFromRecord(record: unknown): Result<ContractNegotiation> {
  if (!isRecord(record)) return fail('bad-request', 'negotiation record must be an object');
  for (const f of STRING_FIELDS) if (typeof record[f] !== 'string') return fail('bad-request', `negotiation record: ${f} must be a string`);
  for (const f of OPTIONAL_STRING_FIELDS) {
    if (record[f] !== undefined && record[f] !== null && typeof record[f] !== 'string') return fail('bad-request', `negotiation record: ${f} must be a string`);
  }
  if (record['role'] !== 'provider' && record['role'] !== 'consumer') return fail('bad-request', 'negotiation record: role must be provider or consumer');
  if (!['2025-1', '2024-1', '0.8'].includes(record['dialect'] as string)) return fail('bad-request', 'negotiation record: unknown dialect');
  if (typeof record['state'] !== 'string' || !(record['state'] in NEGOTIATION_STATE_CODES)) return fail('bad-request', `negotiation record: unknown state ${String(record['state'])}`);
  for (const f of ['stateCount', 'stateTimestamp', 'createdAt']) {
    if (typeof record[f] !== 'number' || !Number.isFinite(record[f])) return fail('bad-request', `negotiation record: ${f} must be a number`);
  }
  const clean = Object.fromEntries(Object.entries(record).filter(([, v]) => v !== null && v !== undefined));
  // `record` was just parsed from the row's JSON, so nobody else holds it: no deep copy needed.
  return ok(clean as unknown as ContractNegotiation);
}
