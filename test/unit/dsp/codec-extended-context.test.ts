// The fast path for `[dspace 2025-1, Catena-X policy]` bodies: identical expansion to jsonld.js, same decoded message, safe fallbacks.
import { isDeepStrictEqual } from 'node:util';
import { createDspCodec, createDspValidators } from '../../../connector/dsp';
import { CX_POLICY_CONTEXT_URL, encodeOutbound } from '../../../connector/dsp/client/dsp-client';
import { DSPACE_2025_1_CONTEXT_URL } from '../../../connector/dsp/dialects';
import { createDspExpander } from '../../../connector/dsp/jsonld-expand';
import { liteExpand } from '../../../connector/dsp/jsonld-lite';
import type { OutboundDspMessage } from '../../../connector/dsp/messages';
import { parseExpandedPolicy, serializePolicy, type Policy } from '../../../policies/index';
import { pcfAccessPolicy, pcfUsagePolicy, type PolicyDefinitionDocument } from '../../../policies/templates';

const codec = createDspCodec({ validators: createDspValidators() });
const expander = createDspExpander();

async function policyOf(doc: PolicyDefinitionDocument): Promise<Policy> {
  const { '@context': context, policy } = doc as unknown as { '@context': unknown; policy: Record<string, unknown> };
  const expanded = await expander.expand({ '@context': context, ...policy, '@type': 'Offer' });
  if (!expanded.ok) throw new Error(expanded.message);
  const parsed = parseExpandedPolicy(expanded.value[0]);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.value;
}

async function messages(): Promise<[string, OutboundDspMessage][]> {
  const out: [string, OutboundDspMessage][] = [];
  const policies = [
    ['usage', await policyOf(pcfUsagePolicy({}))],
    ['usage with contract references', await policyOf(pcfUsagePolicy({ contractReferences: ['x-12345', 'y-678'] }))],
    ['access with BPNs', await policyOf(pcfAccessPolicy({ bpns: ['BPNL000000000OEM', 'BPNL00000000SUPP'] }))],
  ] as const;
  for (const [name, p] of policies) {
    const offer = serializePolicy({ ...p, id: 'urn:offer:1', target: 'pcf-exchange', assigner: 'did:web:provider.example' }, 'dsp-2025-1');
    const agreement = serializePolicy({ ...p, type: 'Agreement', id: 'urn:agreement:1', target: 'pcf-exchange', assigner: 'did:web:provider.example', assignee: 'did:web:consumer.example', timestamp: '2026-01-10T09:00:00.000Z' }, 'dsp-2025-1');
    out.push(
      [`ContractRequestMessage (${name})`, { type: 'ContractRequestMessage', consumerPid: 'urn:uuid:c-1', callbackAddress: 'https://consumer.example/cb', offer }],
      [`ContractRequestMessage, counter-request (${name})`, { type: 'ContractRequestMessage', consumerPid: 'urn:uuid:c-1', providerPid: 'urn:uuid:p-1', callbackAddress: 'https://consumer.example/cb', offer }],
      [`ContractOfferMessage (${name})`, { type: 'ContractOfferMessage', consumerPid: 'urn:uuid:c-1', providerPid: 'urn:uuid:p-1', callbackAddress: 'https://provider.example/dsp', offer }],
      [`ContractAgreementMessage (${name})`, { type: 'ContractAgreementMessage', consumerPid: 'urn:uuid:c-1', providerPid: 'urn:uuid:p-1', agreement, timestamp: '2026-01-10T09:00:00.000Z', callbackAddress: 'https://provider.example/dsp' }],
    );
  }
  return out;
}

describe('decode: [dspace 2025-1, Catena-X policy] bodies', () => {
  it('our encoder writes both contexts for policy-carrying messages', async () => {
    for (const [, m] of await messages()) expect(encodeOutbound(codec, m, '2025-1')['@context']).toEqual([DSPACE_2025_1_CONTEXT_URL, CX_POLICY_CONTEXT_URL]);
  });

  it('the lite expansion equals jsonld.js and the fast path decodes to the message the expansion path gives', async () => {
    for (const [name, m] of await messages()) {
      const body = encodeOutbound(codec, m, '2025-1');
      const full = await expander.expand(body);
      if (!full.ok) throw new Error(`${name}: ${full.message}`);
      expect({ name, equal: isDeepStrictEqual(liteExpand(body), full.value) }).toEqual({ name, equal: true });
      const fast = await codec.decodeWithPath(body, '2025-1', m.type);
      const slow = await codec.decodeWithPath(full.value, '2025-1', m.type);
      if (!fast.ok || !slow.ok) throw new Error(`${name}: ${fast.ok ? '' : fast.message} ${slow.ok ? '' : slow.message}`);
      expect(fast.value.path).toBe('canonical');
      expect(slow.value.path).toBe('expanded');
      expect(fast.value.message).toEqual(slow.value.message);
    }
  });

  it('falls back to the expansion path for bodies the schema refuses, other context lists and unbundled contexts', async () => {
    const [[, m]] = await messages();
    const body = encodeOutbound(codec, m, '2025-1');
    // Valid JSON-LD but not schema-valid (callbackAddress as a node object): read through jsonld.js, as before.
    const odd = { ...body, callbackAddress: undefined, 'https://w3id.org/dspace/2025/1/callbackAddress': 'https://consumer.example/cb' };
    const r1 = await codec.decodeWithPath(odd, '2025-1', 'ContractRequestMessage');
    expect(r1.ok && r1.value.path).toBe('expanded');
    const reversed = await codec.decodeWithPath({ ...body, '@context': [CX_POLICY_CONTEXT_URL, DSPACE_2025_1_CONTEXT_URL] }, '2025-1', 'ContractRequestMessage');
    expect(reversed.ok && reversed.value.path).toBe('expanded');
    const remote = await codec.decodeWithPath({ ...body, '@context': [DSPACE_2025_1_CONTEXT_URL, 'https://evil.example/context.jsonld'] }, '2025-1', 'ContractRequestMessage');
    expect(remote).toMatchObject({ ok: false, reason: 'bad-request' });
    const wrongType = await codec.decodeWithPath(body, '2025-1', 'ContractOfferMessage');
    expect(wrongType.ok).toBe(false);
  });
});
