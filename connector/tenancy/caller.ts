// Who is calling the management API: tenant, subject and role, set by the authorizer and read by every route.
import type { NextFunction, Request, Response } from 'express';
import { managementError } from '../management/management-errors';

export const ROLES = ['admin', 'publisher', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  /** Taken from the verified credential only, never from a header, path or body the client controls. */
  readonly tenantId: string;
  /** JWT `sub` or API key id. */
  readonly subject: string;
  readonly role: Role;
  readonly via: 'jwt' | 'api-key';
  /** How the audit trail names this caller: `user:<sub>` or `api-key:<id>`. */
  readonly actor: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function setCaller(res: Response, caller: Caller): void {
  res.locals.caller = caller;
}

/** The authenticated caller; throws if a route was mounted without the authorizer (a wiring bug, not a client error). */
export function callerOf(res: Response): Caller {
  const caller = res.locals.caller as Caller | undefined;
  if (!caller) throw new Error('management route reached without an authenticated caller');
  return caller;
}

/** Middleware allowing only the given roles (viewer cannot write). */
export function requireRole(...roles: Role[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const caller = callerOf(res);
    if (!roles.includes(caller.role)) {
      managementError(res, 403, 'NotAuthorized', `role ${caller.role} may not do this; needs ${roles.join(' or ')}`);
      return;
    }
    next();
  };
}

/** Roles that may write (create, update, delete) tenant data. */
export const WRITERS: Role[] = ['admin', 'publisher'];
