// Data-plane access: token, liveness, and the agreement's time-bound usage terms, cached until the verdict can change.
import { ok } from '../../../connector/common/result';
import { verifyFailure, type DataPlaneTokenVerifier, type VerifiedDataPlaneToken } from '../../../connector/credentials/token-verifier';
import { createDataPlaneAccessVerifier } from '../../../connector/transfer/data-plane-access';
import type { LivenessAnswer } from '../../../connector/transfer/transfer-liveness';
import { createUsagePolicyGuard, nextVerdictChange } from '../../../connector/transfer/usage-policy-guard';
import { agreement, agreementStore, fakeDb, usagePolicyWith } from './usage-fixtures';

const END = '2025-06-01T00:00:00Z';
const SIGNED = Date.parse('2025-01-01T00:00:00Z');

describe('nextVerdictChange', () => {
  it('is the end date, then the millisecond after it, then nothing; relative dates count from the signing date; the TTL-free policy has none', async () => {
    const ending = await usagePolicyWith({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: END });
    expect(nextVerdictChange(ending, new Date(SIGNED), new Date('2025-05-01T00:00:00Z'))).toBe(Date.parse(END));
    expect(nextVerdictChange(ending, new Date(SIGNED), new Date(END))).toBe(Date.parse(END) + 1);
    expect(nextVerdictChange(ending, new Date(SIGNED), new Date(Date.parse(END) + 1))).toBeUndefined();
    const relative = await usagePolicyWith({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: 'contractAgreement + 10s' });
    expect(nextVerdictChange(relative, new Date(SIGNED), new Date(SIGNED))).toBe(SIGNED + 10_000);
    const days = await usagePolicyWith({ leftOperand: 'DataUsageEndDurationDays', operator: 'eq', rightOperand: '2' });
    expect(nextVerdictChange(days, new Date(SIGNED), new Date(SIGNED))).toBe(SIGNED + 2 * 86_400_000);
    expect(nextVerdictChange(await usagePolicyWith(), new Date(SIGNED), new Date(SIGNED))).toBeUndefined();
  });
});

describe('usage policy guard', () => {
  async function guardOver(clock: { now: Date }) {
    const ending = await usagePolicyWith({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: END });
    const store = agreementStore({ supplier: [agreement('a-ending', ending), agreement('a-open', await usagePolicyWith())] });
    const guard = createUsagePolicyGuard({ db: fakeDb, agreements: store, now: () => clock.now, ttlMs: 60_000 });
    return { guard, store };
  }

  it('allows before the end date, refuses after it, and reads the agreement again only when the verdict can have changed', async () => {
    const clock = { now: new Date('2025-05-31T23:59:00Z') };
    const { guard, store } = await guardOver(clock);
    expect(await guard.check('supplier', 'a-ending')).toEqual({ allowed: true });
    clock.now = new Date('2025-05-31T23:59:59.999Z');
    expect(await guard.check('supplier', 'a-ending')).toEqual({ allowed: true });
    expect(store.reads).toBe(1);
    clock.now = new Date(END);
    expect(await guard.check('supplier', 'a-ending')).toEqual({ allowed: true });
    expect(store.reads).toBe(2);
    clock.now = new Date(Date.parse(END) + 1);
    const after = await guard.check('supplier', 'a-ending');
    expect(after).toMatchObject({ allowed: false });
    expect(after.allowed ? '' : after.reason).toContain('end date 2025-06-01T00:00:00.000Z has passed');
    expect(store.reads).toBe(3);
  });

  it('reuses a verdict without dates for the TTL at most; an unknown agreement or another tenant\'s is refused', async () => {
    const clock = { now: new Date('2025-05-01T00:00:00Z') };
    const { guard, store } = await guardOver(clock);
    expect(await guard.check('supplier', 'a-open')).toEqual({ allowed: true });
    clock.now = new Date(clock.now.getTime() + 59_999);
    await guard.check('supplier', 'a-open');
    expect(store.reads).toBe(1);
    clock.now = new Date(clock.now.getTime() + 1);
    await guard.check('supplier', 'a-open');
    expect(store.reads).toBe(2);
    expect(await guard.check('supplier', 'a-missing')).toEqual({ allowed: false, reason: 'agreement no longer exists' });
    expect(await guard.check('other', 'a-open')).toEqual({ allowed: false, reason: 'agreement no longer exists' });
  });
});

describe('data-plane access verifier', () => {
  const token: VerifiedDataPlaneToken = {
    tenantId: 'supplier', issuer: 'i', subject: 's', expiresAt: new Date('2030-01-01T00:00:00Z'), binding: { kind: 'jti', value: 'jti-1' },
    tokenHash: 'h', agreementId: 'a-from-token', transferId: 't-from-token', consumer: { did: 'did:web:oem' }, scopes: [], kind: 'local',
  };
  const tokens = (valid: boolean): DataPlaneTokenVerifier => ({ verify: () => Promise.resolve(valid ? ok(token) : verifyFailure('expired', 'token expired')) });
  const liveness = (answer: LivenessAnswer) => ({ isLive: () => Promise.resolve(answer) });

  async function verifierAt(now: string, answer: LivenessAnswer, valid = true) {
    const ending = await usagePolicyWith({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: END });
    const usage = createUsagePolicyGuard({ db: fakeDb, agreements: agreementStore({ supplier: [agreement('a-ending', ending)] }), now: () => new Date(now) });
    return createDataPlaneAccessVerifier({ tokens: tokens(valid), liveness: liveness(answer), usage });
  }

  it('passes a valid token of a running transfer whose agreement holds, with the transfer\'s agreement, transfer and BPN', async () => {
    const v = await verifierAt('2025-05-01T00:00:00Z', { live: true, agreementId: 'a-ending', transferId: 't-1', consumerBpn: 'BPNL000000000OEM' });
    const r = await v.verify('supplier', 'tok');
    expect(r.ok && [r.value.agreementId, r.value.transferId, r.value.consumer]).toEqual(['a-ending', 't-1', { did: 'did:web:oem', bpn: 'BPNL000000000OEM' }]);
  });

  it('refuses once the agreement\'s end date has passed with reason forbidden (→ PACT AccessDenied), although the transfer still runs', async () => {
    const v = await verifierAt('2025-06-02T00:00:00Z', { live: true, agreementId: 'a-ending', transferId: 't-1' });
    const r = await v.verify('supplier', 'tok');
    expect(r).toMatchObject({ ok: false, reason: 'forbidden' });
    expect(r.ok ? '' : r.message).toContain('has passed');
  });

  it('keeps the token\'s own refusal and refuses a token whose transfer is not running as invalid', async () => {
    expect(await (await verifierAt('2025-05-01T00:00:00Z', { live: true, agreementId: 'a-ending' }, false)).verify('supplier', 'tok')).toMatchObject({ ok: false, code: 'expired', reason: 'unauthorized' });
    expect(await (await verifierAt('2025-05-01T00:00:00Z', { live: false })).verify('supplier', 'tok')).toMatchObject({ ok: false, code: 'invalid', reason: 'unauthorized' });
  });
});
