// Contract negotiation states (EDC names and codes), the DSP state graph and who may send which message.
import type { NegotiationDspState } from '../dsp/messages';

export type NegotiationRole = 'provider' | 'consumer';

/** Internal states: the DSP states plus the EDC "-ING" states in which our own message is pending. */
export type NegotiationState =
  | 'INITIAL'
  | 'REQUESTING'
  | 'REQUESTED'
  | 'OFFERING'
  | 'OFFERED'
  | 'ACCEPTING'
  | 'ACCEPTED'
  | 'AGREEING'
  | 'AGREED'
  | 'VERIFYING'
  | 'VERIFIED'
  | 'FINALIZING'
  | 'FINALIZED'
  | 'TERMINATING'
  | 'TERMINATED';

/** EDC `ContractNegotiationStates` codes, as shown by the EDC Management API. */
export const NEGOTIATION_STATE_CODES: Readonly<Record<NegotiationState, number>> = {
  INITIAL: 50,
  REQUESTING: 100,
  REQUESTED: 200,
  OFFERING: 300,
  OFFERED: 400,
  ACCEPTING: 700,
  ACCEPTED: 800,
  AGREEING: 825,
  AGREED: 850,
  VERIFYING: 1050,
  VERIFIED: 1100,
  FINALIZING: 1150,
  FINALIZED: 1200,
  TERMINATING: 1300,
  TERMINATED: 1400,
};

export const NEGOTIATION_STATES = Object.keys(NEGOTIATION_STATE_CODES) as NegotiationState[];

/** The state named by an EDC code, or undefined. */
export function negotiationStateFromCode(code: number): NegotiationState | undefined {
  return NEGOTIATION_STATES.find((s) => NEGOTIATION_STATE_CODES[s] === code);
}

/** The protocol messages of a negotiation, by what they do. */
export type NegotiationMessageKind = 'request' | 'offer' | 'accepted' | 'agreement' | 'verification' | 'finalized' | 'termination';

/** A pseudo-state before the first message. */
export type GraphState = NegotiationDspState | 'START';

interface Edge {
  readonly from: GraphState;
  readonly kind: NegotiationMessageKind;
  readonly senders: readonly NegotiationRole[];
  readonly to: NegotiationDspState;
}

const C: readonly NegotiationRole[] = ['consumer'];
const P: readonly NegotiationRole[] = ['provider'];
const CP: readonly NegotiationRole[] = ['consumer', 'provider'];

/** The DSP contract negotiation state machine (docs/dsp.md "Negotiation"): the only legal transitions. */
export const NEGOTIATION_GRAPH: readonly Edge[] = [
  { from: 'START', kind: 'request', senders: C, to: 'REQUESTED' },
  { from: 'START', kind: 'offer', senders: P, to: 'OFFERED' },
  { from: 'REQUESTED', kind: 'offer', senders: P, to: 'OFFERED' },
  { from: 'REQUESTED', kind: 'agreement', senders: P, to: 'AGREED' },
  { from: 'REQUESTED', kind: 'termination', senders: CP, to: 'TERMINATED' },
  { from: 'OFFERED', kind: 'request', senders: C, to: 'REQUESTED' },
  { from: 'OFFERED', kind: 'accepted', senders: C, to: 'ACCEPTED' },
  { from: 'OFFERED', kind: 'termination', senders: CP, to: 'TERMINATED' },
  { from: 'ACCEPTED', kind: 'agreement', senders: P, to: 'AGREED' },
  { from: 'ACCEPTED', kind: 'termination', senders: P, to: 'TERMINATED' },
  { from: 'AGREED', kind: 'verification', senders: C, to: 'VERIFIED' },
  { from: 'AGREED', kind: 'termination', senders: C, to: 'TERMINATED' },
  { from: 'VERIFIED', kind: 'finalized', senders: P, to: 'FINALIZED' },
  { from: 'VERIFIED', kind: 'termination', senders: P, to: 'TERMINATED' },
];

/** The pending state we sit in while our own message of this kind is being delivered. */
export const PENDING_STATE: Readonly<Record<NegotiationMessageKind, NegotiationState>> = {
  request: 'REQUESTING',
  offer: 'OFFERING',
  accepted: 'ACCEPTING',
  agreement: 'AGREEING',
  verification: 'VERIFYING',
  finalized: 'FINALIZING',
  termination: 'TERMINATING',
};

const PENDING_TARGET: Partial<Record<NegotiationState, NegotiationDspState>> = {
  REQUESTING: 'REQUESTED',
  OFFERING: 'OFFERED',
  ACCEPTING: 'ACCEPTED',
  AGREEING: 'AGREED',
  VERIFYING: 'VERIFIED',
  FINALIZING: 'FINALIZED',
  TERMINATING: 'TERMINATED',
};

/** The DSP state a pending state reaches once the counter-party acknowledges our message. */
export function pendingTarget(state: NegotiationState): NegotiationDspState | undefined {
  return PENDING_TARGET[state];
}

export function isNegotiationTerminal(state: NegotiationState): boolean {
  return state === 'FINALIZED' || state === 'TERMINATED';
}

/**
 * The DSP states the counter-party may currently see: the settled state itself, or for a pending state both the
 * state it left and the state it is heading to (the counter-party may have processed our message before we saw the ACK).
 */
export function counterpartyViews(state: NegotiationState, pendingFrom: GraphState | undefined): readonly GraphState[] {
  const target = PENDING_TARGET[state];
  if (target !== undefined) return [pendingFrom ?? 'START', target];
  if (state === 'INITIAL') return ['START'];
  return [state as NegotiationDspState];
}

/** The graph edge allowing `kind` sent by `sender` from one of `views`, if any. */
export function findEdge(views: readonly GraphState[], kind: NegotiationMessageKind, sender: NegotiationRole): Edge | undefined {
  return NEGOTIATION_GRAPH.find((e) => views.includes(e.from) && e.kind === kind && e.senders.includes(sender));
}

/** Whether `role` may ever send `kind`. */
export function maySend(role: NegotiationRole, kind: NegotiationMessageKind): boolean {
  return NEGOTIATION_GRAPH.some((e) => e.kind === kind && e.senders.includes(role));
}

/**
 * The DSP state reported in ACKs and `GET` responses: a state is reached when the counter-party ACKs the message,
 * so a pending state reports the state it left (INITIAL/REQUESTING with nothing before report REQUESTED).
 */
export function negotiationDspState(state: NegotiationState, pendingFrom?: GraphState): NegotiationDspState {
  if (state === 'INITIAL') return 'REQUESTED';
  if (PENDING_TARGET[state] !== undefined) {
    return pendingFrom === undefined || pendingFrom === 'START' ? (state === 'OFFERING' ? 'OFFERED' : 'REQUESTED') : pendingFrom;
  }
  return state as NegotiationDspState;
}
