// The response hardening headers: helmet's set for the Express app, and the REST API set for the JSON-only fast lane.
import helmet from 'helmet';
import type { RequestHandler } from 'express';

const HELMET_OPTIONS = { contentSecurityPolicy: { directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } };

/** The helmet middleware every Express route runs behind. */
export function securityHeadersMiddleware(): RequestHandler {
  return helmet(HELMET_OPTIONS) as unknown as RequestHandler;
}

/**
 * The security headers of a JSON API response (OWASP REST Security Cheat Sheet, "Security headers"): the other
 * headers helmet sends only matter when a response is rendered as HTML, which the fast lane's JSON never is.
 * `Cache-Control: no-store` is added per response unless the answer sets its own.
 */
export const API_SECURITY_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];
