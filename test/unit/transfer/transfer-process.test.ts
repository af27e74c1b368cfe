// Transfer process entity: every legal DSP transition succeeds, every illegal one is refused, replays are no-ops.
import {
  createTransferProcessMachine,
  edcTransferStateName,
  transferAck,
  transferEdcState,
  transferFromRecord,
  transferToRecord,
  type TransferProcess,
  type TransferRole,
} from '../../../connector/transfer/transfer-process';
import type { TransferMessage, TransferRequestMessage } from '../../../connector/dsp/messages';
import { dspMessageFingerprint } from '../../../connector/dsp/message-id';

type Kind = 'start' | 'completion' | 'suspension' | 'termination' | 'request';
const KINDS: Kind[] = ['request', 'start', 'completion', 'suspension', 'termination'];
const EDR = { endpointType: 'https://w3id.org/idsa/v4.1/HTTP', endpointProperties: [{ name: 'https://w3id.org/edc/v0.0.1/ns/endpoint', value: 'https://p.example/pcf' }] };

const request: TransferRequestMessage = {
  type: 'TransferRequestMessage',
  consumerPid: 'urn:c:1',
  agreementId: 'urn:agreement:1',
  format: 'HttpData-PULL',
  callbackAddress: 'https://c.example/cb',
};

function message(kind: Kind): TransferMessage {
  const pids = { providerPid: 'urn:p:1', consumerPid: 'urn:c:1' };
  switch (kind) {
    case 'request':
      return request;
    case 'start':
      return { type: 'TransferStartMessage', ...pids, dataAddress: EDR };
    case 'completion':
      return { type: 'TransferCompletionMessage', ...pids };
    case 'suspension':
      return { type: 'TransferSuspensionMessage', ...pids, reason: ['maintenance'] };
    case 'termination':
      return { type: 'TransferTerminationMessage', ...pids, code: '1' };
  }
}

// docs/dsp.md §6 transfer table, written out independently: from → [kind, sender, to]. Two additions (as in EDC): a
// consumer's start (resume) leaves the provider STARTING until it has sent a fresh data address, and a STARTED consumer
// takes a provider's start message with a data address as a renewed EDR.
const LEGAL: Record<string, [Kind, TransferRole, string][]> = {
  REQUESTED: [['start', 'provider', 'STARTED'], ['termination', 'consumer', 'TERMINATED'], ['termination', 'provider', 'TERMINATED']],
  STARTED: [
    ['start', 'provider', 'STARTED'],
    ['completion', 'provider', 'COMPLETED'], ['completion', 'consumer', 'COMPLETED'],
    ['suspension', 'provider', 'SUSPENDED'], ['suspension', 'consumer', 'SUSPENDED'],
    ['termination', 'provider', 'TERMINATED'], ['termination', 'consumer', 'TERMINATED'],
  ],
  SUSPENDED: [['start', 'provider', 'STARTED'], ['start', 'consumer', 'STARTING'], ['termination', 'provider', 'TERMINATED'], ['termination', 'consumer', 'TERMINATED']],
  COMPLETED: [],
  TERMINATED: [],
};

let clock = new Date('2025-03-01T10:00:00Z');
const machine = createTransferProcessMachine({ now: () => clock });

function transferIn(state: string, role: TransferRole): TransferProcess {
  const r = transferFromRecord({
    id: role === 'provider' ? 'urn:p:1' : 'urn:c:1', tenantId: 't1', role, dialect: '2025-1', counterPartyId: 'did:web:peer',
    counterPartyAddress: 'https://c.example/cb', consumerPid: 'urn:c:1', providerPid: 'urn:p:1', agreementId: 'urn:agreement:1',
    format: 'HttpData-PULL', state, stateCount: 1, stateTimestamp: 0, createdAt: 0,
  });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

function value<T>(r: { ok: true; value: T } | { ok: false; message: string }): T {
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('TransferProcess inbound transitions', () => {
  const cases: [string, TransferRole, Kind, string | undefined][] = [];
  for (const state of Object.keys(LEGAL)) {
    for (const role of ['provider', 'consumer'] as TransferRole[]) {
      const sender: TransferRole = role === 'provider' ? 'consumer' : 'provider';
      for (const kind of KINDS) cases.push([state, role, kind, LEGAL[state]!.find(([k, s]) => k === kind && s === sender)?.[2]]);
    }
  }

  it.each(cases)('in %s the %s receiving %s → %s', (state, role, kind, expected) => {
    const msg = message(kind);
    const r = machine.receive(transferIn(state, role), msg, { messageId: dspMessageFingerprint(msg) });
    if (expected === undefined) {
      expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
    } else {
      expect(value(r).transfer.state).toBe(expected);
    }
  });

  it('stores the EDR of a start message and the reason of a termination', () => {
    const started = value(machine.receive(transferIn('REQUESTED', 'consumer'), message('start'), { messageId: 's' })).transfer;
    expect(started.dataAddress).toEqual(EDR);
    const ended = value(machine.receive(started, message('termination'), { messageId: 't' })).transfer;
    expect([ended.state, ended.errorDetail]).toEqual(['TERMINATED', 'terminated by counter-party: 1']);
  });

  it.each([
    ['TP:03-01 completion before start', 'REQUESTED', ['completion']],
    ['TP:03-02 suspension before start', 'REQUESTED', ['suspension']],
    ['TP:03-03 completion while suspended', 'STARTED', ['suspension', 'completion']],
    ['TP:03-04 start after termination', 'STARTED', ['termination', 'start']],
    ['TP:03-05 suspension after termination', 'STARTED', ['termination', 'suspension']],
    ['TP:03-06 completion after termination', 'STARTED', ['termination', 'completion']],
  ] as [string, string, Kind[]][])('refuses the TCK negative sequence %s from the consumer', (_name, state, kinds) => {
    let t = transferIn(state, 'provider');
    for (const [i, kind] of kinds.entries()) {
      const r = machine.receive(t, message(kind), { messageId: `m${i}` });
      if (i < kinds.length - 1) t = value(r).transfer;
      else expect(r).toMatchObject({ ok: false, reason: 'bad-request' });
    }
  });
});

describe('TransferProcess idempotency', () => {
  it('creates a provider process from a request and recognises a repeated request', () => {
    const t = machine.fromRequest({ id: 'urn:p:1', tenantId: 't1', dialect: '2025-1', counterPartyId: 'did:web:c' }, request, { messageId: dspMessageFingerprint(request) });
    expect(transferAck(t)).toEqual({ type: 'TransferProcess', providerPid: 'urn:p:1', consumerPid: 'urn:c:1', state: 'REQUESTED' });
    expect(machine.checkRepeatedRequest(t, request, 'did:web:c')).toEqual({ ok: true, value: 'repeat' });
    expect(machine.checkRepeatedRequest(t, { ...request, agreementId: 'urn:agreement:2' })).toMatchObject({ ok: false, reason: 'conflict' });
    expect(machine.checkRepeatedRequest(t, request, 'did:web:someone-else')).toMatchObject({ ok: false, reason: 'not-found' });
    const replay = machine.receive(t, request, { messageId: dspMessageFingerprint(request) });
    expect(value(replay)).toEqual({ transfer: t, duplicate: true });
  });

  it('applies the same start message twice as a no-op; a different one with a data address renews the EDR, one without is refused', () => {
    const msg = message('start');
    const once = value(machine.receive(transferIn('REQUESTED', 'consumer'), msg, { messageId: dspMessageFingerprint(msg) })).transfer;
    expect(value(machine.receive(once, msg, { messageId: dspMessageFingerprint(msg) })).duplicate).toBe(true);
    const other = { ...msg, dataAddress: { ...EDR, endpointType: 'other' } } as TransferMessage;
    const renewed = value(machine.receive(once, other, { messageId: dspMessageFingerprint(other) }));
    expect([renewed.duplicate, renewed.transfer.state, renewed.transfer.dataAddress?.endpointType, renewed.transfer.stateCount]).toEqual([false, 'STARTED', 'other', 2]);
    const bare = { type: 'TransferStartMessage', providerPid: 'urn:p:1', consumerPid: 'urn:c:1' } as TransferMessage;
    expect(machine.receive(once, bare, { messageId: dspMessageFingerprint(bare) })).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('a consumer\'s resume puts the provider in STARTING (its start message with a new EDR is pending); the ACK still says SUSPENDED', () => {
    const resume = { type: 'TransferStartMessage', providerPid: 'urn:p:1', consumerPid: 'urn:c:1' } as TransferMessage;
    const t = value(machine.receive(transferIn('SUSPENDED', 'provider'), resume, { messageId: 'r1' })).transfer;
    expect([t.state, t.pendingFrom, transferAck(t).state, t.lastMessageId]).toEqual(['STARTING', 'SUSPENDED', 'SUSPENDED', 'r1']);
    // The consumer may still change its mind while the provider's start message is pending …
    expect(value(machine.receive(t, message('termination'), { messageId: 't1' })).transfer.state).toBe('TERMINATED');
    // … and once it is acknowledged the provider is STARTED.
    expect(value(machine.acknowledged(t)).state).toBe('STARTED');
    // A STARTED provider does not take a start from the consumer.
    expect(machine.receive(transferIn('STARTED', 'provider'), resume, { messageId: 'r2' })).toMatchObject({ ok: false, reason: 'bad-request' });
  });

  it('answers messages for other pids as not found', () => {
    const other = { ...message('completion'), consumerPid: 'urn:c:2' } as TransferMessage;
    expect(machine.receive(transferIn('STARTED', 'provider'), other, { messageId: 'x' })).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('TransferProcess local transitions', () => {
  it('runs TP_C:02-04 on the consumer: request, provider started, consumer suspended, consumer started, consumer completed', () => {
    clock = new Date('2025-03-01T10:00:00Z');
    let t = machine.startAsConsumer({ id: 'urn:c:1', tenantId: 't1', dialect: '0.8', counterPartyId: 'BPNL000000000001', providerAddress: 'https://p.example/dsp', agreementId: 'urn:agreement:1', format: 'HttpData-PULL' });
    t = value(machine.send(t, 'request'));
    expect(transferAck(t).state).toBe('REQUESTED');
    t = value(machine.acknowledged(t, { providerPid: 'urn:p:1' }));
    t = value(machine.receive(t, message('start'), { messageId: 's1' })).transfer;
    expect(machine.send(t, 'start').ok).toBe(false);
    t = value(machine.send(t, 'suspension'));
    expect([t.state, transferAck(t).state]).toEqual(['SUSPENDING', 'STARTED']);
    t = value(machine.acknowledged(t));
    t = value(machine.send(t, 'start'));
    clock = new Date('2025-03-01T10:01:00Z');
    t = value(machine.acknowledged(t));
    expect([t.state, t.stateTimestamp]).toEqual(['STARTED', Date.parse('2025-03-01T10:01:00Z')]);
    t = value(machine.send(t, 'completion'));
    t = value(machine.acknowledged(t));
    expect(transferEdcState(t)).toEqual({ state: 'COMPLETED', code: 800 });
    expect(machine.send(t, 'termination').ok).toBe(false);
  });

  it('lets only the provider start a requested transfer', () => {
    expect(machine.send(transferIn('REQUESTED', 'consumer'), 'start').ok).toBe(false);
    const starting = value(machine.send(transferIn('REQUESTED', 'provider'), 'start', { dataAddress: EDR }));
    expect([starting.state, starting.dataAddress]).toEqual(['STARTING', EDR]);
    expect(machine.acknowledged(transferIn('STARTED', 'provider')).ok).toBe(false);
  });

  it('counts retries and fails locally', () => {
    const t = machine.retry(machine.retry(transferIn('STARTED', 'provider')));
    expect(t.stateCount).toBe(3);
    expect(value(machine.fail(t, 'token minting failed')).state).toBe('TERMINATED');
  });
});

describe('TransferProcess records and EDC codes', () => {
  it('round-trips a plain record and refuses malformed ones', () => {
    const t = { ...transferIn('STARTED', 'consumer'), dataAddress: EDR };
    expect(transferFromRecord(JSON.parse(JSON.stringify(transferToRecord(t))))).toEqual({ ok: true, value: t });
    expect(transferFromRecord({ ...t, state: 'PROVISIONING' }).ok).toBe(false);
    expect(transferFromRecord({ ...t, format: 3 }).ok).toBe(false);
  });

  it('names every EDC transfer code', () => {
    expect(edcTransferStateName(600)).toBe('STARTED');
    expect(edcTransferStateName(570)).toBe('STARTUP_REQUESTED');
    expect(edcTransferStateName(1)).toBeUndefined();
  });
});
