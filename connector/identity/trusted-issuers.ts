// Which credential issuers a tenant trusts (Catena-X: the operating company's issuer DID).

/** Decides whether a tenant accepts credentials from an issuer. */
export interface TrustedIssuers {
  /** True when `tenantId` accepts credentials of `types` signed by `issuerDid`. */
  isTrusted(tenantId: string, issuerDid: string, types: readonly string[]): Promise<boolean>;
}

export interface StaticTrustedIssuersConfig {
  /** Issuer DIDs every tenant trusts. */
  readonly global: readonly string[];
  /** Additional issuer DIDs per tenant id. */
  readonly perTenant?: Readonly<Record<string, readonly string[]>>;
}

/** Trust list from configuration (all credential types). */
export function createStaticTrustedIssuers(config: StaticTrustedIssuersConfig): TrustedIssuers {
  const global = new Set(config.global);
  const perTenant = new Map(Object.entries(config.perTenant ?? {}).map(([t, list]) => [t, new Set(list)]));
  return {
    async isTrusted(tenantId, issuerDid) {
      return global.has(issuerDid) || (perTenant.get(tenantId)?.has(issuerDid) ?? false);
    },
  };
}
