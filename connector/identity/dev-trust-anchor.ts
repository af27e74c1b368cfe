// Development trust anchor: a built-in issuer (own DID and key) issuing Catena-X Membership, BPN and framework credentials as JWT VCs.
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { JWK } from 'jose';
import { BPNL_PATTERN } from './bpn-directory';
import { DID_CONTEXTS, verificationMethodId, type DidDocument } from './did-document';
import { didWebFor } from './did-web';
import { identityFailure, type IdentityResult } from './failures';
import { publicJwkOf, signJws } from './jws';
import { CATENAX_CREDENTIALS_CONTEXT, VC_V1_CONTEXT } from './vc-jwt';

export interface DevIssuerKey {
  readonly alg: 'ES256K' | 'ES256';
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

/** A fresh issuer key: ES256K (secp256k1, the Catena-X profile) by default. */
export function generateDevIssuerKey(alg: 'ES256K' | 'ES256' = 'ES256K', kid = 'issuer-key-1'): DevIssuerKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: alg === 'ES256K' ? 'secp256k1' : 'P-256' });
  return { alg, kid, privateKey, publicJwk: { ...publicJwkOf(privateKey), kid, alg } };
}

export type CatenaXCredentialType = 'MembershipCredential' | 'BpnCredential' | 'DataExchangeGovernanceCredential';

export interface IssueOptions {
  /** Default: now. */
  readonly validFrom?: Date;
  /** Default: now + validity days. */
  readonly validUntil?: Date;
  /** DataExchangeGovernance `contractVersion`; default `1.0`. */
  readonly contractVersion?: string;
}

export interface IssuedCredential {
  readonly id: string;
  readonly type: CatenaXCredentialType;
  /** The JWT VC (VCDM 1.1, `vc` claim, StatusList2021 entry). */
  readonly jwt: string;
}

/** Issuer operations exposed to operator routes and the CLI. */
export interface DevTrustAnchor {
  /** `did:web:{host}:issuer`, document at `{publicBaseUrl}/issuer/did.json` (path configurable). */
  readonly did: string;
  /** URL of the revocation status list credential (serve `statusListCredential()` there). */
  readonly statusListUrl: string;
  didDocument(): DidDocument;
  /** Issues one credential of `type` to `holderDid` for `bpn`. */
  issue(type: CatenaXCredentialType, holderDid: string, bpn: string, options?: IssueOptions): Promise<IdentityResult<IssuedCredential>>;
  /** Membership, BPN and DataExchangeGovernance credentials for a tenant. */
  issueStandardSet(holderDid: string, bpn: string): Promise<IdentityResult<IssuedCredential[]>>;
  /** Sets the revocation bit of an issued credential; false if unknown. */
  revoke(credentialId: string): boolean;
  /** The current status list as a signed JWT VC (StatusList2021Credential). */
  statusListCredential(): Promise<string>;
}

/** Where the anchor keeps its status-list state; the default is process memory (lost on restart). */
export interface DevTrustAnchorStatusStore {
  /** Reserves the status-list index of a new credential; never hands the same index out twice (also across replicas). */
  allocate(credentialId: string): Promise<number>;
  /** Indexes whose revocation bit is set, including those set by other processes. */
  revokedIndexes(): Promise<Iterable<number>>;
}

export const DEG_CONTRACT_TEMPLATE = 'https://catena-x.net/en/catena-x-introduce-implement/governance-framework-for-data-space-operations';

export function createDevTrustAnchor(deps: {
  publicBaseUrl: string;
  key: DevIssuerKey;
  now: () => Date;
  validityDays?: number;
  /** Number of status bits (default 131 072, the minimum recommended list size). */
  statusListSize?: number;
  /** URL path of the issuer below the base URL; default `['issuer']`. */
  pathSegments?: readonly string[];
  /** Persistent status-list state (index allocation, revocations set elsewhere). Default: in memory only. */
  statusStore?: DevTrustAnchorStatusStore;
}): DevTrustAnchor {
  const segments = deps.pathSegments ?? ['issuer'];
  const did = didWebFor(deps.publicBaseUrl, segments);
  const statusListUrl = `${deps.publicBaseUrl.replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}/status/revocation`;
  const bits = Buffer.alloc(Math.ceil((deps.statusListSize ?? 131_072) / 8));
  const indexOf = new Map<string, number>();
  const signer = { alg: deps.key.alg, kid: verificationMethodId(did, deps.key.kid), privateKey: deps.key.privateKey };
  const validityMs = (deps.validityDays ?? 365) * 86_400_000;

  function subjectFor(type: CatenaXCredentialType, holderDid: string, bpn: string, options: IssueOptions): Record<string, unknown> {
    switch (type) {
      case 'MembershipCredential':
        return { id: holderDid, holderIdentifier: bpn };
      case 'BpnCredential':
        return { id: holderDid, bpn };
      case 'DataExchangeGovernanceCredential':
        return {
          id: holderDid,
          holderIdentifier: bpn,
          group: 'UseCaseFramework',
          useCase: 'DataExchangeGovernance',
          contractTemplate: DEG_CONTRACT_TEMPLATE,
          contractVersion: options.contractVersion ?? '1.0',
        };
    }
  }

  async function currentBits(): Promise<Buffer> {
    if (deps.statusStore === undefined) return bits;
    const out = Buffer.from(bits);
    for (const index of await deps.statusStore.revokedIndexes()) {
      if (Number.isInteger(index) && index >= 0 && index < out.length * 8) out[index >> 3] |= 0x80 >> (index & 7);
    }
    return out;
  }

  const anchor: DevTrustAnchor = {
    did,
    statusListUrl,
    didDocument() {
      const id = verificationMethodId(did, deps.key.kid);
      return {
        '@context': [...DID_CONTEXTS],
        id: did,
        verificationMethod: [{ id, type: 'JsonWebKey2020', controller: did, publicKeyJwk: deps.key.publicJwk }],
        authentication: [id],
        assertionMethod: [id],
        capabilityInvocation: [id],
      };
    },
    async issue(type, holderDid, bpn, options = {}) {
      if (!BPNL_PATTERN.test(bpn)) return identityFailure('bpn-invalid', 'BPN must match BPNL + 12 upper-case letters or digits');
      if (!holderDid.startsWith('did:')) return identityFailure('did-invalid', 'holder must be a DID');
      const id = `urn:uuid:${randomUUID()}`;
      const index = deps.statusStore === undefined ? indexOf.size : await deps.statusStore.allocate(id);
      if (index >= bits.length * 8) throw new Error('status list is full');
      const from = options.validFrom ?? deps.now();
      const until = options.validUntil ?? new Date(from.getTime() + validityMs);
      const vc = {
        '@context': [VC_V1_CONTEXT, CATENAX_CREDENTIALS_CONTEXT],
        id,
        type: ['VerifiableCredential', type],
        issuer: did,
        issuanceDate: from.toISOString(),
        expirationDate: until.toISOString(),
        credentialSubject: subjectFor(type, holderDid, bpn, options),
        credentialStatus: {
          id: `${statusListUrl}#${index}`,
          type: 'StatusList2021Entry',
          statusPurpose: 'revocation',
          statusListIndex: String(index),
          statusListCredential: statusListUrl,
        },
      };
      const jwt = await signJws(
        { iss: did, sub: holderDid, jti: id, iat: Math.floor(from.getTime() / 1000), nbf: Math.floor(from.getTime() / 1000), exp: Math.floor(until.getTime() / 1000), vc },
        signer,
      );
      indexOf.set(id, index);
      return { ok: true, value: { id, type, jwt } };
    },
    async issueStandardSet(holderDid, bpn) {
      const out: IssuedCredential[] = [];
      for (const type of ['MembershipCredential', 'BpnCredential', 'DataExchangeGovernanceCredential'] as const) {
        const r = await anchor.issue(type, holderDid, bpn);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    },
    revoke(credentialId) {
      const index = indexOf.get(credentialId);
      if (index === undefined) return false;
      bits[index >> 3] |= 0x80 >> (index & 7);
      return true;
    },
    async statusListCredential() {
      const now = deps.now();
      const iat = Math.floor(now.getTime() / 1000);
      const vc = {
        '@context': [VC_V1_CONTEXT, 'https://w3id.org/vc/status-list/2021/v1'],
        id: statusListUrl,
        type: ['VerifiableCredential', 'StatusList2021Credential'],
        issuer: did,
        issuanceDate: now.toISOString(),
        credentialSubject: { id: `${statusListUrl}#list`, type: 'StatusList2021', statusPurpose: 'revocation', encodedList: gzipSync(await currentBits()).toString('base64url') },
      };
      return signJws({ iss: did, sub: `${statusListUrl}#list`, jti: statusListUrl, iat, nbf: iat, exp: iat + 86_400, vc }, signer);
    },
  };
  return anchor;
}
