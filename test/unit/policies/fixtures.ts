// Shared fixtures for the policy tests: credentials shaped like the Catena-X samples, contexts, a spec path.
import path from 'node:path';
import type { PolicyContext, VerifiedCredentialClaims } from '../../../policies';

export const SPECS = path.resolve(__dirname, '../../../../shared/specs');

export const NOW = new Date('2025-06-01T12:00:00Z');
export const PARTNER_BPN = 'BPNL00000000000A';

export function membershipVc(overrides: Partial<VerifiedCredentialClaims> = {}): VerifiedCredentialClaims {
  return {
    type: ['VerifiableCredential', 'MembershipCredential'],
    issuer: 'did:web:issuer.example',
    issuanceDate: '2025-01-01T00:00:00Z',
    expirationDate: '2026-01-01T00:00:00Z',
    credentialSubject: { id: 'did:web:partner.example', holderIdentifier: PARTNER_BPN },
    ...overrides,
  };
}

export function governanceVc(contractVersion: string, type = 'DataExchangeGovernanceCredential'): VerifiedCredentialClaims {
  return {
    type: ['VerifiableCredential', `https://w3id.org/catenax/credentials/${type}`],
    issuer: 'did:web:issuer.example',
    credentialSubject: {
      id: 'did:web:partner.example',
      holderIdentifier: PARTNER_BPN,
      group: 'UseCaseFramework',
      useCase: 'DataExchangeGovernance',
      contractTemplate: 'https://catena-x.net/en/catena-x-introduce-implement/governance-framework-for-data-space-operations',
      contractVersion,
    },
  };
}

export function bpnVc(bpn: string): VerifiedCredentialClaims {
  return { type: ['VerifiableCredential', 'BpnCredential'], credentialSubject: { id: 'did:web:partner.example', bpn } };
}

export function context(credentials: readonly VerifiedCredentialClaims[], extra: Partial<PolicyContext> = {}): PolicyContext {
  return { now: NOW, counterParty: { did: 'did:web:partner.example', credentials }, ...extra };
}

/** A fully equipped Catena-X member holding the framework agreement and a BPN credential. */
export function memberContext(extra: Partial<PolicyContext> = {}): PolicyContext {
  return context([membershipVc(), governanceVc('1.0'), bpnVc(PARTNER_BPN)], extra);
}

export const CX_CONTEXTS = [
  'https://w3id.org/dspace/2025/1/odrl-profile.jsonld',
  'https://w3id.org/catenax/2025/9/policy/context.jsonld',
];
