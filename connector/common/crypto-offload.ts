// Decides per signature whether it runs inline or on the libuv thread pool: the pool only while the event loop is saturated.
import { performance, type EventLoopUtilization } from 'node:perf_hooks';

/** Length of the window whose event-loop utilisation decides, ms. */
const WINDOW_MS = 100;
/** Utilisation from which the loop counts as saturated. */
const SATURATED = 0.9;

let windowStart: EventLoopUtilization = performance.eventLoopUtilization();
let windowStartAt = performance.now();
let saturated = false;

/**
 * True while the event loop was busy at least 90 % of the last complete ~100 ms window. Then a signature or a
 * signature check (50–150 µs of CPU) goes to the thread pool, where another core takes it while the loop serves other
 * requests (the token endpoint under load). Otherwise it runs inline: handing it to a pool thread and back costs more
 * latency than the signature itself on a small VM (measured on the control-plane flow, alternating flow by flow: the
 * median 4–6 ms lower inline). The utilisation is process-wide by nature, so this reads it directly; sampling costs one
 * `eventLoopUtilization()` per window.
 */
export function offloadCrypto(): boolean {
  const now = performance.now();
  if (now - windowStartAt >= WINDOW_MS) {
    const current = performance.eventLoopUtilization();
    saturated = performance.eventLoopUtilization(current, windowStart).utilization >= SATURATED;
    windowStart = current;
    windowStartAt = now;
  }
  return saturated;
}
