// Runs after every test file: nock patches Node's shared http module, so one file's interceptors or
// disableNetConnect() would otherwise keep answering (or refusing) the next file's requests in the same jest worker.
import nock from 'nock';

afterAll(() => {
  nock.cleanAll();
  nock.enableNetConnect();
  nock.restore();
});
