// TokenMinter for all tenants: routes each call to the local or the AWS minter by the tenant's credential mode.
import type { Logger } from '../../observability/logger';
import { deferredStatements, type Database } from '../../store/database';
import type { LocalTokenMinter, RefreshRequest } from '../local/local-token-minter';
import { MINT_WRITES, mintFailure, type MintRequest, type MintResult, type TokenMinter } from '../token-minter';
import type { TenantCredentialDirectory } from './tenant-directory';

/** The connector's one minter: `mint` for every tenant, refresh and revocation where the tenant's mode supports them. */
export interface TenantTokenMinter extends TokenMinter {
  /**
   * Exchanges a refresh token (local mode). AWS-mode tenants issue no refresh tokens: the consumer asks for a new
   * transfer token instead, so this answers `refresh-invalid`. Unknown tenants answer `refresh-invalid` too.
   */
  refresh(request: RefreshRequest): Promise<MintResult>;
  /**
   * Retires the refresh tokens of a terminated transfer and returns how many were active (local mode). Cognito access
   * tokens cannot be revoked, so AWS mode returns 0: the PACT host's transfer check (binding → transfer still active)
   * is what refuses them until they expire.
   */
  revokeTransferTokens(tenantId: string, transferId: string): Promise<number>;
}

export interface TenantTokenMinterDeps {
  readonly directory: TenantCredentialDirectory;
  readonly local: LocalTokenMinter;
  /** One AWS minter for all aws-mode tenants; its settings lookup reads each tenant's own record. */
  readonly aws: TokenMinter;
  /** Where a Cognito mint's `alongside` writes go (the AWS minter stores nothing itself). */
  readonly db: Pick<Database, 'withTenant'>;
  readonly logger: Logger;
}

export function createTenantTokenMinter(deps: TenantTokenMinterDeps): TenantTokenMinter {
  const log = deps.logger.child({ component: 'credentials.tenant-minter' });

  /** A Cognito mint: the token comes from AWS, and the `alongside` writes commit in a transaction of their own. */
  async function mintStoringNothing(request: MintRequest): Promise<MintResult> {
    const minted = await deps.aws.mint(request);
    const alongside = request.alongside;
    if (minted.ok && alongside !== undefined) {
      await deps.db.withTenant(request.tenantId, (tx) => alongside(deferredStatements(tx), minted.value), MINT_WRITES);
    }
    return minted;
  }
  return {
    async mint(request) {
      if (typeof request.tenantId !== 'string' || request.tenantId === '') return mintFailure('invalid-request', 'tenantId: required');
      const profile = await deps.directory.profile(request.tenantId);
      if (profile === undefined) return mintFailure('tenant-not-configured', 'unknown or inactive tenant');
      return profile.mode === 'local' ? deps.local.mint(request) : mintStoringNothing(request);
    },
    async refresh(request) {
      const profile = await deps.directory.profile(request.tenantId);
      if (profile === undefined) return mintFailure('refresh-invalid', 'unknown or inactive tenant');
      if (profile.mode === 'aws') return mintFailure('refresh-invalid', 'refresh tokens are not issued in aws credential mode; request a new token');
      return deps.local.refresh(request);
    },
    async revokeTransferTokens(tenantId, transferId) {
      const profile = await deps.directory.profile(tenantId);
      if (profile?.mode !== 'local') {
        if (profile !== undefined) log.debug('cognito tokens cannot be revoked; the transfer check refuses them', { tenantId, transferId });
        return 0;
      }
      return deps.local.revokeTransferTokens(tenantId, transferId);
    },
    evictTenant(tenantId) {
      deps.directory.forget(tenantId);
      deps.local.evictTenant(tenantId);
      deps.aws.evictTenant(tenantId);
    },
  };
}
