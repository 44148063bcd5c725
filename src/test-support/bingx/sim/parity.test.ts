// Parity with the mock exchange: the same scans through MockExchange and, order for order,
// through ccxt against the simulator (taker and maker entries, timeouts, exits, funding,
// liquidation) give the same fills — price, quantity and fee to the bit — and the same
// capital. This is what lets a backtest and a run on the simulator be compared byte for byte.
import ccxt, { type Trade } from 'ccxt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PositionBook } from '../../../engine/book.js';
import { MockExchange } from '../../../engine/exchange.js';
import { EXITS } from '../../../engine/exits.js';
import type { LegRow, TradeRow } from '../../../engine/rows.js';
import { EXECUTION, type ExecutionParams } from '../../../engine/rules/index.js';
import { decision, scan, T0 } from '../../execution.js';
import { rulesOf } from '../../markets.js';
import { KEY, rest, SECRET } from './harness.js';
import { BingxSim } from './index.js';

const SYM = 'AAA/USDT:USDT';
/** The venue's listing of the test market `AAAUSDT` (tick and step 10^-4, no value minimum). */
const CONTRACTS = {
  code: 0,
  msg: '',
  data: [
    {
      symbol: 'AAA-USDT',
      pricePrecision: '4',
      quantityPrecision: '4',
      tradeMinQuantity: '0.0001',
      tradeMinUSDT: '0',
      maxShortLeverage: '50',
      currency: 'USDT',
      status: '1',
      apiStateOpen: 'true',
      apiStateClose: 'true',
    },
  ],
};
/** Three hours a scan: funding marks fall between scans. */
const STEP_MS = 3 * 3_600_000;

interface Step {
  readonly move: number;
  readonly funding: number;
  readonly notional: number;
  readonly leverage: number;
}

const steps = fc.array(
  fc.record({
    move: fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: -0.012, max: 0.012, noNaN: true }) },
      { weight: 1, arbitrary: fc.constant(0.04) },
    ),
    funding: fc.constantFrom(0, 0.0001, -0.0003),
    notional: fc.integer({ min: 50, max: 4_000 }),
    leverage: fc.integer({ min: 1, max: 50 }),
  }),
  { minLength: 3, maxLength: 25 },
);

const params = fc.record({
  entry_order: fc.constantFrom('taker' as const, 'maker' as const),
  maker_on_timeout: fc.constantFrom('cancel' as const, 'taker' as const),
  slippage_bps: fc.integer({ min: 0, max: 5 }),
});

/** Runs the path on both; returns the mock's trades and legs and the simulator's fills. */
async function both(path: readonly Step[], p: Partial<ExecutionParams>) {
  const x: ExecutionParams = {
    ...EXECUTION,
    ...p,
    caps: { ...EXECUTION.caps, max_exchange_leverage: 50 },
  };
  const rules = rulesOf(x);
  const market = rules.markets.bySymbol('AAAUSDT');
  if (market === null) throw new Error('no AAAUSDT');
  const mock = new MockExchange('p', 1_000, rules, EXITS);
  const sim = await BingxSim.start({
    apiKey: KEY,
    secret: SECRET,
    rules,
    balance: 1_000,
    contracts: CONTRACTS,
  });
  const ex = rest(sim);
  const out = { trades: [] as TradeRow[], legs: [] as LegRow[] };
  // The mock hands out a trade's legs when it closes; the ones filled on a scan are in its
  // book (read here, past `private`) until then, and the venue must get them on that scan.
  const book = (mock as unknown as { book: PositionBook }).book;
  /** The resting maker entry: its id, quantity and leverage. */
  let resting = { id: '', quantity: 0, leverage: 1 };
  try {
    await ex.loadMarkets();
    let last = 100;
    // The path, then hibernating scans: whatever is open or resting closes or times out.
    const scans = [...path, ...Array.from({ length: 6 }, () => null)].map((s, i) => {
      const price = Number((last * (1 + (s?.move ?? 0))).toFixed(6));
      last = price;
      const o = { ts: T0 + i * STEP_MS, funding: s?.funding ?? 0 };
      const sc = scan(i, price, s === null ? { ...o, posture: 'HIBERNATE' } : o);
      return { step: s, price, scan: sc };
    });
    for (const [i, { step, price, scan: sc }] of scans.entries()) {
      sim.advance(sc);
      const marked = mock.mark(sc, i, true);
      out.trades.push(...marked.trades);
      out.legs.push(...marked.legs);
      for (const e of marked.events) {
        if (e.event === 'MAKER_FILLED') expect(sim.openOrders()).toEqual([]);
        if (e.event === 'MAKER_CANCELLED' || e.event === 'MAKER_TAKER_FALLBACK') {
          await ex.cancelOrder(resting.id, SYM);
        }
        if (e.event === 'MAKER_TAKER_FALLBACK') {
          // The venue checks the taker order's margin again; the mock does not (README).
          const fill = rules.takerFill(market, price, 'sell');
          fc.pre((resting.quantity * fill) / resting.leverage <= sim.balance.available);
          await ex.createOrder(SYM, 'market', 'sell', resting.quantity);
        }
      }
      const legsNow = [...marked.legs, ...(book.position?.legs ?? [])].filter(
        (l) => l.scan_number === sc.scan_number,
      );
      for (const l of legsNow) {
        if (l.reason === 'LIQUIDATION') continue; // the venue liquidates on its own
        await ex.createOrder(SYM, 'market', 'buy', l.quantity, undefined, { reduceOnly: true });
      }
      if (step === null) continue;
      const d = decision(i, {
        asset: 'AAAUSDT',
        notional: step.notional,
        exchange_leverage: step.leverage,
      });
      const entered = mock.enter(d, sc, i);
      for (const e of entered.events) {
        const plan = rules.planEntry('AAAUSDT', step.notional, step.leverage, price);
        if (!plan.ok) continue;
        await ex.setLeverage(plan.leverage, SYM, { side: 'BOTH' });
        const at = e.event === 'MAKER_POSTED' ? rules.toTick(market, price) : undefined;
        const type = at === undefined ? 'market' : 'limit';
        const place = ex.createOrder(SYM, type, 'sell', plan.quantity, at, { postOnly: !!at });
        if (e.event === 'ENTRY_REFUSED') {
          await expect(place).rejects.toThrow(ccxt.InsufficientFunds);
        } else {
          const id = (await place).id as string;
          resting = { id, quantity: plan.quantity, leverage: plan.leverage };
        }
      }
    }
    const fills = await ex.fetchMyTrades(SYM, 0);
    return { mock, out, fills, sim };
  } finally {
    await sim.close();
  }
}

/** The fills a trade is made of, as [price, quantity, fee]: its entry, then its legs. */
function expected(t: TradeRow, legs: readonly LegRow[], entryFee: number) {
  return [
    [t.entry_price, t.quantity, entryFee],
    ...legs.filter((l) => l.trade_id === t.trade_id).map((l) => [l.price, l.quantity, l.fee]),
  ];
}

describe('parity with the mock exchange', () => {
  it('fills (price, quantity, fee) and capital are bit-identical to the mock’s', async () => {
    await fc.assert(
      fc.asyncProperty(steps, params, async (path, p) => {
        const { mock, out, fills, sim } = await both(path, p);
        const got = fills.map((f: Trade) => [f.price, f.amount, f.fee?.cost]);
        const want: unknown[] = [];
        let at = 0;
        for (const t of out.trades) {
          const entryFee = got[at]?.[2] as number;
          const mine = expected(t, out.legs, entryFee);
          // The trade's fees are the entry fee and its legs' in the order the mock adds them.
          expect(mine.reduce((sum, f) => sum + (f[2] as number), 0)).toBe(t.fees);
          want.push(...mine);
          at += mine.length;
        }
        expect(got).toEqual(want);
        expect(mock.slotState()).toBe('FREE');
        expect(sim.balance.wallet).toBe(mock.capital);
        expect(sim.internalErrors).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
