import { describe, expect, it } from 'vitest';
import { CadencePlane, parseCadenceWrite } from './cadence.js';
import { DEFAULT_CADENCE } from './config.js';

describe('cadence control plane', () => {
  it('fires every k scans and every t ms of clock time', () => {
    const c = new CadencePlane({
      ...DEFAULT_CADENCE,
      decide: { every_scans: 3 },
      report: { every_ms: 10_000 },
    });
    const fired = [1, 2, 3, 4, 5, 6, 7].filter((i) => c.due('decide', i, i * 5000));
    expect(fired).toEqual([3, 6]);
    const reports = [0, 5000, 10_000, 15_000, 20_000].filter((t, i) => c.due('report', i + 1, t));
    expect(reports).toEqual([10_000, 20_000]);
  });

  it('applies a change from the next scan, counted from the last firing', () => {
    const c = new CadencePlane({ ...DEFAULT_CADENCE, decide: { every_scans: 1 } });
    expect([1, 2, 3].map((i) => c.due('decide', i, 0))).toEqual([true, true, true]);
    const change = c.set('decide', { every_scans: 5 }, 'test');
    expect(change.old).toEqual({ every_scans: 1 });
    expect([4, 5, 6, 7, 8, 9].map((i) => c.due('decide', i, 0))).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it('validates control-plane writes with a reason', () => {
    expect(parseCadenceWrite({ action: 'decide', every_scans: 2 }).ok).toBe(true);
    expect(parseCadenceWrite({ action: 'dance', every_scans: 2 })).toMatchObject({ ok: false });
    expect(parseCadenceWrite({ action: 'decide', every_scans: 0 })).toEqual({
      ok: false,
      reason: 'quantum.every_scans: must be >= 1',
    });
    expect(parseCadenceWrite({ action: 'decide', every_scans: 1, every_ms: 5 })).toMatchObject({
      ok: false,
    });
  });
});
