// Transfer process states (EDC names and codes), the DSP state graph and who may send which message.
import type { TransferDspState } from '../dsp/messages';

export type TransferRole = 'provider' | 'consumer';

/** Internal states: the DSP states plus the EDC "-ING" states in which our own message is pending. */
export type TransferState =
  | 'INITIAL'
  | 'REQUESTING'
  | 'REQUESTED'
  | 'STARTING'
  | 'STARTED'
  | 'SUSPENDING'
  | 'SUSPENDED'
  | 'COMPLETING'
  | 'COMPLETED'
  | 'TERMINATING'
  | 'TERMINATED';

/** Every EDC `TransferProcessStates` name and code (the EDC Management API shows these). */
export const EDC_TRANSFER_STATE_CODES: Readonly<Record<string, number>> = {
  INITIAL: 100,
  PROVISIONING: 200,
  PREPARATION_REQUESTED: 250,
  PROVISIONED: 300,
  REQUESTING: 400,
  REQUESTED: 500,
  STARTING: 550,
  STARTUP_REQUESTED: 570,
  STARTED: 600,
  SUSPENDING: 650,
  SUSPENDING_REQUESTED: 675,
  SUSPENDED: 700,
  RESUMING: 720,
  RESUMED: 725,
  COMPLETING: 750,
  COMPLETING_REQUESTED: 775,
  COMPLETED: 800,
  TERMINATING: 825,
  TERMINATING_REQUESTED: 840,
  TERMINATED: 850,
  DEPROVISIONING: 900,
  DEPROVISIONING_REQUESTED: 950,
  DEPROVISIONED: 1000,
};

export const TRANSFER_STATES: readonly TransferState[] = [
  'INITIAL', 'REQUESTING', 'REQUESTED', 'STARTING', 'STARTED', 'SUSPENDING', 'SUSPENDED', 'COMPLETING', 'COMPLETED', 'TERMINATING', 'TERMINATED',
];

/** The EDC code of one of our states. */
export function transferStateCode(state: TransferState): number {
  return EDC_TRANSFER_STATE_CODES[state] as number;
}

/** The EDC state name for a code (any EDC state, including ones this connector does not use), or undefined. */
export function edcTransferStateName(code: number): string | undefined {
  return Object.keys(EDC_TRANSFER_STATE_CODES).find((name) => EDC_TRANSFER_STATE_CODES[name] === code);
}

export type TransferMessageKind = 'request' | 'start' | 'completion' | 'suspension' | 'termination';

export type TransferGraphState = TransferDspState | 'START';

interface Edge {
  readonly from: TransferGraphState;
  readonly kind: TransferMessageKind;
  readonly senders: readonly TransferRole[];
  readonly to: TransferDspState;
}

const C: readonly TransferRole[] = ['consumer'];
const P: readonly TransferRole[] = ['provider'];
const CP: readonly TransferRole[] = ['consumer', 'provider'];

/** The DSP transfer process state machine (docs/dsp.md "Transfer"): the only legal transitions. */
export const TRANSFER_GRAPH: readonly Edge[] = [
  { from: 'START', kind: 'request', senders: C, to: 'REQUESTED' },
  { from: 'REQUESTED', kind: 'start', senders: P, to: 'STARTED' },
  { from: 'REQUESTED', kind: 'termination', senders: CP, to: 'TERMINATED' },
  { from: 'STARTED', kind: 'completion', senders: CP, to: 'COMPLETED' },
  { from: 'STARTED', kind: 'suspension', senders: CP, to: 'SUSPENDED' },
  { from: 'STARTED', kind: 'termination', senders: CP, to: 'TERMINATED' },
  { from: 'SUSPENDED', kind: 'start', senders: CP, to: 'STARTED' },
  { from: 'SUSPENDED', kind: 'termination', senders: CP, to: 'TERMINATED' },
];

export const TRANSFER_PENDING_STATE: Readonly<Record<TransferMessageKind, TransferState>> = {
  request: 'REQUESTING',
  start: 'STARTING',
  completion: 'COMPLETING',
  suspension: 'SUSPENDING',
  termination: 'TERMINATING',
};

const PENDING_TARGET: Partial<Record<TransferState, TransferDspState>> = {
  REQUESTING: 'REQUESTED',
  STARTING: 'STARTED',
  COMPLETING: 'COMPLETED',
  SUSPENDING: 'SUSPENDED',
  TERMINATING: 'TERMINATED',
};

export function transferPendingTarget(state: TransferState): TransferDspState | undefined {
  return PENDING_TARGET[state];
}

export function isTransferTerminal(state: TransferState): boolean {
  return state === 'COMPLETED' || state === 'TERMINATED';
}

/** DSP states the counter-party may see now (for a pending state: the state left and the one heading to). */
export function transferCounterpartyViews(state: TransferState, pendingFrom: TransferGraphState | undefined): readonly TransferGraphState[] {
  const target = PENDING_TARGET[state];
  if (target !== undefined) return [pendingFrom ?? 'START', target];
  if (state === 'INITIAL') return ['START'];
  return [state as TransferDspState];
}

export function findTransferEdge(views: readonly TransferGraphState[], kind: TransferMessageKind, sender: TransferRole): Edge | undefined {
  return TRANSFER_GRAPH.find((e) => views.includes(e.from) && e.kind === kind && e.senders.includes(sender));
}

export function mayEverSend(role: TransferRole, kind: TransferMessageKind): boolean {
  return TRANSFER_GRAPH.some((e) => e.kind === kind && e.senders.includes(role));
}

/** The DSP state for ACKs and `GET`: a pending state reports the state it left (the target is reached on ACK). */
export function transferDspState(state: TransferState, pendingFrom?: TransferGraphState): TransferDspState {
  if (state === 'INITIAL') return 'REQUESTED';
  if (PENDING_TARGET[state] !== undefined) return pendingFrom === undefined || pendingFrom === 'START' ? 'REQUESTED' : pendingFrom;
  return state as TransferDspState;
}
