import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { violet } from '../test-support/cli.js';
import { driftCheck } from './index.js';

// A reference-shaped Python source written for this test: BLUE's names, VIOLET's values.
const BLUE_LIKE = `
_STABLECOIN_SYMBOLS = frozenset({
    "USDCUSDT", "FDUSDUSDT", "TUSDUSDT", "BUSDUSDT", "DAIUSDT",
    "USDPUSDT", "PYUSDUSDT", "USDEUSDT", "EURUSDT", "AEURUSDT",
})
ESOF_SIZE_MULT_NEUTRAL = 0.8
ESOF_SIZE_MULT_UNFAV: float = 0.3
ESOF_SIZE_MULT_STALE_FB = 0.4
ESOF_EDGE = 0.02
sizer = AlphaBetSizer(max_leverage=9.0, min_leverage=0.5, base_fraction=0.20)
`;

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'violet-drift-'));
  const f = join(dir, 'blue.py');
  writeFileSync(f, text);
  return f;
}

describe('drift-check', () => {
  it('reports every pinned constant found in a matching source as same, exit 0', async () => {
    const rows = driftCheck(BLUE_LIKE);
    const byStatus = (s: string) => rows.filter((r) => r.status === s).map((r) => r.constant);
    expect(byStatus('differs')).toEqual([]);
    expect(byStatus('same')).toEqual([
      '_STABLECOIN_SYMBOLS',
      'ESOF neutral (ESOF_SIZE_MULT_NEUTRAL)',
      'ESOF unfavourable (ESOF_SIZE_MULT_UNFAV)',
      'ESOF stale fallback (ESOF_SIZE_MULT_STALE_FB)',
      'ESOF edge (ESOF_EDGE)',
      'max_leverage (max_leverage)',
      'min_leverage (min_leverage)',
      'base_fraction (base_fraction)',
    ]);
    expect(byStatus('not found')).toContain('abs_max_leverage');
    expect((await violet(['drift-check', '--blue-source', file(BLUE_LIKE)])).status).toBe(0);
  });

  it("catches blue_parity's max_leverage drift and a changed stablecoin set, exit 1", async () => {
    const drifted = BLUE_LIKE.replace('max_leverage=9.0', 'max_leverage=5.0').replace(
      '"AEURUSDT",',
      '"XUSDUSDT",',
    );
    const rows = driftCheck(drifted);
    expect(rows.find((r) => r.constant.startsWith('max_leverage'))).toMatchObject({
      status: 'differs',
      found: '5.0',
      line: 10,
    });
    expect(rows[0]).toMatchObject({
      status: 'differs',
      found: '10 symbols; missing AEURUSDT; extra XUSDUSDT',
    });
    const run = await violet(['drift-check', '--blue-source', file(drifted), '--json', '-']);
    expect(run.status).toBe(1);
    expect(
      JSON.parse(run.stdout).filter((r: { status: string }) => r.status === 'differs'),
    ).toHaveLength(2);
  });

  it('refuses a missing file with one line and exit 2', async () => {
    const run = await violet(['drift-check', '--blue-source', 'no/such/file.py']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('violet: --blue-source no/such/file.py: no such file\n');
  });

  it('fails a file that holds none of the pinned constants (exit 1): nothing was checked', async () => {
    const run = await violet(['drift-check', '--blue-source', file('print("hello")\n')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/none of VIOLET's \d+ pinned constants found in /);
  });
});
