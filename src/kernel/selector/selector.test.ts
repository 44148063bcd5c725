import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SELECTOR, STABLECOIN_SYMBOLS } from '../params/index.js';
import { irp, returnsOf, selectAsset } from './index.js';

const falling = (start: number, step: number) =>
  Array.from({ length: 21 }, (_, i) => start * (1 - step) ** i);

describe('IRP selector (seed §7)', () => {
  it('scores a steadily falling asset +1 with full alignment for a SHORT', () => {
    expect(irp(falling(100, 0.01), 'SHORT', SELECTOR)).toEqual({ irpScore: 1, alignment: 1 });
    expect(irp(falling(100, -0.01), 'SHORT', SELECTOR)).toEqual({ irpScore: -1, alignment: 0 });
  });

  it('needs irp_lookback + 1 prices and scores a flat series 0', () => {
    expect(irp(falling(100, 0.01).slice(1), 'SHORT', SELECTOR)).toBeNull();
    expect(irp(Array(21).fill(5), 'SHORT', SELECTOR)).toEqual({ irpScore: 0, alignment: 0 });
  });

  it('picks the highest score, breaks ties by the smallest symbol, skips stablecoins', () => {
    const h: Record<string, number[]> = {
      ZECUSDT: falling(50, 0.02),
      ADAUSDT: falling(1, 0.01),
      BTCUSDT: falling(60000, -0.01),
      USDCUSDT: falling(1, 0.05),
    };
    const pick = selectAsset(
      Object.keys(h),
      (s) => returnsOf(h[s] ?? []),
      new Set(STABLECOIN_SYMBOLS),
      'SHORT',
      SELECTOR,
    );
    expect(pick?.symbol).toBe('ADAUSDT');
  });

  it('applies the alignment gate only when it is set (muted at 0.0 = BLUE gold)', () => {
    const zigzag = Array.from({ length: 21 }, (_, i) => (i % 2 === 0 ? 100 : 99.5 - i * 0.001));
    const gated = selectAsset(['AUSDT'], () => returnsOf(zigzag), new Set(), 'SHORT', {
      ...SELECTOR,
      min_irp_alignment: 0.6,
    });
    expect(
      selectAsset(['AUSDT'], () => returnsOf(zigzag), new Set(), 'SHORT', SELECTOR)?.symbol,
    ).toBe('AUSDT');
    expect(gated).toBeNull();
  });

  it('picks the same asset, score and alignment from a window on a buffer as from arrays', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: 0, maxLength: 30 }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.integer({ min: 0, max: 7 }),
        fc.constantFrom(0, 0.6),
        (series, pad, gate) => {
          const p = { ...SELECTOR, min_irp_alignment: gate };
          const symbols = series.map((_, i) => `S${i}USDT`);
          const rets = series.map((prices) => returnsOf(prices));
          const fromArrays = selectAsset(
            symbols,
            (s) => rets[Number(s.slice(1, -4))] ?? [],
            new Set(),
            'SHORT',
            p,
          );
          const fromWindows = selectAsset(
            symbols,
            (s) => {
              const r = rets[Number(s.slice(1, -4))] ?? [];
              // The returns sit inside a larger buffer, `pad` slots from its start.
              const values = new Float64Array(r.length + pad + 3).fill(Number.NaN);
              values.set(r, pad);
              return { values, end: pad + r.length, length: r.length };
            },
            new Set(),
            'SHORT',
            p,
          );
          expect(fromWindows).toEqual(fromArrays);
        },
      ),
    );
  });
});
