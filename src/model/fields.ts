// Field readers for checked constructors: each names the field it refuses.
import { InvalidInput } from './result.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObj(v: unknown, field: string): Obj {
  if (!isObj(v)) throw new InvalidInput(`${field}: expected an object`);
  return v;
}

export function rejectUnknown(o: Obj, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw new InvalidInput(`${where}${k}: unknown field`);
  }
}

export function finite(v: unknown, field: string): number {
  if (v === undefined) throw new InvalidInput(`${field}: missing`);
  if (typeof v !== 'number') throw new InvalidInput(`${field}: expected a number`);
  if (!Number.isFinite(v)) throw new InvalidInput(`${field}: not a finite number`);
  return v;
}

export function optFinite(v: unknown, field: string): number | null {
  return v === undefined || v === null ? null : finite(v, field);
}

export function integer(
  v: unknown,
  field: string,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const x = finite(v, field);
  if (!Number.isSafeInteger(x)) throw new InvalidInput(`${field}: expected an integer`);
  if (x < min) throw new InvalidInput(`${field}: must be >= ${min}`);
  if (x > max) throw new InvalidInput(`${field}: must be <= ${max}`);
  return x;
}

export function nonNegative(v: unknown, field: string): number {
  const x = finite(v, field);
  if (x < 0) throw new InvalidInput(`${field}: must be >= 0`);
  return x;
}

export function bool(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new InvalidInput(`${field}: expected true or false`);
  return v;
}

export function str(v: unknown, field: string): string {
  if (typeof v !== 'string') throw new InvalidInput(`${field}: expected a string`);
  return v;
}

export function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new InvalidInput(`${field}: expected one of ${values.join(', ')}`);
  }
  return v as T;
}
