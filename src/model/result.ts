// Errors a user can cause travel as values; bugs throw.
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string): Result<T> => ({ ok: false, reason });

/** Thrown only inside a parser, caught at its boundary and turned into a Result. */
export class InvalidInput extends Error {}

export function guard<T>(parse: () => T): Result<T> {
  try {
    return ok(parse());
  } catch (e) {
    if (e instanceof InvalidInput) return fail(e.message);
    throw e;
  }
}
