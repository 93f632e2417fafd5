/**
 * Base of every error bulwark throws. Each module declares its own subclasses in its `errors.ts`
 * with a stable string `code` (documented in docs/errors.md); callers narrow on `code`, never on
 * message text. Denials are not errors: they are Decision values.
 */
export class BulwarkError<C extends string = string> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export function isBulwarkError(value: unknown): value is BulwarkError {
  return value instanceof BulwarkError;
}

/** Message of anything thrown, for logs and fail-closed reasons. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
