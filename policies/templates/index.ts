// Typed access to the CX-0136 PCF policy templates (JSON-LD PolicyDefinitions in the Catena-X 2025/9 context).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BPNL } from '../catenax/operand-checks';

/** A JSON-LD EDC PolicyDefinition document (`@context`, `@type`, `@id`, `policy`), ready for `parsePolicyDefinition`. */
export interface PolicyDefinitionDocument {
  readonly '@context': unknown[];
  readonly '@type': 'PolicyDefinition';
  readonly '@id': string;
  readonly policy: Record<string, unknown>;
}

const texts = new Map<string, string>();

function load(file: string): PolicyDefinitionDocument {
  let text = texts.get(file);
  if (text === undefined) {
    text = readFileSync(join(__dirname, file), 'utf8');
    texts.set(file, text);
  }
  return JSON.parse(text) as PolicyDefinitionDocument;
}

interface AtomicJson {
  leftOperand: string;
  operator: string;
  rightOperand: unknown;
}

/** The atomic constraints inside the template's single `and` (a fresh copy, safe to edit). */
function andList(doc: PolicyDefinitionDocument): AtomicJson[] {
  const permission = (doc.policy['permission'] as { constraint: { and: AtomicJson[] }[] }[])[0];
  const first = permission?.constraint[0];
  if (first === undefined) throw new Error('policy template has no constraint list');
  return first.and;
}

export interface PcfAccessPolicyOptions {
  /** Restrict the offer to these partner BPNLs (needed when the usage policy carries a ContractReference). */
  readonly bpns?: readonly string[];
  /** PolicyDefinition id (default `pcf-access-membership` / `pcf-access-bpn`). */
  readonly id?: string;
}

/**
 * CX-0136 PCF access policy: Catena-X members only (`Membership eq active`), optionally restricted to partner BPNLs
 * (`BusinessPartnerNumber isAnyOf [...]`). Throws on a malformed BPNL (a programming error, not partner input).
 */
export function pcfAccessPolicy(opts: PcfAccessPolicyOptions = {}): PolicyDefinitionDocument {
  const bpns = opts.bpns ?? [];
  const bad = bpns.filter((b) => !BPNL.test(b));
  if (bad.length > 0) throw new Error(`not a BPNL: ${bad.join(', ')}`);
  const doc = load(bpns.length > 0 ? 'pcf-access-policy-bpn.jsonld' : 'pcf-access-policy.jsonld');
  if (bpns.length > 0) {
    const bpnConstraint = andList(doc).find((c) => c.leftOperand === 'BusinessPartnerNumber');
    if (bpnConstraint === undefined) throw new Error('BPN access template lacks its BusinessPartnerNumber constraint');
    bpnConstraint.rightOperand = [...bpns];
  }
  return opts.id === undefined ? doc : { ...doc, '@id': opts.id };
}

export interface PcfUsagePolicyOptions {
  /** Bilateral contract references, added as `ContractReference isAllOf [...]`. */
  readonly contractReferences?: readonly string[];
  /** PolicyDefinition id (default `pcf-usage`). */
  readonly id?: string;
}

/**
 * CX-0136 PCF usage policy: `FrameworkAgreement eq DataExchangeGovernance:1.0`, `Membership eq active`,
 * `UsagePurpose isAnyOf [cx.pcf.base:1]`, plus optional bilateral contract references.
 */
export function pcfUsagePolicy(opts: PcfUsagePolicyOptions = {}): PolicyDefinitionDocument {
  const doc = load('pcf-usage-policy.jsonld');
  const refs = opts.contractReferences ?? [];
  if (refs.length > 0) andList(doc).push({ leftOperand: 'ContractReference', operator: 'isAllOf', rightOperand: [...refs] });
  return opts.id === undefined ? doc : { ...doc, '@id': opts.id };
}
