// The bundled context loader: offline only, and no `@import` reaches jsonld.js (its import cache corrupts later expansions).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import jsonld from 'jsonld';
import { bundledContext, bundledContextUrls, offlineDocumentLoader, UnknownContextError } from '../../../schemas/contexts/index';

const SPECS = resolve(__dirname, '../../../../shared/specs/dsp-2025-1');
const example = (path: string): Record<string, unknown> => JSON.parse(readFileSync(join(SPECS, path), 'utf8')) as Record<string, unknown>;
const loader = offlineDocumentLoader as unknown as jsonld.Options.DocLoader['documentLoader'];

describe('bundled JSON-LD contexts', () => {
  it('serves every bundled context without any @import left in it', () => {
    for (const url of bundledContextUrls()) {
      expect(JSON.stringify(bundledContext(url))).not.toContain('"@import"');
    }
  });

  it('refuses contexts that are not bundled', async () => {
    await expect(offlineDocumentLoader('https://evil.example/context.jsonld')).rejects.toBeInstanceOf(UnknownContextError);
  });

  it('expands a ContractRequestMessage fully after a Catalog and a Dataset were expanded in the same process', async () => {
    const request = example('negotiation/example/contract-request-message.json');
    const fresh = JSON.stringify(await jsonld.expand(structuredClone(request), { documentLoader: loader }));
    await jsonld.expand(example('catalog/example/catalog.json'), { documentLoader: loader });
    await jsonld.expand(example('catalog/example/dataset.json'), { documentLoader: loader });
    const after = await jsonld.expand(structuredClone(request), { documentLoader: loader });
    expect(JSON.stringify(after)).toBe(fresh);
    expect(JSON.stringify(after)).toContain('https://w3id.org/dspace/2025/1/consumerPid');
    expect(JSON.stringify(after)).toContain('http://www.w3.org/ns/odrl/2/permission');
  });
});
