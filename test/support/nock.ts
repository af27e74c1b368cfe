// nock for tests, with cleanup: importing this registers an afterAll that removes interceptors, re-enables the network
// and un-patches Node's http — nock's patches are process-wide, so a file that left them active would answer (or
// refuse) the next file's requests in the same jest worker and bypass its keep-alive agents.
import nock from 'nock';

// Benchmarks reuse the AWS fakes outside jest, where there are no hooks.
if (typeof afterAll === 'function') {
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  });
}

export default nock;
