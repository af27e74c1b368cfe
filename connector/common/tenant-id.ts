// Tenant ids are URL-safe slugs; the store relies on this shape when it binds the tenant to a transaction.

/** 2–63 characters: lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen. */
export const TENANT_ID_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])$/;

export function isValidTenantId(value: unknown): value is string {
  return typeof value === 'string' && TENANT_ID_PATTERN.test(value);
}
