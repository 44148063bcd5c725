// Request authentication as the venue checks it: the `X-BX-APIKEY` header, an HMAC-SHA256
// (hex) signature, and a timestamp within the receive window of the server clock. ccxt's
// bingx `sign()` signs `rawencode(params)` — the parameters NOT url-encoded, `k=v` joined by
// `&` — and sends `urlencode(params)&signature=…`, so the signed text is the query as
// received with every key and value decoded, in the order received, signature left out.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { refuse } from './errors.js';

/** A query string's parameters in order, decoded; null when one is not valid %-encoding. */
export function parseQuery(raw: string): [string, string][] | null {
  if (raw === '') return [];
  const out: [string, string][] = [];
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      out.push([decodeURIComponent(k), decodeURIComponent(v)]);
    } catch {
      return null;
    }
  }
  return out;
}

export interface Credentials {
  readonly apiKey: string;
  readonly secret: string;
  readonly recvWindowMs: number;
}

/** Throws the venue's refusal when the request is not the key holder's, signed, and fresh. */
export function authenticate(
  key: string | undefined,
  pairs: readonly [string, string][],
  c: Credentials,
  now: number,
): void {
  if (key === undefined || key === '') throw refuse.badKey('Null apiKey');
  if (key !== c.apiKey) throw refuse.badKey('Incorrect apiKey');
  const signature = pairs.find(([k]) => k === 'signature')?.[1];
  if (signature === undefined || signature === '') throw refuse.noSignature();
  const text = pairs
    .filter(([k]) => k !== 'signature')
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const expected = createHmac('sha256', c.secret).update(text).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refuse.badSignature();
  }
  const param = (name: string) => pairs.find(([k]) => k === name)?.[1];
  const ts = Number(param('timestamp'));
  const window = param('recvWindow') === undefined ? c.recvWindowMs : Number(param('recvWindow'));
  if (!Number.isSafeInteger(ts) || !(window > 0) || Math.abs(now - ts) > window) {
    throw refuse.staleTimestamp();
  }
}
