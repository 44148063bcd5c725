import { describe, expect, it } from 'vitest';
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
});
