/**
 * Errors that services raise; the HTTP layer turns each kind into one problem+json status
 * (SPEC §3), so services stay free of HTTP.
 */
export type ServiceErrorKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict';

export interface InvalidField {
  /** dotted path of the offending field in the request body, e.g. `trainerOf.0` */
  field: string;
  detail: string;
}

export class ServiceError extends Error {
  constructor(
    readonly kind: ServiceErrorKind,
    readonly detail: string,
    readonly fields: InvalidField[] = [],
  ) {
    super(detail);
  }
}

export const notFound = (what: string, id: string) =>
  new ServiceError(
    'not_found',
    `No ${what} has the id ${JSON.stringify(id)}; check the id or list them first.`,
  );

export const conflict = (detail: string) => new ServiceError('conflict', detail);

export const invalid = (field: string, detail: string) =>
  new ServiceError('invalid', `Invalid ${field}: ${detail}`, [{ field, detail }]);

export const forbidden = (detail: string) => new ServiceError('forbidden', detail);

/** A unique index refused the write (PostgreSQL 23505), through drizzle's wrapping. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const pg = e as Error & { code?: unknown; constraint?: unknown };
    if (pg.code === '23505')
      return constraint === undefined || pg.constraint === constraint || e.message.includes(constraint);
  }
  return false;
}
