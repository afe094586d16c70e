/**
 * Compile-time equality of types, for the contract's checks (preload/shared/contract-schemas.ts). Two
 * types are equal when each is the other: same fields, same optional ones, same element types.
 * Assignability alone is not enough: `{ a: string }` fits `{ a: string; b?: string }` and back.
 */

/** `T` with intersections and nested objects spelled out as plain objects and tuples. */
export type Normalized<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends object
    ? { [K in keyof T]: Normalized<T[K]> }
    : T;

/** `true` when `A` and `B` are the same type once normalized, else `false`. */
export type Equals<A, B> =
  (<T>() => T extends Normalized<A> ? 1 : 2) extends <T>() => T extends Normalized<B> ? 1 : 2
    ? true
    : false;

/** Only `true` fits when `Mismatch` is `never`; otherwise the names that differ show in the error. */
export type Exact<Mismatch> = [Mismatch] extends [never] ? true : { mismatched: Mismatch };
