// JSON the way CPython's json.dumps(separators=(",", ":")) writes it, so a line we
// print reads back as the exact double in Python and compares byte for byte.

/** Marks a number that Python holds as an int (printed without ".0"). */
export class PyInt {
  constructor(readonly value: number) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | string
  | PyInt
  | readonly PyValue[]
  | { readonly [k: string]: PyValue };

/** float.__repr__: shortest round-trip digits, exponent form when decpt <= -4 or > 16. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mant = '', exp = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mant.replace('.', '');
  const decpt = Number(exp) + 1;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const tail = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const ee = String(Math.abs(e)).padStart(2, '0');
    return `${sign}${digits[0]}${tail}e${e < 0 ? '-' : '+'}${ee}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

export function pyIntRepr(x: number): string {
  return Number.isSafeInteger(x) ? String(x) : BigInt(x).toString();
}

const NON_ASCII = /[\u007f-\uffff]/g;

export function pyString(s: string): string {
  return JSON.stringify(s).replace(
    NON_ASCII,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Numbers that are integers print as ints unless told otherwise; use for echoed values. */
export function dumps(v: PyValue, numbersAsFloat = true): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return numbersAsFloat ? pyFloatRepr(v) : echoNumber(v);
  if (typeof v === 'string') return pyString(v);
  if (v instanceof PyInt) return pyIntRepr(v.value);
  if (Array.isArray(v)) return `[${v.map((x) => dumps(x, numbersAsFloat)).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of Object.entries(v)) parts.push(`${pyString(k)}:${dumps(x, numbersAsFloat)}`);
  return `{${parts.join(',')}}`;
}

function echoNumber(x: number): string {
  return Number.isInteger(x) ? pyIntRepr(x) : pyFloatRepr(x);
}

/** Echoes a decoded JSON value the way it most likely was written (ints stay ints). */
export function dumpsEcho(v: unknown): string {
  return dumps(v as PyValue, false);
}
