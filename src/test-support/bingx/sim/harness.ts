// Test harness for the simulator's own tests: a simulator on the carried contract snapshot
// with the default execution rules, real ccxt clients pointed at it, and scans.
import ccxt from 'ccxt';
import { EXECUTION, ExecutionRules } from '../../../engine/rules/index.js';
import { parseScan, type Scan } from '../../../model/index.js';
import { snapshotMarkets } from '../../../venues/bingx/markets.js';
import { BingxSim, type BingxSimOptions } from './index.js';

export const KEY = 'sim-api-key';
export const SECRET = 'sim-api-secret';
export const RULES = new ExecutionRules(snapshotMarkets(), EXECUTION);

export function startSim(o: Partial<BingxSimOptions> = {}): Promise<BingxSim> {
  return BingxSim.start({ apiKey: KEY, secret: SECRET, rules: RULES, balance: 1000, ...o });
}

/** ccxt's options for the simulator: its URLs, swap by default, no client-side throttling. */
function config(sim: BingxSim, o: Record<string, unknown>) {
  return {
    apiKey: KEY,
    secret: SECRET,
    urls: { api: sim.ccxtUrls() },
    options: { defaultType: 'swap' },
    enableRateLimit: false,
    ...o,
  };
}

export type Rest = InstanceType<typeof ccxt.bingx>;
export type Pro = InstanceType<typeof ccxt.pro.bingx>;

export function rest(sim: BingxSim, o: Record<string, unknown> = {}): Rest {
  return new ccxt.bingx(config(sim, o));
}

/** ccxt pro refuses a plain ws:// URL until its HTTP agent is loaded. */
export async function pro(sim: BingxSim, o: Record<string, unknown> = {}): Promise<Pro> {
  const ex = new ccxt.pro.bingx(config(sim, o));
  await ex.loadHttpProxyAgent();
  return ex;
}

/** A scan at `ts` with these prices (scan symbols) and, when given, a funding rate. */
export function scan(
  n: number,
  ts: number,
  prices: Record<string, number>,
  funding?: number,
): Scan {
  const raw = {
    scan_number: n,
    ts,
    vel_div: 0,
    prices,
    ...(funding === undefined ? {} : { acb: { funding_rate: funding } }),
  };
  const r = parseScan(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.value;
}

/** Resolves when `check` holds, polling each 5 ms (stream events arrive asynchronously). */
export async function until(check: () => boolean, what: string, ms = 2_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
