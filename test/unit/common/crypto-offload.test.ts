// Signatures go to the thread pool only while the event loop is saturated.
import type { EventLoopUtilization } from 'node:perf_hooks';
import { createOffloadDecider, type LoopClock } from '../../../connector/common/crypto-offload';

/** A loop whose busy time and clock the test moves: `idle(ms)` and `busy(ms)` advance both. */
function fakeLoop(): LoopClock & { idle(ms: number): void; busy(ms: number): void } {
  let t = 0;
  let active = 0;
  const reading = (): EventLoopUtilization => ({ idle: t - active, active, utilization: t === 0 ? 0 : active / t });
  return {
    utilization: reading,
    between: (later, earlier) => {
      const span = later.active + later.idle - (earlier.active + earlier.idle);
      return span <= 0 ? 0 : (later.active - earlier.active) / span;
    },
    now: () => t,
    idle(ms) { t += ms; },
    busy(ms) { t += ms; active += ms; },
  };
}

describe('offloadCrypto', () => {
  it('is false on an idle loop, true after a window spent busy (the decision stands within the window), false again once the loop idles', () => {
    const loop = fakeLoop();
    const offload = createOffloadDecider(loop);
    loop.idle(150);
    expect(offload()).toBe(false);
    loop.busy(150);
    expect(offload()).toBe(true);
    loop.idle(50);
    expect(offload()).toBe(true);
    loop.idle(100);
    expect(offload()).toBe(false);
  });

  it('counts a window busy from 90 %: 89 ms of 100 is not saturated, 95 ms is', () => {
    const loop = fakeLoop();
    const offload = createOffloadDecider(loop);
    loop.busy(89);
    loop.idle(11);
    expect(offload()).toBe(false);
    loop.busy(95);
    loop.idle(5);
    expect(offload()).toBe(true);
  });
});
