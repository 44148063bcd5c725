import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ESOF, OB, obLane, REGIME, STABLECOIN_SYMBOLS } from '../../kernel/index.js';
import { POSTURES, parseScanLine, postureOf, type Scan } from '../../model/index.js';
import { DEFAULT_START_TS, type SyntheticOptions, scanLine, syntheticScans } from './index.js';

function digest(o: SyntheticOptions): string {
  const h = createHash('sha256');
  for (const scan of syntheticScans(o)) h.update(`${scanLine(scan)}\n`);
  return h.digest('hex');
}

function* parsed(o: SyntheticOptions): Generator<Scan> {
  for (const scan of syntheticScans(o)) {
    const r = parseScanLine(scanLine(scan));
    if (!r.ok) throw new Error(`scan ${String(scan.scan_number)}: ${r.reason}`);
    yield r.value;
  }
}

describe('syntheticScans: reproducible', () => {
  const o = { scans: 2000, assets: 40, seed: 7, stepMs: 5000 };

  it('gives byte-identical output for the same options', () => {
    expect(digest(o)).toBe(digest({ ...o }));
  });

  it('gives a different market for a different seed', () => {
    expect(digest(o)).not.toBe(digest({ ...o, seed: 8 }));
  });

  it('numbers scans by their time (ts / stepMs) at startTs + i × stepMs, fields in SPEC §2 order', () => {
    const scans = [...syntheticScans({ scans: 3, assets: 2, seed: 1, stepMs: 1000, startTs: 5 })];
    expect(scans.map((s) => [s.scan_number, s.ts])).toEqual([
      [0, 5],
      [1, 1005],
      [2, 2005],
    ]);
    // A later span numbers on from its own time: two days never share a scan number.
    const later = [
      ...syntheticScans({ scans: 2, assets: 2, seed: 1, stepMs: 1000, startTs: 86_400_500 }),
    ];
    expect(later.map((s) => [s.scan_number, s.ts])).toEqual([
      [86_400, 86_400_500],
      [86_401, 86_401_500],
    ]);
    const first = syntheticScans({ scans: 1, assets: 2, seed: 1, stepMs: 5000 }).next().value;
    expect(first?.ts).toBe(DEFAULT_START_TS);
    expect(Object.keys(JSON.parse(scanLine(scans[0] ?? {})))).toEqual([
      'scan_number',
      'ts',
      'vel_div',
      'w50_velocity',
      'w150_velocity',
      'w300_velocity',
      'w750_velocity',
      'prices',
      'ob_imbalance',
      'acb',
      'mc_status',
      'esof',
      'posture',
      'btc_ma99',
      'regime_label',
      'composite_hash',
    ]);
  });
});

interface Observed {
  scans: number;
  belowThreshold: number;
  spikes: number;
  postures: Set<string>;
  mcStatuses: Set<string>;
  /** Longest run of scans without each posture. */
  postureGap: Map<string, number>;
  esofStale: number;
  esofAbsent: number;
  acbCrossings: { funding: number; dvol: number; fearGreed: number; takerRatio: number };
  w750BeyondCap: number;
  obBoosts: number;
  obCuts: number;
  stablecoinsEveryScan: boolean;
  stablecoinWithImbalance: boolean;
  stablecoinsLast: boolean;
  ma99Error: number;
}

// One pass over seed 1's first 20,000 scans (40 assets), every scan read back through parseScan.
function observe(): Observed {
  const stable = new Set(STABLECOIN_SYMBOLS);
  const seen: Observed = {
    scans: 0,
    belowThreshold: 0,
    spikes: 0,
    postures: new Set(),
    mcStatuses: new Set(),
    postureGap: new Map(POSTURES.map((p) => [p, 0])),
    esofStale: 0,
    esofAbsent: 0,
    acbCrossings: { funding: 0, dvol: 0, fearGreed: 0, takerRatio: 0 },
    w750BeyondCap: 0,
    obBoosts: 0,
    obCuts: 0,
    stablecoinsEveryScan: true,
    stablecoinWithImbalance: false,
    stablecoinsLast: false,
    ma99Error: 0,
  };
  const lastSeen = new Map<string, number>(POSTURES.map((p) => [p, -1]));
  let index = -1;
  const btc: number[] = [];
  for (const s of parsed({ scans: 20_000, assets: 40, seed: 1, stepMs: 5000 })) {
    seen.scans++;
    index++;
    if (s.vel_div < -0.02) seen.belowThreshold++;
    if (s.vel_div < -100) seen.spikes++;
    seen.postures.add(postureOf(s));
    if (s.mc_status !== null) seen.mcStatuses.add(s.mc_status);
    lastSeen.set(postureOf(s), index);
    for (const [p, at] of lastSeen) {
      seen.postureGap.set(p, Math.max(seen.postureGap.get(p) ?? 0, index - at));
    }
    if (s.esof === null) seen.esofAbsent++;
    else if (s.ts - s.esof.ts > ESOF.esof_max_age_ms) seen.esofStale++;
    const acb = s.acb;
    const x = seen.acbCrossings;
    if (acb?.funding_rate != null && acb.funding_rate < REGIME.acb_funding_below) x.funding++;
    if (acb?.dvol != null && acb.dvol > REGIME.acb_dvol_above) x.dvol++;
    if (acb?.fear_greed != null && acb.fear_greed < REGIME.acb_fear_greed_below) x.fearGreed++;
    if (acb?.taker_ratio != null && acb.taker_ratio < REGIME.acb_taker_ratio_below) x.takerRatio++;
    if (s.w750_velocity !== null && s.w750_velocity < -0.05) seen.w750BeyondCap++;
    const ob = obLane(s.obImbalance, 'SHORT', OB).mult;
    if (ob > 1) seen.obBoosts++;
    if (ob < 1) seen.obCuts++;
    const stables = s.symbols.filter((sym) => stable.has(sym));
    if (stables.length !== STABLECOIN_SYMBOLS.length) seen.stablecoinsEveryScan = false;
    if (s.obSymbols.some((sym) => stable.has(sym))) seen.stablecoinWithImbalance = true;
    if (s.symbols.slice(-stables.length).every((sym) => stable.has(sym))) {
      seen.stablecoinsLast = true;
    }
    btc.push(s.prices[s.symbols.indexOf('BTCUSDT')] as number);
    if (btc.length > 99) btc.shift();
    const ma = btc.reduce((a, b) => a + b, 0) / btc.length;
    seen.ma99Error = Math.max(seen.ma99Error, Math.abs((s.btc_ma99 ?? 0) - ma));
  }
  return seen;
}

describe('syntheticScans: a realistic market (seed 1, 20,000 scans × 40 assets)', () => {
  const seen = observe();

  it('emits only scans that parseScan accepts', () => {
    expect(seen.scans).toBe(20_000);
  });

  it('prices all 10 stablecoins in every scan, spread among the assets, with no imbalance', () => {
    expect(seen.stablecoinsEveryScan).toBe(true);
    expect(seen.stablecoinsLast).toBe(false);
    expect(seen.stablecoinWithImbalance).toBe(false);
  });

  it('puts 15–40% of scans below the −0.02 threshold and has −100…−605 spikes', () => {
    const share = seen.belowThreshold / seen.scans;
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.4);
    expect(seen.spikes).toBeGreaterThan(0);
  });

  it('shows every posture within any 5,000 scans and every MC status', () => {
    expect([...seen.postures].sort()).toEqual(['APEX', 'HIBERNATE', 'STALKER']);
    for (const gap of seen.postureGap.values()) expect(gap).toBeLessThan(5000);
    expect([...seen.mcStatuses].sort()).toEqual(['GREEN', 'ORANGE', 'RED']);
  });

  it('has EsoF scores older than 900 s and scans without EsoF', () => {
    expect(seen.esofStale).toBeGreaterThan(0);
    expect(seen.esofAbsent).toBeGreaterThan(0);
  });

  it('crosses every ACB signal threshold and the meta cap (w750 < −0.05)', () => {
    for (const n of Object.values(seen.acbCrossings)) expect(n).toBeGreaterThan(0);
    expect(seen.w750BeyondCap).toBeGreaterThan(0);
  });

  it('makes the OB lane both boost and cut', () => {
    expect(seen.obBoosts).toBeGreaterThan(0);
    expect(seen.obCuts).toBeGreaterThan(0);
  });

  it("carries btc_ma99 as the mean of BTC's last 99 prices", () => {
    expect(seen.ma99Error).toBeLessThanOrEqual(0.005 + 1e-6);
  });
});
