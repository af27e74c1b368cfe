// Parses ODRL policy documents in any context style (DSP 2025-1/2024-1, W3C ODRL, Catena-X, EDC) via offline expansion.
import jsonld from 'jsonld';
import { offlineDocumentLoader } from '../schemas/contexts/index';
import type { Policy, PolicyIssue, PolicyResult } from './model';
import { policyFail, policyOk } from './model';
import { parseExpandedPolicy } from './parse-expanded';
import { CONTEXT_CX_POLICY_2025_9, CONTEXT_DSP_2025_ODRL, EDC_NS, ODRL_NS } from './vocabulary';

export interface ParsePolicyOptions {
  /**
   * Contexts applied when the document has no `@context` (plain-JSON partners). Default: the DSP 2025-1 ODRL
   * profile and the Catena-X 2025/9 policy context, i.e. the compact form DSP 2025-1 messages use.
   */
  readonly defaultContext?: readonly (string | Record<string, unknown>)[];
}

/** A policy plus the id of the EDC `PolicyDefinition` that wrapped it, if any. */
export interface ParsedPolicyDefinition {
  readonly definitionId?: string;
  readonly policy: Policy;
}

const DEFAULT_CONTEXT: readonly string[] = [CONTEXT_DSP_2025_ODRL, CONTEXT_CX_POLICY_2025_9];
const ODRL_TERMS = new Set([
  'permission', 'prohibition', 'obligation', 'action', 'constraint', 'leftOperand', 'operator', 'rightOperand', 'and',
  'or', 'xone', 'andSequence', 'duty', 'policy', 'target', 'assigner', 'assignee',
]);

interface JsonLdEvent {
  readonly code?: string;
  readonly details?: { readonly property?: string };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function localTerm(property: string): string {
  const i = Math.max(property.lastIndexOf(':'), property.lastIndexOf('/'), property.lastIndexOf('#'));
  return property.slice(i + 1);
}

async function expand(doc: unknown, opts: ParsePolicyOptions): Promise<PolicyResult<unknown[]>> {
  if (!isRecord(doc)) return policyFail([{ path: '', message: 'policy document must be a JSON object' }]);
  const input = doc['@context'] === undefined ? { '@context': [...(opts.defaultContext ?? DEFAULT_CONTEXT)], ...doc } : doc;
  const dropped: PolicyIssue[] = [];
  try {
    const expanded = await jsonld.expand(input as jsonld.JsonLdDocument, {
      documentLoader: offlineDocumentLoader as unknown as jsonld.Options.DocLoader['documentLoader'],
      eventHandler: ({ event }: { event: JsonLdEvent }) => {
        const property = event.details?.property;
        if (event.code === 'invalid property' && property !== undefined && ODRL_TERMS.has(localTerm(property))) {
          dropped.push({ path: property, message: `'${property}' is not defined by the document's @context and would be dropped` });
        }
      },
    } as jsonld.Options.Expand);
    return dropped.length > 0 ? policyFail(dropped) : policyOk(expanded as unknown[]);
  } catch (err) {
    const e = err as { message?: string; details?: { url?: string; cause?: { name?: string } } };
    const url = e.details?.url;
    const message = url !== undefined
      ? `JSON-LD context ${url} is not bundled with the connector and is never fetched`
      : `JSON-LD expansion failed: ${e.message ?? String(err)}`;
    return policyFail([{ path: '@context', message }]);
  }
}

function findPolicyNode(expanded: unknown[]): PolicyResult<{ node: unknown; definitionId?: string }> {
  if (expanded.length !== 1 || !isRecord(expanded[0])) {
    return policyFail([{ path: '', message: `expected one policy node, found ${expanded.length} top-level nodes` }]);
  }
  const top = expanded[0];
  const inner = top[`${EDC_NS}policy`];
  if (inner !== undefined) {
    const list = Array.isArray(inner) ? inner : [inner];
    if (list.length !== 1) return policyFail([{ path: 'policy', message: 'a policy definition must hold exactly one policy' }]);
    const definitionId = typeof top['@id'] === 'string' ? top['@id'] : undefined;
    return policyOk({ node: list[0], ...(definitionId !== undefined ? { definitionId } : {}) });
  }
  const hasOdrl = Object.keys(top).some((k) => k.startsWith(ODRL_NS)) || Array.isArray(top['@type']);
  if (!hasOdrl) return policyFail([{ path: '', message: 'document holds no ODRL policy (no ODRL properties after expansion)' }]);
  return policyOk({ node: top });
}

/**
 * Parses a JSON-LD policy document (a policy node, or an EDC `PolicyDefinition` wrapping one under `policy`) in any
 * supported context style. Contexts are served from the bundle; any other remote context is refused, never fetched.
 */
export async function parsePolicyDefinition(doc: unknown, opts: ParsePolicyOptions = {}): Promise<PolicyResult<ParsedPolicyDefinition>> {
  const expanded = await expand(doc, opts);
  if (!expanded.ok) return expanded;
  const found = findPolicyNode(expanded.value);
  if (!found.ok) return found;
  const parsed = parseExpandedPolicy(found.value.node);
  if (!parsed.ok) {
    if (found.value.node === expanded.value[0]) return parsed;
    return policyFail(parsed.details.map((i) => ({ ...i, path: i.path ? `policy.${i.path}` : 'policy' })));
  }
  const { definitionId } = found.value;
  return policyOk({ ...(definitionId !== undefined ? { definitionId } : {}), policy: parsed.value });
}

/** Like {@link parsePolicyDefinition} but returns only the policy. */
export async function parsePolicy(doc: unknown, opts: ParsePolicyOptions = {}): Promise<PolicyResult<Policy>> {
  const r = await parsePolicyDefinition(doc, opts);
  return r.ok ? policyOk(r.value.policy) : r;
}
