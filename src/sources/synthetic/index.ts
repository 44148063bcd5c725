// Seeded synthetic market (`violet gen scans`): realistic SPEC §2 scans that reach every
// branch of the SPEC §3 lanes, streamed one at a time and byte-reproducible from the seed.
import { Rng } from '../../common/rng/index.js';
import { ESOF, STABLECOIN_SYMBOLS } from '../../kernel/params/index.js';
import type { McStatus, Posture } from '../../model/index.js';

export interface SyntheticOptions {
  scans: number;
  assets: number;
  seed: number;
  stepMs: number;
  startTs?: number;
}

export const DEFAULT_STEP_MS = 5000;
/** 2026-06-09T10:13:20Z: a fixed epoch, so output never depends on the wall clock. */
export const DEFAULT_START_TS = 1_781_000_000_000;

export { scanLine } from '../../model/line.js';

// Binance-style names and plausible starting prices; later assets get synthetic names.
const LISTED: readonly (readonly [string, number])[] = [
  ['BTCUSDT', 60000],
  ['ETHUSDT', 3000],
  ['SOLUSDT', 150],
  ['BNBUSDT', 580],
  ['XRPUSDT', 0.6],
  ['ADAUSDT', 0.45],
  ['DOGEUSDT', 0.15],
  ['AVAXUSDT', 30],
  ['LINKUSDT', 15],
  ['DOTUSDT', 6.5],
  ['TRXUSDT', 0.12],
  ['LTCUSDT', 80],
  ['BCHUSDT', 400],
  ['ZECUSDT', 40],
  ['ATOMUSDT', 8],
  ['NEARUSDT', 5],
  ['UNIUSDT', 9],
  ['ETCUSDT', 25],
  ['XLMUSDT', 0.11],
  ['FILUSDT', 5],
  ['APTUSDT', 9],
  ['ARBUSDT', 0.9],
  ['OPUSDT', 2],
  ['SUIUSDT', 1.5],
  ['INJUSDT', 25],
  ['AAVEUSDT', 150],
];

const EURO_PEGGED = new Set(['EURUSDT', 'AEURUSDT']);

type Regime = 'bull' | 'bear' | 'choppy-bearish';

// Per-scan market behaviour of each regime and the levels the slow planes drift toward.
interface RegimeTraits {
  readonly hash: string;
  readonly drift: number;
  readonly vol: number;
  readonly burstOdds: number;
  readonly w750: number;
  readonly fundingRate: number;
  readonly dvol: number;
  readonly fearGreed: number;
  readonly takerRatio: number;
  /** Picked from uniformly when the regime ends: repeats weight the choice. */
  readonly next: readonly Regime[];
}

const REGIMES: Readonly<Record<Regime, RegimeTraits>> = {
  bull: {
    hash: 'bu',
    drift: 3.5e-5,
    vol: 2.0e-4,
    burstOdds: 0.004,
    w750: 0.012,
    fundingRate: 0.0001,
    dvol: 55,
    fearGreed: 65,
    takerRatio: 1.04,
    next: ['choppy-bearish', 'choppy-bearish', 'bear'],
  },
  bear: {
    hash: 'be',
    drift: -2.5e-5,
    vol: 3.5e-4,
    burstOdds: 0.012,
    w750: -0.035,
    fundingRate: -0.00009,
    dvol: 85,
    fearGreed: 20,
    takerRatio: 0.93,
    next: ['choppy-bearish', 'choppy-bearish', 'bull'],
  },
  'choppy-bearish': {
    hash: 'cb',
    drift: -2e-6,
    vol: 3.0e-4,
    burstOdds: 0.0085,
    w750: -0.015,
    fundingRate: -0.00002,
    dvol: 70,
    fearGreed: 35,
    takerRatio: 0.97,
    next: ['bull', 'bear'],
  },
};
const REGIME_NAMES = Object.keys(REGIMES) as Regime[];

const MC_DWELL: Readonly<Record<McStatus, readonly [number, number]>> = {
  GREEN: [400, 4000],
  ORANGE: [100, 600],
  RED: [50, 400],
};
const MC_NEXT: Readonly<Record<McStatus, readonly McStatus[]>> = {
  GREEN: ['ORANGE', 'ORANGE', 'RED'],
  ORANGE: ['GREEN', 'GREEN', 'RED'],
  RED: ['ORANGE', 'GREEN'],
};

// Mostly APEX; STALKER and HIBERNATE each come back within 1800 + 1200 + 1800 < 5000 scans.
interface PostureSpell {
  readonly posture: Posture;
  readonly dwell: readonly [number, number];
}
const POSTURE_CYCLE: readonly PostureSpell[] = [
  { posture: 'APEX', dwell: [500, 1800] },
  { posture: 'STALKER', dwell: [500, 1200] },
  { posture: 'APEX', dwell: [500, 1800] },
  { posture: 'HIBERNATE', dwell: [500, 1200] },
];

const REGIME_DWELL = [300, 3000] as const;
const LABEL_DWELL = [20, 200] as const;
const LABEL_TRUE_ODDS = 0.7;
/** Market vol used to normalise each asset's return into its order-book momentum. */
const REFERENCE_VOL = 3.0e-4;
/** Pull of each log price back toward its start, and the hard band around it. */
const PRICE_REVERSION = 2e-5;
const LOG_PRICE_BAND = 3;
const MOMENTUM_ALPHA = 0.1;
const OB_MOMENTUM_GAIN = 0.5;
const OB_NOISE = 0.08;
const OB_DROPOUT_ODDS = 0.05;
const VEL_DIV_CALM = 0.005;
const BURST_LEN = [10, 80] as const;
/** Extra market drift while vel_div is in a breakdown burst: the signal has an edge. */
const BURST_DRIFT = -1.5e-5;
const SPIKE_ODDS = 1 / 3000;
const ESOF_REFRESH = [40, 80] as const;
const ESOF_STALL_ODDS = 0.05;
const ESOF_OUTAGE_ODDS = 0.03;
const ACB_DROPOUT_ODDS = 0.03;

const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
const roundTo = (x: number, scale: number) => Math.round(x * scale) / scale;

/** One AR(1) step toward `mean`; `sd` is the stationary spread. */
function revert(rng: Rng, x: number, mean: number, phi: number, sd: number): number {
  return mean + phi * (x - mean) + sd * Math.sqrt(1 - phi * phi) * rng.normal();
}

/** A state that holds for a drawn number of scans, then hands over to the next. */
class Spells<T> {
  private left: number;

  constructor(
    private readonly rng: Rng,
    private state: T,
    private readonly dwell: (s: T) => readonly [number, number],
    private readonly after: (s: T) => T,
  ) {
    this.left = this.draw();
  }

  step(): T {
    if (this.left === 0) {
      this.state = this.after(this.state);
      this.left = this.draw();
    }
    this.left--;
    return this.state;
  }

  private draw(): number {
    const [lo, hi] = this.dwell(this.state);
    return this.rng.int(lo, hi);
  }
}

/** Sticky around +0.005, breakdown bursts below −0.02, rare eigenvalue spikes (seed §9). */
class VelDiv {
  private x = VEL_DIV_CALM;
  private burstLeft = 0;
  private burstLevel = 0;
  private spikeLeft = 0;
  /** In a breakdown burst this scan (the market leans down with it). */
  bursting = false;

  constructor(private readonly rng: Rng) {}

  step(t: RegimeTraits): number {
    const rng = this.rng;
    if (this.spikeLeft > 0 || rng.chance(SPIKE_ODDS)) {
      this.spikeLeft = this.spikeLeft > 0 ? this.spikeLeft - 1 : rng.int(0, 2);
      return -rng.uniform(100, 605);
    }
    if (this.burstLeft === 0 && rng.chance(t.burstOdds)) {
      this.burstLeft = rng.int(BURST_LEN[0], BURST_LEN[1]);
      // −0.025…−0.065, median ≈ −0.035 (seed §9: conviction p50 at vel_div −0.0337)
      const u = rng.next();
      this.burstLevel = -0.025 - 0.04 * u * u;
    }
    this.bursting = this.burstLeft > 0;
    if (this.bursting) this.burstLeft--;
    const target = this.bursting ? this.burstLevel : VEL_DIV_CALM;
    this.x = revert(rng, this.x, target, 0.8, this.bursting ? 0.01 : 0.008);
    return this.x;
  }
}

/** The four per-window λmax velocities, slow windows following the regime. */
class Velocities {
  private w50 = 0;
  private w150 = 0;
  private w300 = 0;
  private w750 = 0;

  constructor(private readonly rng: Rng) {}

  step(t: RegimeTraits) {
    const rng = this.rng;
    this.w50 = revert(rng, this.w50, 0.5 * t.w750, 0.9, 0.03);
    this.w150 = revert(rng, this.w150, 0.7 * t.w750, 0.97, 0.025);
    this.w300 = revert(rng, this.w300, t.w750, 0.99, 0.02);
    this.w750 = clamp(revert(rng, this.w750, t.w750, 0.998, 0.02), -0.08, 0.05);
    return { w50: this.w50, w150: this.w150, w300: this.w300, w750: this.w750 };
  }
}

/** The ACB plane: slow levels drifting toward the regime's, each field dropping out at times. */
class AcbPlane {
  private fundingRate = 0;
  private dvol = 65;
  private fearGreed = 45;
  private takerRatio = 1;

  constructor(private readonly rng: Rng) {}

  step(t: RegimeTraits) {
    const rng = this.rng;
    this.fundingRate = clamp(
      revert(rng, this.fundingRate, t.fundingRate, 0.999, 0.0001),
      -0.0003,
      0.0003,
    );
    this.dvol = clamp(revert(rng, this.dvol, t.dvol, 0.9995, 10), 40, 110);
    this.fearGreed = clamp(revert(rng, this.fearGreed, t.fearGreed, 0.9995, 10), 5, 90);
    this.takerRatio = clamp(revert(rng, this.takerRatio, t.takerRatio, 0.97, 0.05), 0.8, 1.2);
    const dvol = roundTo(this.dvol, 100);
    const acb: Record<string, number> = {};
    if (!rng.chance(ACB_DROPOUT_ODDS)) acb.funding_rate = roundTo(this.fundingRate, 1e8);
    if (!rng.chance(ACB_DROPOUT_ODDS)) acb.dvol = dvol;
    if (!rng.chance(ACB_DROPOUT_ODDS)) acb.fear_greed = Math.round(this.fearGreed);
    if (!rng.chance(ACB_DROPOUT_ODDS)) acb.taker_ratio = roundTo(this.takerRatio, 1e4);
    return { acb, dvol };
  }
}

/** EsoF score plane: refreshed every ~60 scans, with stalls past the stale age and outages. */
class EsofPlane {
  private esof: { score: number; ts: number } | undefined;
  private untilRefresh = 0;
  private readonly stallScans: number;

  constructor(
    private readonly rng: Rng,
    stepMs: number,
  ) {
    this.stallScans = Math.ceil(ESOF.esof_max_age_ms / stepMs);
  }

  step(ts: number) {
    const rng = this.rng;
    if (this.untilRefresh === 0) {
      this.esof = rng.chance(ESOF_OUTAGE_ODDS) ? undefined : { score: this.score(), ts };
      this.untilRefresh = rng.chance(ESOF_STALL_ODDS)
        ? this.stallScans + rng.int(10, 400)
        : rng.int(ESOF_REFRESH[0], ESOF_REFRESH[1]);
    }
    this.untilRefresh--;
    return this.esof && { score: this.esof.score, ts: this.esof.ts };
  }

  /** Mostly spread over [−1, 1]; some mass on and around the ±EDGE boundaries. */
  private score(): number {
    const rng = this.rng;
    if (rng.chance(0.15)) {
      const edge = rng.pick([-ESOF.esof_edge, ESOF.esof_edge]);
      return roundTo(edge + rng.int(-3, 3) / 1e4, 1e4);
    }
    return roundTo(clamp(0.35 * rng.normal(), -1, 1), 1e4);
  }
}

interface Asset {
  readonly symbol: string;
  readonly logStart: number;
  readonly beta: number;
  readonly idioVol: number;
  /** Spread of one scan's return, to normalise momentum across assets. */
  readonly scale: number;
  /** Price ticks per unit: 7 significant digits at the start price, like an exchange tick. */
  readonly ticks: number;
}

function listAssets(rng: Rng, n: number): Asset[] {
  const assets: Asset[] = [];
  for (let i = 0; i < n; i++) {
    const listed = LISTED[i];
    const symbol = listed ? listed[0] : `X${String(i).padStart(3, '0')}USDT`;
    const start = listed
      ? listed[1] * Math.exp(rng.uniform(-0.05, 0.05))
      : Math.exp(rng.uniform(Math.log(0.01), Math.log(100)));
    const beta = i === 0 ? 1 : rng.uniform(0.8, 1.6);
    const idioVol = i === 0 ? 8e-5 : rng.uniform(1.5e-4, 6e-4);
    const scale = Math.sqrt(beta * REFERENCE_VOL * (beta * REFERENCE_VOL) + idioVol * idioVol);
    const ticks = 10 ** Math.max(0, 6 - Math.floor(Math.log10(start)));
    assets.push({ symbol, logStart: Math.log(start), beta, idioVol, scale, ticks });
  }
  return assets;
}

/** Price-map order: the assets with the stablecoins spread among them (the first is BTC). */
function priceOrder(assets: number): number[] {
  const slots: { key: number; slot: number }[] = [];
  for (let i = 0; i < assets; i++) slots.push({ key: i, slot: i });
  STABLECOIN_SYMBOLS.forEach((_, k) => {
    slots.push({ key: ((k + 1) * assets) / (STABLECOIN_SYMBOLS.length + 1), slot: -1 - k });
  });
  return slots.sort((a, b) => a.key - b.key).map((s) => s.slot);
}

/** Correlated one-factor log-price walk per asset, its order-book lean, and the pegs. */
class Book {
  private readonly logPrice: Float64Array;
  private readonly momentum: Float64Array;
  private readonly lean: Float64Array;
  private readonly price: Float64Array;
  private readonly pegDev: Float64Array;
  private readonly order: number[];

  constructor(
    private readonly rng: Rng,
    private readonly assets: readonly Asset[],
  ) {
    this.logPrice = Float64Array.from(assets, (a) => a.logStart);
    this.momentum = new Float64Array(assets.length);
    this.lean = new Float64Array(assets.length);
    this.price = new Float64Array(assets.length);
    this.pegDev = new Float64Array(STABLECOIN_SYMBOLS.length);
    this.order = priceOrder(assets.length);
  }

  /** One scan: the market factor moves every asset by its beta, plus its own noise. */
  step(drift: number, vol: number) {
    const rng = this.rng;
    const marketMove = drift + vol * rng.normal();
    const n = this.assets.length;
    for (let i = 0; i < n; i++) {
      const a = this.assets[i] as Asset;
      const logPrice = this.logPrice[i] as number;
      const r =
        a.beta * marketMove + a.idioVol * rng.normal() - PRICE_REVERSION * (logPrice - a.logStart);
      const next = clamp(logPrice + r, a.logStart - LOG_PRICE_BAND, a.logStart + LOG_PRICE_BAND);
      this.logPrice[i] = next;
      this.price[i] = roundTo(Math.exp(next), a.ticks);
      const m = this.momentum[i] as number;
      this.momentum[i] = m + MOMENTUM_ALPHA * (r / a.scale - m);
      this.lean[i] = revert(rng, this.lean[i] as number, 0, 0.995, 0.04);
    }
    const missing = new Set<number>();
    if (rng.chance(OB_DROPOUT_ODDS)) {
      for (let d = rng.int(1, 3); d > 0; d--) missing.add(rng.int(0, n - 1));
    }
    const prices: Record<string, number> = {};
    const obImbalance: Record<string, number> = {};
    for (const slot of this.order) {
      if (slot < 0) {
        const k = -1 - slot;
        const symbol = STABLECOIN_SYMBOLS[k] as string;
        const euro = EURO_PEGGED.has(symbol);
        const dev = revert(
          rng,
          this.pegDev[k] as number,
          0,
          euro ? 0.9995 : 0.9,
          euro ? 4e-3 : 2e-4,
        );
        this.pegDev[k] = dev;
        prices[symbol] = roundTo((euro ? 1.08 : 1) * Math.exp(dev), 1e4);
        continue;
      }
      const symbol = (this.assets[slot] as Asset).symbol;
      prices[symbol] = this.price[slot] as number;
      if (missing.has(slot)) continue;
      const ob =
        OB_MOMENTUM_GAIN * (this.momentum[slot] as number) +
        (this.lean[slot] as number) +
        OB_NOISE * rng.normal();
      obImbalance[symbol] = roundTo(clamp(ob, -1, 1), 1e4);
    }
    return { prices, obImbalance, btc: this.price[0] as number };
  }
}

/** BTC's simple moving average over its last 99 prices (fewer at the start). */
class Ma99 {
  private readonly ring = new Float64Array(99);
  private count = 0;

  push(price: number): number {
    this.ring[this.count % 99] = price;
    this.count++;
    const n = this.count < 99 ? this.count : 99;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += this.ring[i] as number;
    return sum / n;
  }
}

function dvolBucket(dvol: number): string {
  return dvol > 80 ? 'hi' : dvol >= 60 ? 'mid' : 'lo';
}

/** The seeded market, one plain JSON-ready scan at a time; state does not grow with `scans`. */
export function* syntheticScans(o: SyntheticOptions): Generator<Record<string, unknown>> {
  if (!(o.assets >= 1 && o.stepMs >= 1)) throw new RangeError('assets and stepMs must be >= 1');
  const planes = new Rng(o.seed);
  const bookRng = new Rng(planes.u32());
  const book = new Book(bookRng, listAssets(bookRng, o.assets));
  const startTs = o.startTs ?? DEFAULT_START_TS;
  let truth: Regime = planes.pick(REGIME_NAMES);
  const regime = new Spells<Regime>(
    planes,
    truth,
    () => REGIME_DWELL,
    (r) => planes.pick(REGIMES[r].next),
  );
  const label = new Spells<Regime>(
    planes,
    noisyLabel(planes, truth),
    () => LABEL_DWELL,
    () => noisyLabel(planes, truth),
  );
  const mc = new Spells<McStatus>(
    planes,
    'GREEN',
    (s) => MC_DWELL[s],
    (s) => planes.pick(MC_NEXT[s]),
  );
  const posture = new Spells<number>(
    planes,
    0,
    (i) => (POSTURE_CYCLE[i] as PostureSpell).dwell,
    (i) => (i + 1) % POSTURE_CYCLE.length,
  );
  const velDiv = new VelDiv(planes);
  const velocities = new Velocities(planes);
  const acbPlane = new AcbPlane(planes);
  const esofPlane = new EsofPlane(planes, o.stepMs);
  const ma99 = new Ma99();
  for (let i = 0; i < o.scans; i++) {
    const ts = startTs + i * o.stepMs;
    truth = regime.step();
    const t = REGIMES[truth];
    const vd = velDiv.step(t);
    const w = velocities.step(t);
    const { acb, dvol } = acbPlane.step(t);
    const mcStatus = mc.step();
    const esof = esofPlane.step(ts);
    const postureNow = (POSTURE_CYCLE[posture.step()] as PostureSpell).posture;
    const regimeLabel = label.step();
    const { prices, obImbalance, btc } = book.step(
      t.drift + (velDiv.bursting ? BURST_DRIFT : 0),
      t.vol,
    );
    const btcMa99 = roundTo(ma99.push(btc), 100);
    yield {
      // From the scan time, so archives of different spans never share a number.
      scan_number: Math.floor(ts / o.stepMs),
      ts,
      vel_div: vd,
      w50_velocity: w.w50,
      w150_velocity: w.w150,
      w300_velocity: w.w300,
      w750_velocity: w.w750,
      prices,
      ob_imbalance: obImbalance,
      acb,
      mc_status: mcStatus,
      esof,
      posture: postureNow,
      btc_ma99: btcMa99,
      regime_label: regimeLabel,
      composite_hash: `${t.hash}|${btc > btcMa99 ? 'hi' : 'lo'}|${dvolBucket(dvol)}`,
    };
  }
}

/** MARAS-style label (seed §6: unreliable): the true regime about 70% of the time. */
function noisyLabel(rng: Rng, truth: Regime): Regime {
  if (rng.chance(LABEL_TRUE_ODDS)) return truth;
  return rng.pick(REGIME_NAMES.filter((r) => r !== truth));
}
