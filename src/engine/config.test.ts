import { describe, expect, it } from 'vitest';
import { BOUNDS, type Bound, withinBound } from '../kernel/index.js';
import { configHash, parseConfig } from './config.js';

describe('engine config', () => {
  it('pins the profile sizer explicitly and hashes what decides', () => {
    const a = parseConfig({});
    const b = parseConfig({ profile: 'v3-shadow' });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.value.kernel.sizer.max_leverage).toBe(8);
    expect(b.value.kernel.sizer.max_leverage).toBe(9);
    expect(configHash(a.value)).not.toBe(configHash(b.value));
    const renamed = parseConfig({ instance_id: 'other' });
    expect(renamed.ok && configHash(renamed.value)).toBe(configHash(a.value));
    // Bookkeeping quanta change no row; the decide quantum does.
    const flushed = parseConfig({
      cadence: { 'journal-flush': { every_ms: 2000 }, report: { every_scans: 5 } },
    });
    expect(flushed.ok && configHash(flushed.value)).toBe(configHash(a.value));
    const sparse = parseConfig({ cadence: { decide: { every_scans: 2 } } });
    expect(sparse.ok && configHash(sparse.value)).not.toBe(configHash(a.value));
  });

  it('refuses unknown fields and bad values, naming them', () => {
    expect(parseConfig({ capitol: 1 })).toEqual({ ok: false, reason: 'capitol: unknown field' });
    expect(parseConfig({ kernel: { sizer: { max_leverag: 9 } } })).toEqual({
      ok: false,
      reason: 'kernel.sizer.max_leverag: unknown field',
    });
    expect(parseConfig({ capital: -5 })).toEqual({ ok: false, reason: 'capital: must be > 0' });
    expect(parseConfig({ cadence: { decide: { every_scans: 0 } } })).toEqual({
      ok: false,
      reason: 'cadence.decide.every_scans: must be >= 1',
    });
    expect(parseConfig({}, { profile: 'pink' })).toMatchObject({ ok: false });
  });

  it('reads the venue section: mainnet consent and the reconciliation policy, outside the hash', () => {
    const d = parseConfig({});
    expect(d.ok && d.value.venue).toEqual({
      mainnet: false,
      reconcile: { known: 'adopt', unknown: 'halt' },
      protective_stop: 0.03,
    });
    const none = parseConfig({ venue: { protective_stop: null } });
    expect(none.ok && none.value.venue.protective_stop).toBeNull();
    expect(parseConfig({ venue: { protective_stop: 0.01 } })).toEqual({
      ok: false,
      reason:
        'venue.protective_stop: must lie above exits.stop_loss (0.015) and below 1, or be null',
    });
    const wide = parseConfig({ exits: { stop_loss: 0.05 }, venue: { protective_stop: 0.08 } });
    expect(wide.ok && wide.value.venue.protective_stop).toBe(0.08);
    const v = parseConfig({ venue: { mainnet: true, reconcile: { unknown: 'flatten' } } });
    expect(v.ok && v.value.venue.reconcile).toEqual({ known: 'adopt', unknown: 'flatten' });
    expect(v.ok && d.ok && configHash(v.value)).toBe(d.ok && configHash(d.value));
    expect(parseConfig({ venue: { reconcile: { known: 'flatten' } } })).toEqual({
      ok: false,
      reason: 'venue.reconcile.known: expected "adopt" or "halt"',
    });
    expect(parseConfig({ venue: { reconcile: { unknown: 'adopt' } } })).toEqual({
      ok: false,
      reason: 'venue.reconcile.unknown: expected "flatten" or "halt"',
    });
    expect(parseConfig({ venue: { reconcile: { policy: 'halt' } } })).toEqual({
      ok: false,
      reason: 'venue.reconcile.policy: unknown field',
    });
  });

  it('reads the execution caps, refusing what no venue order could be', () => {
    const caps = (c: unknown) => {
      const r = parseConfig({ execution: { caps: c } });
      return r.ok ? r.value.execution.caps : r.reason;
    };
    expect(caps({ max_notional: 500, symbols: ['ETHUSDT', 'BTCUSDT', 'ETHUSDT'] })).toEqual({
      max_notional: 500,
      max_exchange_leverage: 3,
      symbols: ['BTCUSDT', 'ETHUSDT'],
      daily_loss_limit: null,
      max_orders_per_minute: null,
    });
    expect(caps({ daily_loss_limit: 250.5, max_orders_per_minute: 4 })).toMatchObject({
      daily_loss_limit: 250.5,
      max_orders_per_minute: 4,
    });
    expect(caps({ daily_loss_limit: 0 })).toBe(
      'execution.caps.daily_loss_limit: must be > 0 (or null: none)',
    );
    expect(caps({ max_orders_per_minute: 1.5 })).toMatch(
      /^execution\.caps\.max_orders_per_minute: /,
    );
    expect(caps({ max_notional: null, symbols: null })).toMatchObject({
      max_notional: null,
      symbols: null,
    });
    expect(caps({ max_notional: 0 })).toBe(
      'execution.caps.max_notional: must be > 0 (or null: none)',
    );
    expect(caps({ max_exchange_leverage: 0 })).toBe(
      'execution.caps.max_exchange_leverage: must be >= 1',
    );
    expect(caps({ symbols: [] })).toMatch(/^execution\.caps\.symbols: a non-empty list/);
    expect(caps({ symbols: ['BTCUSDT', 7] })).toMatch(/^execution\.caps\.symbols\[1\]/);
    expect(caps({ daily_loss: 1 })).toBe('execution.caps.daily_loss: unknown field');
    const a = parseConfig({});
    const b = parseConfig({ execution: { caps: { max_exchange_leverage: 2 } } });
    expect(a.ok && b.ok && configHash(a.value) !== configHash(b.value)).toBe(true);
  });
});

describe('config bounds', () => {
  const reason = (raw: unknown) => {
    const r = parseConfig(raw);
    return r.ok ? 'accepted' : r.reason;
  };

  it('puts every default inside its bound', () => {
    for (const profile of ['orchestrator', 'v3-shadow']) {
      const r = parseConfig({ profile });
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      for (const [group, values] of Object.entries(r.value.kernel)) {
        for (const [key, v] of Object.entries(values as object)) {
          const b = BOUNDS[group]?.[key];
          expect(b, `${group}.${key}`).toBeDefined();
          for (const x of Array.isArray(v) ? v : [v]) {
            expect(withinBound(x, b as Bound), `${group}.${key} = ${x}`).toBe(true);
          }
        }
      }
    }
  });

  it('refuses a constant outside its range, naming it and the range', () => {
    const sizer = (s: object) => reason({ kernel: { sizer: s } });
    expect(sizer({ max_leverage: -3 })).toBe(
      'kernel.sizer.max_leverage: -3 is outside a number in (0, 100]',
    );
    expect(sizer({ max_leverage: 0 })).toMatch(/max_leverage: 0 is outside/);
    expect(sizer({ max_leverage: 1e9 })).toMatch(/max_leverage: 1000000000 is outside/);
    expect(sizer({ min_leverage: 10, max_leverage: 2 })).toBe(
      'kernel.sizer.min_leverage: must be <= max_leverage',
    );
    expect(sizer({ threshold: 0.5 })).toMatch(/threshold: 0.5 is outside a number in \[-1, 0\)/);
    expect(sizer({ convexity: 9 })).toMatch(/convexity: 9 is outside an integer in \[1, 8\]/);
    expect(sizer({ base_fraction: 1.5 })).toMatch(/base_fraction/);
    expect(reason({ kernel: { clamp: { base_max_leverage: 9, abs_max_leverage: 8 } } })).toBe(
      'kernel.clamp.base_max_leverage: must be <= abs_max_leverage',
    );
    expect(reason({ kernel: { clamp: { stalker_cap: 0 } } })).toMatch(/stalker_cap: 0 is outside/);
    expect(reason({ kernel: { regime: { acb_boosts: [1, 1, 1, 1, -1] } } })).toMatch(
      /kernel\.regime\.acb_boosts\[4\]: -1 is outside/,
    );
    expect(reason({ sc_mult: -1 })).toBe('sc_mult: -1 is outside [0, 1]');
    expect(reason({ sc_mult: 1.5 })).toBe('sc_mult: 1.5 is outside [0, 1]');
    expect(reason({ sc_mult: null })).toBe('sc_mult: expected a number');
    expect(reason({ capital: null })).toBe('capital: expected a number');
    expect(reason({ sc_mult: 0 })).toBe('accepted');
  });
});
