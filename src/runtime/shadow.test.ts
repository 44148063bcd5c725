import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLAMP, compose, exchangeLeverage, SC, SIZER_BY_PROFILE } from '../kernel/index.js';
import type { Posture, Profile } from '../model/index.js';
import { BIN, REPO, violet } from '../test-support/cli.js';
import {
  exportJsonl,
  FIRST_SCAN,
  sampleArchive,
  scanNumbers,
  tempDir,
} from '../test-support/journal.js';

type Row = Record<string, unknown>;

function recomputes(r: Row): boolean {
  const profile = r.profile as Profile;
  const c = compose(
    {
      profile,
      velDiv: r.vel_div as number,
      capital: r.capital as number,
      dcMult: r.dc_mult as number,
      regimeMult: r.regime_mult as number,
      obMult: r.ob_mult as number,
      esofMult: r.esof_mult as number,
      scMult: r.sc_mult as number,
      posture: r.posture as Posture,
    },
    { sizer: SIZER_BY_PROFILE[profile], clamp: CLAMP, sc: SC },
  );
  return (
    c.actuated &&
    Object.is(c.leverage, r.leverage) &&
    Object.is(c.notional, r.notional) &&
    Object.is(c.baseLeverage, r.base_leverage) &&
    Object.is(
      (r.acb_boost as number) * (r.meta_boost as number) * (r.mc_scale as number),
      r.regime_mult,
    ) &&
    Object.is((r.notional as number) / (r.capital as number), r.notional_fraction) &&
    exchangeLeverage('cubic', r.leverage as number, 3) === r.exchange_leverage
  );
}

describe('shadow soak over a replayed archive', () => {
  for (const profile of ['orchestrator', 'v3-shadow'] as const) {
    it(`journals every scan, and every actuated row recomputes bit-identically (${profile})`, async () => {
      const dir = tempDir();
      const scans = sampleArchive(dir, 4000, 5);
      const journal = join(dir, 'j.duckdb');
      const run = await violet([
        'shadow',
        '--scans',
        scans,
        '--journal',
        journal,
        '--profile',
        profile,
      ]);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      const rows = await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'));
      expect(rows).toHaveLength(4000);
      const actuated = rows.filter((r) => r.actuated === true);
      expect(actuated.length).toBeGreaterThan(300);
      expect(actuated.filter((r) => !recomputes(r))).toEqual([]);
      expect(rows.filter((r) => r.actuated === false && r.leverage !== null)).toEqual([]);
      expect(new Set(rows.map((r) => r.reason))).toEqual(
        new Set(['ACTUATED', 'NO_SIGNAL', 'HIBERNATE', 'NO_CANDIDATE']),
      );
    });
  }

  it('gives byte-identical exports for the same archive and config', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 1500, 9);
    for (const j of ['a', 'b']) {
      expect(
        (await violet(['shadow', '--scans', scans, '--journal', join(dir, `${j}.duckdb`)])).status,
      ).toBe(0);
      for (const f of ['jsonl', 'csv', 'parquet']) {
        const out = join(dir, `${j}.${f}`);
        const r = await violet([
          'journal',
          'export',
          '--journal',
          join(dir, `${j}.duckdb`),
          '--table',
          'violet_decisions',
          '--format',
          f,
          '--out',
          out,
        ]);
        expect(r.status).toBe(0);
      }
    }
    for (const f of ['jsonl', 'csv', 'parquet']) {
      expect(readFileSync(join(dir, `a.${f}`)).equals(readFileSync(join(dir, `b.${f}`)))).toBe(
        true,
      );
    }
  });

  it('replays a Parquet archive to the same journal as its JSON Lines twin', async () => {
    const dir = tempDir();
    for (const ext of ['jsonl', 'parquet']) {
      const scans = join(dir, `s.${ext}`);
      const gen = [
        'gen',
        'scans',
        '--out',
        scans,
        '--scans',
        '1200',
        '--assets',
        '10',
        '--seed',
        '8',
      ];
      expect((await violet(gen)).status).toBe(0);
      expect(
        (await violet(['shadow', '--scans', scans, '--journal', join(dir, `${ext}.duckdb`)]))
          .status,
      ).toBe(0);
    }
    const a = await exportJsonl(
      join(dir, 'jsonl.duckdb'),
      'violet_decisions',
      join(dir, 'a.jsonl'),
    );
    const b = await exportJsonl(
      join(dir, 'parquet.duckdb'),
      'violet_decisions',
      join(dir, 'b.jsonl'),
    );
    expect(a).toHaveLength(1200);
    expect(b).toEqual(a);
    const stats = readFileSync(join(dir, 'jsonl.duckdb.stats.jsonl'), 'utf8').trim().split('\n');
    expect(JSON.parse(stats[0] as string)).toMatchObject({
      kind: 'snapshot',
      accepted: 720,
      decisions: 720,
    });
  });

  it('processes a malformed archive to the end, rejecting each bad line with its reason', async () => {
    const dir = tempDir();
    const good = readFileSync(sampleArchive(dir, 30, 3), 'utf8')
      .trim()
      .split('\n');
    const scan = (i: number) => JSON.parse(good[i] as string);
    const bad = [
      '{"scan_number": 10, "ts": ',
      JSON.stringify(scan(10)).replace(/"vel_div":[^,]+/, '"vel_div":NaN'),
      JSON.stringify({ ...scan(10), prices: { ...scan(10).prices, BTCUSDT: -5 } }),
      JSON.stringify({ ...scan(10), vel_div: undefined }),
      good[10],
      good[9],
    ];
    const lines = [...good.slice(0, 11), ...bad.slice(0, 4), bad[4], bad[5], ...good.slice(11)];
    const archive = join(dir, 'bad.jsonl');
    writeFileSync(archive, `${lines.join('\n')}\n`);
    const journal = join(dir, 'j.duckdb');
    const json = join(dir, 'report.json');
    const run = await violet(['shadow', '--scans', archive, '--journal', journal, '--json', json]);
    expect(run.status).toBe(0);
    const rejects = await exportJsonl(journal, 'violet_rejects', join(dir, 'r.jsonl'));
    expect(rejects.map((r) => [r.source_seq, r.reason])).toEqual([
      [12, 'json: not valid JSON'],
      [13, 'json: not valid JSON'],
      [14, 'prices.BTCUSDT: price must be > 0'],
      [15, 'vel_div: missing'],
      [16, `scan_number: not increasing (previous ${FIRST_SCAN + 10})`],
      [17, `scan_number: not increasing (previous ${FIRST_SCAN + 10})`],
    ]);
    const decisions = await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'));
    expect(decisions.map((d) => d.scan_number)).toEqual(scanNumbers(30));
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.rejected.total).toBe(6);
  });

  it('survives SIGKILL mid-replay: the same command again leaves exactly one row per scan', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 6000, 11);
    const journal = join(dir, 'j.duckdb');
    const args = [BIN, 'shadow', '--scans', scans, '--journal', journal];
    const child = spawn(process.execPath, [...args, '--rate', '2000', '--log-format', 'json'], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Killed once the first journal flush (scan 2000) has put rows in the spool, well before
    // the end: the stats event of scan 2159 (a fixed sleep killed a slow-starting run before
    // its first flush on a loaded machine).
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child.stderr?.on('data', (d) => {
        text += d;
        if (text.includes(`"scan_number":${FIRST_SCAN + 2159},`)) resolve();
      });
      child.once('exit', () => reject(new Error(`exited before scan 2159: ${text}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const partial = await violet(['journal', 'drain', '--journal', journal]);
    expect(partial.status).toBe(0);
    const before = (await exportJsonl(journal, 'violet_decisions', join(dir, 'p.jsonl'))).length;
    expect(before).toBeGreaterThan(0);
    expect(before).toBeLessThan(6000);
    expect((await violet(args.slice(1))).status).toBe(0);
    const rows = await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'));
    expect(rows.map((r) => r.scan_number)).toEqual(scanNumbers(6000));
  });
});
