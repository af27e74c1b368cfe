// Credential scopes: the DCP 2-part form and the Tractus-X 3-part `:read` form, parsed to what they grant.
export const DCP_TYPE_ALIAS = 'org.eclipse.dspace.dcp.vc.type';
export const DCP_ID_ALIAS = 'org.eclipse.dspace.dcp.vc.id';
export const TX_TYPE_ALIAS = 'org.eclipse.tractusx.vc.type';
export const TX_ID_ALIAS = 'org.eclipse.tractusx.vc.id';

/** Credential types requested by default for DSP 2025-1 (Tractus-X): Membership, BPN, framework agreement. */
export const DEFAULT_CREDENTIAL_TYPES: readonly string[] = ['MembershipCredential', 'BpnCredential', 'DataExchangeGovernanceCredential'];

/** What a scope grants read access to. */
export interface CredentialScope {
  readonly kind: 'type' | 'id';
  readonly value: string;
}

const TYPE_ALIASES = new Set([DCP_TYPE_ALIAS, TX_TYPE_ALIAS]);
const ID_ALIASES = new Set([DCP_ID_ALIAS, TX_ID_ALIAS]);

/** Parses a scope string; undefined for unknown aliases, malformed strings and non-read operations. */
export function parseScope(raw: string): CredentialScope | undefined {
  const first = raw.indexOf(':');
  if (first <= 0) return undefined;
  const alias = raw.slice(0, first);
  let rest = raw.slice(first + 1);
  const isType = TYPE_ALIASES.has(alias);
  if (!isType && !ID_ALIASES.has(alias)) return undefined;
  const last = rest.lastIndexOf(':');
  if (last > 0 && (isType || alias === TX_ID_ALIAS)) {
    const op = rest.slice(last + 1);
    if (op === 'read' || op === '*') rest = rest.slice(0, last);
    else if (op === 'write') return undefined;
  }
  if (rest === '' || (isType && !/^[A-Za-z0-9_.-]+$/.test(rest))) return undefined;
  return { kind: isType ? 'type' : 'id', value: rest };
}

/** The scope string for reading credentials of `type`: Tractus-X 3-part form (default) or the DCP 2-part form. */
export function typeScope(type: string, form: 'tractusx' | 'dcp' = 'tractusx'): string {
  return form === 'tractusx' ? `${TX_TYPE_ALIAS}:${type}:read` : `${DCP_TYPE_ALIAS}:${type}`;
}

/** True when `granted` covers `requested`. */
export function scopeCovers(granted: readonly CredentialScope[], requested: CredentialScope): boolean {
  return granted.some((g) => g.kind === requested.kind && g.value === requested.value);
}
