// Decides per signature whether it runs inline or on the libuv thread pool: the pool only while the event loop is saturated.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Length of the window whose event-loop utilisation decides, ms. */
const WINDOW_MS = 100;
/** Utilisation from which the loop counts as saturated. */
const SATURATED = 0.9;

/** Where a decider reads the event loop's utilisation and the time (Node's `performance` by default). */
export interface LoopClock {
  /** Cumulative utilisation so far (`performance.eventLoopUtilization()`). */
  utilization(): EventLoopUtilization;
  /** The utilisation between two cumulative readings, 0..1. */
  between(later: EventLoopUtilization, earlier: EventLoopUtilization): number;
  /** Milliseconds, monotonic. */
  now(): number;
}

const NODE_LOOP: LoopClock = {
  utilization: () => performance.eventLoopUtilization(),
  between: (later, earlier) => performance.eventLoopUtilization(later, earlier).utilization,
  now: () => performance.now(),
};

/**
 * A decider that answers true while the event loop was busy at least 90 % of the last complete ~100 ms window. Then a
 * signature or a signature check (50–150 µs of CPU) goes to the thread pool, where another core takes it while the
 * loop serves other requests (the token endpoint under load). Otherwise it runs inline: handing it to a pool thread
 * and back costs more latency than the signature itself on a small VM (measured on the control-plane flow,
 * alternating flow by flow: the median 4–6 ms lower inline). Sampling costs one utilisation reading per window.
 */
export function createOffloadDecider(clock: LoopClock = NODE_LOOP): () => boolean {
  let windowStart = clock.utilization();
  let windowStartAt = clock.now();
  let saturated = false;
  return () => {
    const now = clock.now();
    if (now - windowStartAt >= WINDOW_MS) {
      const current = clock.utilization();
      saturated = clock.between(current, windowStart) >= SATURATED;
      windowStart = current;
      windowStartAt = now;
    }
    return saturated;
  };
}

/** The process's decider: the utilisation is process-wide by nature, so one serves every signature. */
export const offloadCrypto: () => boolean = createOffloadDecider();
