// Signatures go to the thread pool only while the event loop is saturated.
import { offloadCrypto } from '../../../connector/common/crypto-offload';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // the event loop is blocked, as under a saturating load
  }
}

describe('offloadCrypto', () => {
  it('is false on an idle loop, true after a window spent busy, false again once the loop idles', async () => {
    await sleep(150);
    offloadCrypto();
    await sleep(150);
    expect(offloadCrypto()).toBe(false);
    busy(150);
    expect(offloadCrypto()).toBe(true);
    // Within the same window the decision stands.
    expect(offloadCrypto()).toBe(true);
    await sleep(150);
    expect(offloadCrypto()).toBe(false);
  });
});
