// BPN ↔ DID directory (BDRS-like): lookup interface and a built-in table implementation.
import { identityFailure, type IdentityResult } from './failures';

/** Catena-X legal-entity BPN. */
export const BPNL_PATTERN = /^BPNL[0-9A-Z]{12}$/;

/**
 * Maps business partner numbers to DIDs and back. `tenantId` names the tenant a lookup is made for: a directory that
 * must authenticate (BDRS) uses that tenant's credentials; without it, it picks a tenant itself. Local tables ignore it.
 * Lookups never throw for an unreachable directory: they answer undefined (and the implementation logs why).
 */
export interface BpnDirectory {
  /** The DID registered for `bpn`, if any. */
  didOf(bpn: string, tenantId?: string): Promise<string | undefined>;
  /** The BPN registered for `did`, if any. */
  bpnOf(did: string, tenantId?: string): Promise<string | undefined>;
  /** The whole map `{ BPNL: DID }` (the BDRS `bpn-directory` response shape). */
  entries(tenantId?: string): Promise<Readonly<Record<string, string>>>;
}

/** A directory the operator maintains (one DID per BPN and one BPN per DID). */
export interface TableBpnDirectory extends BpnDirectory {
  /** Registers or replaces the mapping; rejects malformed BPNLs and non-DIDs. */
  register(bpn: string, did: string): IdentityResult<void>;
  /** Removes the mapping of `bpn`; true when one existed. */
  remove(bpn: string): boolean;
}

export function createTableBpnDirectory(initial: Readonly<Record<string, string>> = {}): TableBpnDirectory {
  const byBpn = new Map<string, string>();
  const byDid = new Map<string, string>();
  const directory: TableBpnDirectory = {
    async didOf(bpn) {
      return byBpn.get(bpn);
    },
    async bpnOf(did) {
      return byDid.get(did);
    },
    async entries() {
      return Object.fromEntries(byBpn);
    },
    register(bpn, did) {
      if (!BPNL_PATTERN.test(bpn)) return identityFailure('bpn-invalid', 'BPN must match BPNL + 12 upper-case letters or digits');
      if (!/^did:[a-z0-9]+:.+/.test(did)) return identityFailure('did-invalid', 'not a DID');
      const previousDid = byBpn.get(bpn);
      if (previousDid !== undefined) byDid.delete(previousDid);
      const previousBpn = byDid.get(did);
      if (previousBpn !== undefined) byBpn.delete(previousBpn);
      byBpn.set(bpn, did);
      byDid.set(did, bpn);
      return { ok: true, value: undefined };
    },
    remove(bpn) {
      const did = byBpn.get(bpn);
      if (did === undefined) return false;
      byBpn.delete(bpn);
      byDid.delete(did);
      return true;
    },
  };
  for (const [bpn, did] of Object.entries(initial)) {
    const r = directory.register(bpn, did);
    if (!r.ok) throw new Error(`invalid BPN directory entry ${bpn}: ${r.message}`);
  }
  return directory;
}
