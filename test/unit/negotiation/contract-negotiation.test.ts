// Contract negotiation entity: every legal DSP transition succeeds, every illegal one is refused, replays are no-ops.
import {
  createContractNegotiationMachine,
  negotiationAck,
  negotiationEdcState,
  negotiationFromRecord,
  negotiationToRecord,
  negotiationStateFromCode,
  type ContractNegotiation,
  type NegotiationRole,
} from '../../../connector/negotiation/contract-negotiation';
import { decodeContractId, encodeContractId } from '../../../connector/negotiation/contract-ids';
import type { NegotiationMessage } from '../../../connector/dsp/messages';
import { dspMessageFingerprint } from '../../../connector/dsp/message-id';

const ODRL = 'http://www.w3.org/ns/odrl/2/';
const offerNode = { '@id': 'urn:offer:1', '@type': [`${ODRL}Offer`], [`${ODRL}target`]: [{ '@id': 'urn:asset:1' }], [`${ODRL}permission`]: [{ [`${ODRL}action`]: [{ '@id': `${ODRL}use` }] }] };
const agreementNode = { ...offerNode, '@id': 'urn:agreement:1', '@type': [`${ODRL}Agreement`] };

type Kind = 'request' | 'offer' | 'accepted' | 'agreement' | 'verification' | 'finalized' | 'termination';
const KINDS: Kind[] = ['request', 'offer', 'accepted', 'agreement', 'verification', 'finalized', 'termination'];

function message(kind: Kind, extra = ''): NegotiationMessage {
  const pids = { providerPid: 'urn:p:1', consumerPid: 'urn:c:1' };
  switch (kind) {
    case 'request':
      return { type: 'ContractRequestMessage', ...pids, offer: { ...offerNode, '@id': `urn:offer:${extra}1` } };
    case 'offer':
      return { type: 'ContractOfferMessage', ...pids, offer: { ...offerNode, '@id': `urn:offer:${extra}2` } };
    case 'accepted':
      return { type: 'ContractNegotiationEventMessage', ...pids, eventType: 'ACCEPTED' };
    case 'agreement':
      return { type: 'ContractAgreementMessage', ...pids, agreement: agreementNode };
    case 'verification':
      return { type: 'ContractAgreementVerificationMessage', ...pids };
    case 'finalized':
      return { type: 'ContractNegotiationEventMessage', ...pids, eventType: 'FINALIZED' };
    case 'termination':
      return { type: 'ContractNegotiationTerminationMessage', ...pids, code: '7', reason: [`no ${extra}`] };
  }
}

// The table of docs/dsp.md §6, written out independently of the implementation: from → [kind, sender, to].
const LEGAL: Record<string, [Kind, NegotiationRole, string][]> = {
  REQUESTED: [['offer', 'provider', 'OFFERED'], ['agreement', 'provider', 'AGREED'], ['termination', 'consumer', 'TERMINATED'], ['termination', 'provider', 'TERMINATED']],
  OFFERED: [['request', 'consumer', 'REQUESTED'], ['accepted', 'consumer', 'ACCEPTED'], ['termination', 'consumer', 'TERMINATED'], ['termination', 'provider', 'TERMINATED']],
  ACCEPTED: [['agreement', 'provider', 'AGREED'], ['termination', 'provider', 'TERMINATED']],
  AGREED: [['verification', 'consumer', 'VERIFIED'], ['termination', 'consumer', 'TERMINATED']],
  VERIFIED: [['finalized', 'provider', 'FINALIZED'], ['termination', 'provider', 'TERMINATED']],
  FINALIZED: [],
  TERMINATED: [],
};

let clock = new Date('2025-03-01T10:00:00Z');
const machine = createContractNegotiationMachine({ now: () => clock });

function negotiationIn(state: string, role: NegotiationRole): ContractNegotiation {
  const r = negotiationFromRecord({
    id: role === 'provider' ? 'urn:p:1' : 'urn:c:1',
    tenantId: 't1',
    role,
    dialect: '2025-1',
    counterPartyId: 'did:web:peer',
    counterPartyAddress: 'https://peer.example/dsp',
    consumerPid: 'urn:c:1',
    providerPid: 'urn:p:1',
    state,
    stateCount: 1,
    stateTimestamp: 0,
    createdAt: 0,
  });
  if (!r.ok) throw new Error(r.message);
  return r.value;
}

describe('ContractNegotiation inbound transitions', () => {
  const cases: [string, NegotiationRole, Kind, string | undefined][] = [];
  for (const state of Object.keys(LEGAL)) {
    for (const role of ['provider', 'consumer'] as NegotiationRole[]) {
      const sender: NegotiationRole = role === 'provider' ? 'consumer' : 'provider';
      for (const kind of KINDS) {
        const edge = LEGAL[state]!.find(([k, s]) => k === kind && s === sender);
        cases.push([state, role, kind, edge?.[2]]);
      }
    }
  }

  it.each(cases)('in %s the %s receiving %s → %s', (state, role, kind, expected) => {
    const n = negotiationIn(state, role);
    const msg = message(kind);
    const r = machine.receive(n, msg, { messageId: dspMessageFingerprint(msg) });
    if (expected === undefined) {
      expect(r.ok).toBe(false);
      expect(!r.ok && r.reason).toBe('bad-request');
    } else {
      if (!r.ok) throw new Error(r.message);
      expect(r.value.negotiation.state).toBe(expected);
      expect(r.value.duplicate).toBe(false);
      expect(r.value.negotiation.lastMessageId).toBe(dspMessageFingerprint(msg));
    }
  });

  it('records the offer, the agreement and the termination reason', () => {
    const req = machine.receive(negotiationIn('OFFERED', 'provider'), message('request'), { messageId: 'm1' });
    expect(req.ok && [req.value.negotiation.offerId, req.value.negotiation.assetId]).toEqual(['urn:offer:1', 'urn:asset:1']);
    const agreed = machine.receive(negotiationIn('REQUESTED', 'consumer'), message('agreement'), { messageId: 'm2' });
    expect(agreed.ok && agreed.value.negotiation.agreementId).toBe('urn:agreement:1');
    expect(agreed.ok && agreed.value.negotiation.agreementPolicy).toEqual(agreementNode);
    const term = machine.receive(negotiationIn('REQUESTED', 'consumer'), message('termination', 'deal'), { messageId: 'm3' });
    expect(term.ok && term.value.negotiation.errorDetail).toBe('terminated by counter-party: 7: no deal');
  });

  it('names the sender rule when a party sends what only the other may send', () => {
    const r = machine.receive(negotiationIn('OFFERED', 'consumer'), message('accepted'), { messageId: 'x' });
    expect(!r.ok && r.message).toBe('a provider may not send ContractNegotiationEventMessage(ACCEPTED)');
  });
});

describe('ContractNegotiation idempotency and identity', () => {
  it('treats the same message applied twice as a no-op', () => {
    const msg = message('verification');
    const first = machine.receive(negotiationIn('AGREED', 'provider'), msg, { messageId: dspMessageFingerprint(msg) });
    if (!first.ok) throw new Error(first.message);
    const again = machine.receive(first.value.negotiation, msg, { messageId: dspMessageFingerprint(msg) });
    expect(again.ok && again.value).toEqual({ negotiation: first.value.negotiation, duplicate: true });
    // A different message in the same state is judged on its own (verification is no longer legal).
    const other = machine.receive(first.value.negotiation, message('termination'), { messageId: 'other' });
    expect(other.ok).toBe(false);
  });

  it('detects a replayed initial request', () => {
    const req = message('request') as Extract<NegotiationMessage, { type: 'ContractRequestMessage' }>;
    const { providerPid: _p, ...initial } = { ...req, callbackAddress: 'https://consumer.example/cb' };
    void _p;
    const id = dspMessageFingerprint(initial);
    const created = machine.fromInitialRequest({ id: 'urn:p:9', tenantId: 't1', dialect: '2025-1', counterPartyId: 'did:web:c', counterPartyAddress: '' }, initial, { messageId: id });
    if (!created.ok) throw new Error(created.message);
    expect(created.value).toMatchObject({ state: 'REQUESTED', role: 'provider', providerPid: 'urn:p:9', consumerPid: 'urn:c:1', counterPartyAddress: 'https://consumer.example/cb' });
    const replay = machine.receive(created.value, initial, { messageId: id });
    expect(replay.ok && replay.value.duplicate).toBe(true);
    expect(machine.fromInitialRequest({ id: 'x', tenantId: 't1', dialect: '2025-1', counterPartyId: 'c', counterPartyAddress: '' }, req, { messageId: 'y' }).ok).toBe(false);
  });

  it('hides negotiations of other parties and other pids as not found', () => {
    const n = negotiationIn('REQUESTED', 'provider');
    expect(machine.receive(n, message('termination'), { messageId: 'a', senderId: 'did:web:intruder' })).toMatchObject({ ok: false, reason: 'not-found' });
    const wrongPid = { ...message('termination'), consumerPid: 'urn:c:other' } as NegotiationMessage;
    expect(machine.receive(n, wrongPid, { messageId: 'b' })).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('ContractNegotiation local transitions', () => {
  it('runs the provider happy path (TCK CN:01-03) with pending states, ACKs and the injected clock', () => {
    clock = new Date('2025-03-01T10:00:00Z');
    const init = { id: 'urn:p:1', tenantId: 't1', dialect: '2025-1' as const, counterPartyId: 'did:web:c', counterPartyAddress: '' };
    const initial = { type: 'ContractRequestMessage' as const, consumerPid: 'urn:c:1', callbackAddress: 'https://c.example/cb', offer: offerNode };
    let n = (machine.fromInitialRequest(init, initial, { messageId: 'r' }) as { value: ContractNegotiation }).value;
    const step = (r: { ok: boolean; value?: ContractNegotiation; message?: string }): ContractNegotiation => {
      if (!r.ok || r.value === undefined) throw new Error(r.message);
      return r.value;
    };
    n = step(machine.send(n, 'offer'));
    expect([n.state, negotiationAck(n).state]).toEqual(['OFFERING', 'REQUESTED']);
    clock = new Date('2025-03-01T10:00:05Z');
    n = step(machine.acknowledged(n));
    expect([n.state, n.stateTimestamp]).toEqual(['OFFERED', Date.parse('2025-03-01T10:00:05Z')]);
    const accepted = machine.receive(n, message('accepted'), { messageId: 'a' });
    n = (accepted as { value: { negotiation: ContractNegotiation } }).value.negotiation;
    expect(n.state).toBe('ACCEPTED');
    n = step(machine.send(n, 'agreement', { agreementId: 'urn:agreement:1', agreementPolicy: agreementNode }));
    expect(n.state).toBe('AGREEING');
    expect(machine.send(n, 'agreement').ok).toBe(false);
    n = machine.retry(n);
    expect(n.stateCount).toBe(2);
    n = step(machine.acknowledged(n));
    expect([n.state, n.stateCount, n.agreementId]).toEqual(['AGREED', 1, 'urn:agreement:1']);
    n = (machine.receive(n, message('verification'), { messageId: 'v' }) as { value: { negotiation: ContractNegotiation } }).value.negotiation;
    n = step(machine.send(n, 'finalized'));
    n = step(machine.acknowledged(n));
    expect(negotiationEdcState(n)).toEqual({ state: 'FINALIZED', code: 1200 });
    expect(machine.send(n, 'termination').ok).toBe(false);
    expect(machine.fail(n, 'x').ok).toBe(false);
  });

  it('runs the consumer path and learns the providerPid from the ACK', () => {
    let n = machine.startAsConsumer({ id: 'urn:c:1', tenantId: 't1', dialect: '2024-1', counterPartyId: 'did:web:p', counterPartyAddress: 'https://p.example/dsp', offerId: 'urn:offer:1' });
    expect([n.state, n.consumerPid, n.providerPid]).toEqual(['INITIAL', 'urn:c:1', undefined]);
    expect(machine.send(n, 'verification').ok).toBe(false);
    n = (machine.send(n, 'request') as { value: ContractNegotiation }).value;
    n = (machine.acknowledged(n, { providerPid: 'urn:p:1' }) as { value: ContractNegotiation }).value;
    expect([n.state, n.providerPid]).toEqual(['REQUESTED', 'urn:p:1']);
    // A consumer may terminate in REQUESTED but may not accept before an offer.
    expect(machine.send(n, 'accepted').ok).toBe(false);
    expect((machine.send(n, 'termination') as { value: ContractNegotiation }).value.state).toBe('TERMINATING');
  });

  it('runs a provider-initiated offer: OFFERING, the consumerPid comes with the ACK, then the consumer accepts', () => {
    let n = machine.startAsProvider({ id: 'urn:p:1', tenantId: 't1', dialect: '2025-1', counterPartyId: 'did:web:c', counterPartyAddress: 'https://c.example/dsp/callback', offerId: 'urn:offer:1' });
    expect([n.state, n.consumerPid, n.providerPid]).toEqual(['INITIAL', '', 'urn:p:1']);
    expect(machine.send(n, 'agreement').ok).toBe(false);
    n = (machine.send(n, 'offer') as { value: ContractNegotiation }).value;
    expect(negotiationAck(n).state).toBe('OFFERED');
    n = (machine.acknowledged(n, { consumerPid: 'urn:c:1', providerPid: 'urn:other' }) as { value: ContractNegotiation }).value;
    expect([n.state, n.consumerPid, n.providerPid]).toEqual(['OFFERED', 'urn:c:1', 'urn:p:1']);
    // A later ACK never rewrites a known consumerPid.
    const agreed = (machine.receive(n, message('accepted'), { messageId: 'm1', senderId: 'did:web:c' }) as { value: { negotiation: ContractNegotiation } }).value.negotiation;
    expect(agreed.state).toBe('ACCEPTED');
    const pending = (machine.send(agreed, 'agreement') as { value: ContractNegotiation }).value;
    expect((machine.acknowledged(pending, { consumerPid: 'urn:c:2' }) as { value: ContractNegotiation }).value.consumerPid).toBe('urn:c:1');
  });

  it('lets a provider counter-offer only from REQUESTED and a consumer counter-request only from OFFERED', () => {
    expect((machine.send(negotiationIn('REQUESTED', 'provider'), 'offer') as { value: ContractNegotiation }).value.state).toBe('OFFERING');
    expect(machine.send(negotiationIn('OFFERED', 'provider'), 'offer').ok).toBe(false);
    expect(machine.send(negotiationIn('ACCEPTED', 'provider'), 'offer').ok).toBe(false);
    expect((machine.send(negotiationIn('OFFERED', 'consumer'), 'request') as { value: ContractNegotiation }).value.state).toBe('REQUESTING');
    expect(machine.send(negotiationIn('REQUESTED', 'consumer'), 'request').ok).toBe(false);
    expect(machine.send(negotiationIn('OFFERED', 'consumer'), 'offer').ok).toBe(false);
  });

  it('accepts counter-party messages that race our pending message (views of a pending state)', () => {
    const c = negotiationIn('OFFERED', 'consumer');
    const accepting = (machine.send(c, 'accepted') as { value: ContractNegotiation }).value;
    // The provider processed ACCEPTED before our ACK arrived and already agreed.
    const r = machine.receive(accepting, message('agreement'), { messageId: 'ag' });
    expect(r.ok && r.value.negotiation.state).toBe('AGREED');
    // The provider may terminate in OFFERED and in ACCEPTED, so its termination is legal either way.
    expect(machine.receive(accepting, message('termination'), { messageId: 't' }).ok).toBe(true);
    // And a FINALIZED event is never legal before verification.
    expect(machine.receive(accepting, message('finalized'), { messageId: 'f' }).ok).toBe(false);
  });

  it('ends both-sides terminations and local failures in TERMINATED', () => {
    const terminating = (machine.send(negotiationIn('REQUESTED', 'provider'), 'termination') as { value: ContractNegotiation }).value;
    const r = machine.receive(terminating, message('termination'), { messageId: 'tt' });
    expect(r.ok && r.value.negotiation.state).toBe('TERMINATED');
    const failed = machine.fail(negotiationIn('AGREED', 'consumer'), 'provider unreachable after 5 attempts');
    expect(failed.ok && [failed.value.state, failed.value.errorDetail]).toEqual(['TERMINATED', 'provider unreachable after 5 attempts']);
  });
});

describe('ContractNegotiation records, EDC codes and ids', () => {
  it('round-trips through a plain record and refuses malformed ones', () => {
    const n = negotiationIn('AGREED', 'consumer');
    const record = JSON.parse(JSON.stringify(negotiationToRecord(n))) as unknown;
    expect(negotiationFromRecord(record)).toEqual({ ok: true, value: n });
    expect(negotiationFromRecord({ ...(record as object), state: 'DANCING' }).ok).toBe(false);
    expect(negotiationFromRecord({ ...(record as object), stateCount: '1' }).ok).toBe(false);
    expect(negotiationFromRecord('x').ok).toBe(false);
  });

  it('maps EDC state codes', () => {
    expect(negotiationStateFromCode(850)).toBe('AGREED');
    expect(negotiationStateFromCode(1400)).toBe('TERMINATED');
    expect(negotiationStateFromCode(1)).toBeUndefined();
  });

  it('encodes and decodes EDC-style contract ids', () => {
    const id = encodeContractId('def-1', 'asset:pcf/1', '3f2a');
    expect(id).toBe(`${Buffer.from('def-1').toString('base64')}:${Buffer.from('asset:pcf/1').toString('base64')}:${Buffer.from('3f2a').toString('base64')}`);
    expect(decodeContractId(id)).toEqual({ ok: true, value: { definitionId: 'def-1', assetId: 'asset:pcf/1', uuid: '3f2a' } });
    expect(decodeContractId(encodeContractId('d', 'a')).ok).toBe(true);
    expect(decodeContractId('urn:uuid:1234').ok).toBe(false);
    expect(decodeContractId('a:b').ok).toBe(false);
    expect(decodeContractId('YQ==:!!!:YQ==').ok).toBe(false);
  });
});
