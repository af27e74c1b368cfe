// PostgreSQL URLs for tests: PCF_TEST_DATABASE_URL (default: the local trust-auth server) and per-database variants.

export function adminUrl(): string {
  return process.env.PCF_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export function withDatabase(name: string): string {
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  return url.toString();
}
