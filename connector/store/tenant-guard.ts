// Refuses malformed tenant ids before they reach SQL (the transaction preamble embeds the id as a literal).
import { isValidTenantId } from '../common/tenant-id';

export class InvalidTenantIdError extends Error {
  constructor() {
    super('a tenant transaction needs a valid tenant id');
    this.name = 'InvalidTenantIdError';
  }
}

export function assertTenantId(tenantId: unknown): asserts tenantId is string {
  if (!isValidTenantId(tenantId)) throw new InvalidTenantIdError();
}
