// Goldens: the SHA-256 of what an operator gets from a fixed market — the synthetic market for
// two seeds, the journal of a shadow run over it, its soak report, the trades and summary of a
// backtest — pinned in golden.sha256 (`sha256sum -c` format). Any moved byte fails here;
// updating a golden is a commit of its own that says why the bytes moved:
//   VIOLET_UPDATE_GOLDENS=1 npx vitest run src/cli/golden.test.ts
// Nothing pinned depends on wall time, host or path: the archive's name is fixed, the reports
// carry scan time only, and control-audit rows (wall ms) are not pinned.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, REPO, violet } from '../test-support/cli.js';
import { FIRST_SCAN, tempDir } from '../test-support/journal.js';

const PINS = join(REPO, 'src', 'cli', 'golden.sha256');
const SCANS = '3000';
const ASSETS = '12';
/** What one scan's vel_div cannot move: the generated markets, the symbols seen, the rejects. */
const UNMOVED = new Set([
  'gen-scans-seed1.jsonl',
  'gen-scans-seed2.jsonl',
  'shadow-violet_universe.jsonl',
  'shadow-violet_rejects.jsonl',
]);

async function run(args: readonly string[]): Promise<void> {
  const r = await violet(args);
  if (r.status !== 0) throw new Error(`violet ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Every pinned artifact of one market, by name. `edit` changes the shadow/backtest input
 * archive (lines of JSON) before it is run; the generated markets are pinned as generated.
 */
async function artifacts(
  dir: string,
  edit: (lines: string[]) => void = () => {},
): Promise<Map<string, string>> {
  mkdirSync(dir, { recursive: true });
  const out = new Map<string, string>();
  const file = (name: string) => join(dir, name);
  for (const seed of ['1', '2']) {
    const name = `gen-scans-seed${seed}.jsonl`;
    await run([
      'gen',
      'scans',
      '--out',
      file(name),
      '--scans',
      SCANS,
      '--assets',
      ASSETS,
      '--seed',
      seed,
    ]);
    out.set(name, sha256(file(name)));
  }
  // Seed 1 with a line that is not JSON and a repeated scan: the rejects are pinned too.
  const lines = readFileSync(file('gen-scans-seed1.jsonl'), 'utf8').trimEnd().split('\n');
  edit(lines);
  const archive = file('scans.jsonl');
  writeFileSync(archive, `${[...lines, 'not json', lines.at(-1)].join('\n')}\n`);

  const shadow = file('shadow.duckdb');
  const soak = ['--json', file('soak.json'), '--md', file('soak.md')];
  await run(['shadow', '--scans', archive, '--journal', shadow, ...soak]);
  for (const table of ['violet_decisions', 'violet_universe', 'violet_rejects']) {
    const name = `shadow-${table}.jsonl`;
    const args = ['--table', table, '--format', 'jsonl', '--out', file(name)];
    await run(['journal', 'export', '--journal', shadow, ...args]);
    out.set(name, sha256(file(name)));
  }
  out.set('soak.json', sha256(file('soak.json')));
  out.set('soak.md', sha256(file('soak.md')));

  const backtest = file('backtest.duckdb');
  const summary = ['--json', file('backtest.json'), '--chart', file('equity.svg')];
  await run(['backtest', '--scans', archive, '--journal', backtest, ...summary]);
  await run([
    'trades',
    'export',
    '--journal',
    backtest,
    '--format',
    'csv',
    '--out',
    file('trades.csv'),
  ]);
  out.set('trades.csv', sha256(file('trades.csv')));
  out.set('backtest.json', sha256(file('backtest.json')));
  return out;
}

function pinned(): Map<string, string> {
  const text = readFileSync(PINS, 'utf8');
  return new Map(
    text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => {
        const [hash, name] = l.split(/\s+/);
        return [name as string, hash as string];
      }),
  );
}

describe('goldens', () => {
  const dir = tempDir('violet-golden-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let golden: Map<string, string>;

  it('pins the market, the shadow journal, the soak report and the backtest byte for byte', async () => {
    golden = await artifacts(join(dir, 'golden'));
    if (process.env.VIOLET_UPDATE_GOLDENS === '1') {
      const lines = [...golden].map(([name, hash]) => `${hash}  ${name}`);
      writeFileSync(PINS, `${lines.join('\n')}\n`);
    }
    expect(Object.fromEntries(golden)).toEqual(Object.fromEntries(pinned()));
  });

  it('Ctrl-C mid-replay: the summary, exit 130; the same command again gives the pinned journal and report', async () => {
    const at = (name: string) => join(dir, 'interrupted', name);
    mkdirSync(join(dir, 'interrupted'));
    const archive = join(dir, 'golden', 'scans.jsonl');
    const journal = at('shadow.duckdb');
    const args = ['shadow', '--scans', archive, '--journal', journal];
    const soak = ['--json', at('soak.json'), '--md', at('soak.md')];
    const slow = ['--rate', '1000', '--log-format', 'json'];
    const child = spawn(process.execPath, [BIN, ...args, ...soak, ...slow], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    // Interrupted after the first journal flush (scan 2000 of 3000): at the stats event of
    // scan 2160.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (new RegExp(`"event":"stats".*"scan_number":${FIRST_SCAN + 2159},`).test(stderr)) {
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`ended before it was interrupted: ${stderr}`)));
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/"event":"stop".*SIGINT: finishing the scan in hand, then flushing/);
    const last = JSON.parse(stderr.trimEnd().split('\n').at(-1) as string);
    expect(last).toMatchObject({ event: 'exit', exit_code: 130 });
    expect(last.msg).toMatch(/^stopped by SIGINT: run the same command again to complete/);
    const [, done] =
      /(\d+) scans, \1 decisions \(\d+ actuated\), 0 rejected; journal /.exec(stdout) ?? [];
    expect(Number(done)).toBeGreaterThan(1999);
    expect(Number(done)).toBeLessThan(3000);

    await run([...args, ...soak]);
    for (const table of ['violet_decisions', 'violet_universe', 'violet_rejects']) {
      const name = `shadow-${table}.jsonl`;
      const out = ['--table', table, '--format', 'jsonl', '--out', at(name)];
      await run(['journal', 'export', '--journal', journal, ...out]);
      expect(sha256(at(name)), name).toBe(pinned().get(name));
    }
    expect(sha256(at('soak.json'))).toBe(pinned().get('soak.json'));
    expect(sha256(at('soak.md'))).toBe(pinned().get('soak.md'));
  });

  it('moves every artifact that depends on a scan when one number of that scan moves', async () => {
    // The first trade's entry scan (trade ids end in the deciding scan) decides harder.
    const trades = readFileSync(join(dir, 'golden', 'trades.csv'), 'utf8').split('\n');
    const entry = Number((trades[1] as string).split(',')[0]?.split('-').at(-1));
    const moved = await artifacts(join(dir, 'moved'), (lines) => {
      const at = entry - FIRST_SCAN;
      const scan = JSON.parse(lines[at] as string);
      expect(scan.scan_number).toBe(entry);
      scan.vel_div = -0.045;
      lines[at] = JSON.stringify(scan);
    });
    for (const [name, hash] of moved) {
      if (UNMOVED.has(name)) {
        expect(hash, name).toBe(golden.get(name));
      } else {
        expect(hash, name).not.toBe(golden.get(name));
      }
    }
  });
});
