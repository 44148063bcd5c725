// Decision engine, SHADOW (seed V3c, issue 3 §4): on every decided scan it selects, sizes,
// runs the lanes, composes, maps exchange leverage and returns the journal row. It never
// sends an order and never looks at the slot; the slot state is only recorded beside.

import {
  BestIrp,
  compose,
  dcLane,
  esofLane,
  exchangeLeverage,
  type IrpScore,
  irpFromSums,
  KERNEL_VERSION,
  obLane,
  regimeLane,
  type SelectorParams,
  STABLECOIN_SYMBOLS,
} from '../kernel/index.js';
import { type Direction, postureOf, type Scan } from '../model/index.js';
import { configHash, type EngineConfig } from './config.js';
import { PriceHistory } from './history.js';
import { type DecisionRow, decisionRow } from './rows.js';

const STABLES: ReadonlySet<string> = new Set(STABLECOIN_SYMBOLS);
const DIRECTION: Direction = 'SHORT';

/**
 * What a scan's symbol list means to the engine, worked out once per list: the positions of
 * the symbols it decides on (stablecoins left out), that universe, and BTC's position.
 */
interface Universe {
  readonly symbols: readonly string[];
  readonly kept: readonly number[];
  readonly names: readonly string[];
  /** The names space-separated, as the universe table records them. */
  readonly text: string;
  readonly btc: number;
}

function universeOf(symbols: readonly string[]): Universe {
  const kept: number[] = [];
  for (let i = 0; i < symbols.length; i++) if (!STABLES.has(symbols[i] as string)) kept.push(i);
  const names = kept.map((i) => symbols[i] as string);
  return { symbols, kept, names, text: names.join(' '), btc: symbols.indexOf('BTCUSDT') };
}

/** The same symbols in the same order (a list is usually the very one of the scan before). */
function sameSymbols(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DecisionEngine {
  readonly history: PriceHistory;
  readonly configHash: string;
  private seq = 0;
  private readonly obScratch: number[] = [];
  private readonly irpScratch = { irpScore: 0, alignment: 0 };
  private readonly best = new BestIrp();
  private lastUniverse: string | null = null;
  private prices: Universe = universeOf([]);
  private book: Universe = universeOf([]);

  constructor(readonly config: EngineConfig) {
    const k = config.kernel;
    this.history = new PriceHistory(Math.max(k.selector.irp_lookback, k.dc.dc_lookback) + 1);
    this.configHash = configHash(config);
  }

  private pricesOf(symbols: readonly string[]): Universe {
    if (!sameSymbols(this.prices.symbols, symbols)) this.prices = universeOf(symbols);
    return this.prices;
  }

  private bookOf(symbols: readonly string[]): Universe {
    if (!sameSymbols(this.book.symbols, symbols)) this.book = universeOf(symbols);
    return this.book;
  }

  /**
   * Feeds a scan into the market state (every accepted scan, decided or not). Returns the
   * decision universe (non-stable symbols, space-separated) when it differs from the last.
   */
  observe(scan: Scan): string | null {
    this.seq++;
    const u = this.pricesOf(scan.symbols);
    for (const i of u.kept) {
      this.history.push(u.symbols[i] as string, scan.prices[i] as number, this.seq);
    }
    if (u.text === this.lastUniverse) return null;
    this.lastUniverse = u.text;
    return u.text;
  }

  /**
   * The selector (kernel `selectAsset`) over the universe, which holds no stablecoin: the
   * window sums of every symbol in one call to the history's SIMD kernel, then the kernel's
   * own rule on them (score from the sums, alignment floor, the best, ties to the smallest).
   */
  private select(universe: readonly string[], p: SelectorParams): IrpScore | null {
    const n = p.irp_lookback;
    const { sums, enough } = this.history.windowSums(universe, n, DIRECTION === 'SHORT' ? -1 : 1);
    const irp = this.irpScratch;
    const best = this.best.reset();
    for (let k = 0; k < universe.length; k++) {
      if (enough[k] === 0) continue;
      irpFromSums(
        sums[3 * k] as number,
        sums[3 * k + 1] as number,
        sums[3 * k + 2] as number,
        n,
        irp,
      );
      best.offer(universe[k] as string, irp, p);
    }
    return best.result();
  }

  /** Decides on the scan last observed, sizing against `capital`. */
  decide(scan: Scan, slotState: string, capital: number): DecisionRow {
    const c = this.config;
    const k = c.kernel;
    const u = this.pricesOf(scan.symbols);
    const universe = u.names;
    const pick = this.select(universe, k.selector);

    const regime = regimeLane(scan.acb, scan.w750_velocity, scan.mc_status, k.regime);
    const imb = this.obScratch;
    imb.length = 0;
    for (const i of this.bookOf(scan.obSymbols).kept) imb.push(scan.obImbalance[i] as number);
    const ob = obLane(imb, DIRECTION, k.ob);
    const esof = esofLane(scan.esof, scan.ts, k.esof);
    const posture = postureOf(scan);
    const dc =
      pick === null
        ? null
        : dcLane(
            this.history.ago(pick.symbol, 0) as number,
            this.history.ago(pick.symbol, k.dc.dc_lookback),
            DIRECTION,
            k.dc,
          );
    const dcMult = dc === null ? 1.0 : dc.mult;
    const scMult = c.profile === 'v3-shadow' ? esof.mult : c.sc_mult;
    const composed = compose(
      {
        profile: c.profile,
        velDiv: scan.vel_div,
        capital,
        dcMult,
        regimeMult: regime.regimeMult,
        obMult: ob.mult,
        esofMult: esof.mult,
        scMult,
        posture,
      },
      { sizer: k.sizer, clamp: k.clamp, sc: k.sc },
    );
    const actuated = pick !== null && composed.actuated;
    const reason = pick === null ? 'NO_CANDIDATE' : composed.reason;
    const leverage = actuated ? composed.leverage : null;
    const notional = actuated ? composed.notional : null;
    const btcIndex = u.btc;
    return decisionRow({
      instance_id: c.instance_id,
      scan_number: scan.scan_number,
      ts: scan.ts,
      profile: c.profile,
      actuated,
      reason,
      asset: pick?.symbol ?? null,
      direction: DIRECTION,
      vel_div: scan.vel_div,
      strength: composed.strength,
      base_leverage: composed.baseLeverage,
      irp_score: pick?.irpScore ?? null,
      irp_alignment: pick?.alignment ?? null,
      universe_size: universe.length,
      dc_status: dc?.status ?? null,
      dc_mult: dcMult,
      acb_boost: regime.acbBoost,
      meta_boost: regime.metaBoost,
      mc_scale: regime.mcScale,
      regime_mult: regime.regimeMult,
      ob_mult: ob.mult,
      esof_score: esof.score,
      esof_stale: esof.stale,
      esof_mult: esof.mult,
      sc_mult: scMult,
      posture,
      clamped_max: actuated ? composed.clampedMax : null,
      leverage,
      fraction: actuated ? composed.fraction : null,
      capital,
      notional,
      notional_fraction: notional === null ? null : notional / capital,
      exchange_leverage:
        leverage === null ? null : exchangeLeverage(c.exchange.policy, leverage, c.exchange.cap),
      slot_state: slotState,
      btc_price: btcIndex < 0 ? null : (scan.prices[btcIndex] as number),
      btc_ma99: scan.btc_ma99,
      regime_label: scan.regime_label,
      composite_hash: scan.composite_hash,
      kernel_version: KERNEL_VERSION,
      config_hash: this.configHash,
    });
  }
}
