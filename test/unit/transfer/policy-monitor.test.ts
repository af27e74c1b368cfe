// policy.monitor: STARTED provider transfers whose agreement no longer holds are terminated with a reason; the rest stay.
import { ok } from '../../../connector/common/result';
import { createPolicyEngine, createCatenaXFunctions } from '../../../policies/index';
import { createPolicyMonitor } from '../../../connector/transfer/policy-monitor';
import type { TransferCommand } from '../../../connector/transfer/transfer-service';
import type { StoredTransfer } from '../../../connector/transfer/transfer-store';
import type { TenantTx } from '../../../connector/store/database';
import { agreement, agreementStore, fakeDb, startedTransfer, usagePolicyWith } from './usage-fixtures';

const END = '2025-06-01T00:00:00Z';
const engine = createPolicyEngine({ functions: createCatenaXFunctions() });

async function setUp(transfers: Record<string, StoredTransfer[]>, options: { broken?: string } = {}) {
  let clock = new Date('2025-05-31T23:59:59Z');
  const ending = await usagePolicyWith({ leftOperand: 'DataUsageEndDate', operator: 'eq', rightOperand: END });
  const relative = await usagePolicyWith({ leftOperand: 'DataUsageEndDurationDays', operator: 'eq', rightOperand: '365' });
  const agreements = agreementStore({
    supplier: [agreement('a-ending', ending), agreement('a-year', relative)],
    other: [agreement('a-ending', ending)],
  });
  const commands: { tenantId: string; id: string; command: TransferCommand; reason?: string; actor: string }[] = [];
  const errors: string[] = [];
  const monitor = createPolicyMonitor({
    db: fakeDb,
    transfers: {
      list(tx: TenantTx, where: Readonly<Record<string, string>>, offset: number, limit: number) {
        if (tx.tenantId === options.broken) return Promise.reject(new Error('database is on fire'));
        expect(where).toEqual({ role: 'provider', state: 'STARTED' });
        return Promise.resolve((transfers[tx.tenantId] ?? []).slice(offset, offset + limit));
      },
    },
    agreements,
    service: {
      command(tenantId, id, command, reason, actor) {
        commands.push({ tenantId, id, command, ...(reason !== undefined ? { reason } : {}), actor });
        return Promise.resolve(ok(startedTransfer(tenantId, id, 'x')));
      },
    },
    engine,
    now: () => clock,
    listTenants: () => Promise.resolve(Object.keys(transfers)),
    onError: (_err, context) => errors.push(context),
  });
  return { monitor, commands, errors, setClock: (d: string) => (clock = new Date(d)) };
}

describe('policy monitor', () => {
  it('leaves a transfer alone while its DataUsageEndDate holds and terminates it with the reason once the date has passed', async () => {
    const { monitor, commands, setClock } = await setUp({ supplier: [startedTransfer('supplier', 't-ending', 'a-ending'), startedTransfer('supplier', 't-year', 'a-year')] });
    expect(await monitor.runOnce()).toEqual([]);
    setClock(END);
    expect(await monitor.runOnce()).toEqual([]);
    expect(commands).toEqual([]);

    setClock('2025-06-01T00:00:00.001Z');
    expect(await monitor.runOnce()).toEqual(['t-ending']);
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ tenantId: 'supplier', id: 't-ending', command: 'termination', actor: 'system:policy-monitor' });
    expect(commands[0]?.reason).toMatch(/^policy no longer satisfied: .*end date 2025-06-01T00:00:00.000Z has passed/);
  });

  it('ends a transfer at the end of DataUsageEndDurationDays counted from the signing date', async () => {
    const { monitor, commands, setClock } = await setUp({ supplier: [startedTransfer('supplier', 't-year', 'a-year')] });
    setClock('2026-01-01T00:00:00Z');
    expect(await monitor.runOnce()).toEqual([]);
    setClock('2026-01-01T00:00:00.001Z');
    expect(await monitor.runOnce()).toEqual(['t-year']);
    expect(commands[0]?.reason).toContain('365 days after the agreement');
  });

  it('terminates a transfer whose agreement is gone', async () => {
    const { monitor, commands } = await setUp({ supplier: [startedTransfer('supplier', 't-orphan', 'a-missing')] });
    expect(await monitor.runOnce()).toEqual(['t-orphan']);
    expect(commands[0]).toMatchObject({ id: 't-orphan', command: 'termination', reason: 'agreement no longer exists' });
  });

  it('a failing tenant is reported and does not stop the others', async () => {
    const { monitor, errors, setClock } = await setUp(
      { broken: [startedTransfer('broken', 't-b', 'a-ending')], other: [startedTransfer('other', 't-o', 'a-ending')] },
      { broken: 'broken' },
    );
    setClock('2025-07-01T00:00:00Z');
    expect(await monitor.runOnce()).toEqual(['t-o']);
    expect(errors).toEqual(['policy-monitor: tenant broken']);
  });

  it('pages through more than one page of transfers', async () => {
    const many = Array.from({ length: 501 }, (_, i) => startedTransfer('supplier', `t-${i}`, i === 500 ? 'a-missing' : 'a-year'));
    const { monitor } = await setUp({ supplier: many });
    expect(await monitor.runOnce()).toEqual(['t-500']);
  });

  it('start runs a pass per interval and stop waits for the running pass', async () => {
    jest.useFakeTimers();
    try {
      const { monitor, commands } = await setUp({ supplier: [startedTransfer('supplier', 't-orphan', 'a-missing')] });
      monitor.start();
      monitor.start();
      await jest.advanceTimersByTimeAsync(59_999);
      expect(commands).toHaveLength(0);
      await jest.advanceTimersByTimeAsync(1);
      expect(commands).toHaveLength(1);
      await monitor.stop();
      await jest.advanceTimersByTimeAsync(120_000);
      expect(commands).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
