// Access to a tenant's signing keys: private keys stay inside the provider's process memory, never in logs or responses.
import type { CryptoKey, JWK } from 'jose';

/** What a key is used for; each purpose has its own key pair so rotation and revocation stay independent. */
export type KeyPurpose = 'identity' | 'data-plane' | 'pact-auth';

export interface SigningKey {
  readonly kid: string;
  /** JWS algorithm the key signs with, e.g. `ES256` or `EdDSA`. */
  readonly alg: string;
  readonly privateKey: CryptoKey;
}

/** Supplies a tenant's current signing key per purpose and the public keys verifiers must accept. */
export interface TenantKeyProvider {
  /** The active signing key of `tenantId` for `purpose`, created on first use. */
  signingKey(tenantId: string, purpose: KeyPurpose): Promise<SigningKey>;
  /**
   * Public JWKs (with `kid`, `alg`, `use: "sig"`) to publish for `tenantId` and `purpose`: the active key plus
   * retired keys whose tokens may still be unexpired (rotation overlap). Never contains private members.
   */
  publicJwks(tenantId: string, purpose: KeyPurpose): Promise<JWK[]>;
  /** Creates a new active key for `tenantId` and `purpose`; the previous one stays published until `retireAfter`. */
  rotate(tenantId: string, purpose: KeyPurpose, retireAfter: Date): Promise<SigningKey>;
  /** Removes every key of `tenantId` (offboarding). */
  revokeAll(tenantId: string): Promise<void>;
}
