// Tests: the copies of process rows this runtime committed last — newest version wins, saves in flight are waited for, bounded size.
import { isConcurrentChange, type StoredProcess } from '../../../connector/negotiation/process-table';
import { createRecentProcesses, onCopy, STALE_COPY } from '../../../connector/negotiation/recent-processes';

interface Entity { readonly id: string; readonly tenantId: string; readonly state: string }
const row = (id: string, version: number, state = 'REQUESTED', tenantId = 't1'): StoredProcess<Entity> => ({ entity: { id, tenantId, state }, version, extra: {} });

/** A promise settled from outside. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => { resolve = ok; reject = fail; });
  return { promise, resolve, reject };
}

describe('recent process rows', () => {
  it('keeps the newest committed version per tenant and id, and nothing of a final row', async () => {
    const recent = createRecentProcesses<Entity>({ isFinal: (e) => e.state === 'TERMINATED' });
    recent.committed(row('a', 3));
    recent.committed(row('a', 2, 'OLDER'));
    expect(await recent.current('t1', 'a')).toEqual(row('a', 3));
    expect(await recent.current('t2', 'a')).toBeUndefined();
    recent.committed(row('a', 4, 'TERMINATED'));
    expect(await recent.current('t1', 'a')).toBeUndefined();
    recent.committed(row('b', 1));
    recent.forget('t1', 'b');
    expect(await recent.current('t1', 'b')).toBeUndefined();
    expect(recent.count()).toBe(0);
    // An erased tenant's rows go; another tenant's (even one whose id starts alike) stay.
    recent.committed(row('c', 1, 'REQUESTED', 't1'));
    recent.committed(row('c', 1, 'REQUESTED', 't10'));
    recent.forgetTenant('t1');
    expect(await recent.current('t1', 'c')).toBeUndefined();
    expect(await recent.current('t10', 'c')).toEqual(row('c', 1, 'REQUESTED', 't10'));
  });

  it('holds at most maxEntries rows, dropping the least recently committed', async () => {
    const recent = createRecentProcesses<Entity>({ maxEntries: 2 });
    recent.committed(row('a', 1));
    recent.committed(row('b', 1));
    recent.committed(row('a', 2));
    recent.committed(row('c', 1));
    expect(recent.count()).toBe(2);
    expect(await recent.current('t1', 'b')).toBeUndefined();
    expect((await recent.current('t1', 'a'))?.version).toBe(2);
    expect((await recent.current('t1', 'c'))?.version).toBe(1);
  });

  it('answers after a save in flight has settled: with its row, or with nothing when it was stale or failed', async () => {
    const recent = createRecentProcesses<Entity>();
    recent.committed(row('a', 1));
    const save = deferred<StoredProcess<Entity> | undefined>();
    const saving = recent.saving('t1', 'a', save.promise);
    let answered: StoredProcess<Entity> | undefined | 'pending' = 'pending';
    const reading = recent.current('t1', 'a').then((r) => { answered = r; });
    await new Promise((r) => setImmediate(r));
    expect(answered).toBe('pending');
    save.resolve(row('a', 2, 'AGREED'));
    await reading;
    expect(answered).toEqual(row('a', 2, 'AGREED'));
    expect(await saving).toEqual(row('a', 2, 'AGREED'));

    const stale = deferred<StoredProcess<Entity> | undefined>();
    void recent.saving('t1', 'a', stale.promise);
    stale.resolve(undefined);
    expect(await recent.current('t1', 'a')).toBeUndefined();

    recent.committed(row('a', 5));
    const failing = deferred<StoredProcess<Entity> | undefined>();
    const failed = recent.saving('t1', 'a', failing.promise);
    const read = recent.current('t1', 'a');
    failing.reject(new Error('database down'));
    await expect(failed).rejects.toThrow('database down');
    expect(await read).toBeUndefined();
  });

  it('onCopy: a stale copy (PCF02 at COMMIT) or STALE_COPY means "redo on the locked row"; other faults pass', async () => {
    const pcf02 = Object.assign(new Error('process p changed'), { code: 'PCF02' });
    expect(isConcurrentChange(pcf02)).toBe(true);
    expect(await onCopy(async () => { throw pcf02; })).toBeUndefined();
    expect(await onCopy(async () => { throw STALE_COPY; })).toBeUndefined();
    expect(await onCopy(async () => 'applied')).toBe('applied');
    await expect(onCopy(async () => { throw new Error('other'); })).rejects.toThrow('other');
  });
});
