import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/cli.js';
import { tempDir } from '../test-support/journal.js';
import { VirtualClock, warpedClock } from './clock.js';

describe('VirtualClock', () => {
  it('moves only when told, firing due timers in time order, each at its own time', () => {
    const c = new VirtualClock(1000);
    const fired: [string, number][] = [];
    c.after(30, () => fired.push(['a', c.now()]));
    c.after(10, () => fired.push(['b', c.now()]));
    const every = c.every(20, () => fired.push(['e', c.now()]));
    c.after(10, () => fired.push(['c', c.now()]));
    const cancelled = c.after(5, () => fired.push(['x', c.now()]));
    cancelled.cancel();
    expect(c.now()).toBe(1000);
    c.tick(9);
    expect(fired).toEqual([]);
    c.tick(36);
    expect(c.now()).toBe(1045);
    expect(fired).toEqual([
      ['b', 1010],
      ['c', 1010],
      ['e', 1020],
      ['a', 1030],
      ['e', 1040],
    ]);
    every.cancel();
    c.tickTo(2000);
    expect(fired).toHaveLength(5);
    expect(c.pending).toBe(0);
    c.tickTo(1500);
    expect(c.now()).toBe(2000);
  });

  it('fires a timer armed by a timer when it falls due within the same advance', () => {
    const c = new VirtualClock();
    const at: number[] = [];
    c.after(10, () => {
      at.push(c.now());
      c.after(10, () => at.push(c.now()));
    });
    c.tick(25);
    expect(at).toEqual([10, 20]);
  });

  it('resolves a sleep when time passes it, or at once on abort', async () => {
    const c = new VirtualClock();
    let woke = false;
    const slept = c.sleep(100).then(() => {
      woke = true;
    });
    c.tick(99);
    await Promise.resolve();
    expect(woke).toBe(false);
    c.tick(1);
    await slept;
    expect(woke).toBe(true);
    const stop = new AbortController();
    const aborted = c.sleep(1_000_000, stop.signal);
    stop.abort();
    await aborted;
    expect(c.pending).toBe(0);
    await c.sleep(5, stop.signal);
  });

  it('drives a loop that awaits its sleeps through a whole span (tickAsync)', async () => {
    const c = new VirtualClock();
    const at: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 5; i++) {
        await c.sleep(100);
        at.push(c.now());
      }
    })();
    await c.tickAsync(1000);
    await loop;
    expect(at).toEqual([100, 200, 300, 400, 500]);
    expect(c.now()).toBe(1000);
  });

  it('refuses a period that is not positive', () => {
    expect(() => new VirtualClock().every(0, () => {})).toThrow(RangeError);
  });
});

describe('warpedClock', () => {
  it('runs SPEED times faster than its base from the origin, and shrinks waits alike', async () => {
    const base = new VirtualClock(50_000);
    const w = warpedClock(base, 1_000_000, 50_000, 60);
    expect(w.now()).toBe(1_000_000);
    base.tick(1000);
    expect(w.now()).toBe(1_060_000);
    const at: number[] = [];
    w.after(60_000, () => at.push(w.now()));
    base.tick(999);
    expect(at).toEqual([]);
    base.tick(1);
    expect(at).toEqual([1_120_000]);
    const slept = w.sleep(6000);
    base.tick(100);
    await slept;
  });
});

/** Lints `files` (path → source) with the repository's own Biome set-up, in a scratch copy. */
function lint(files: Readonly<Record<string, string>>): { status: number | null; out: string } {
  const dir = tempDir('violet-lint-');
  for (const f of ['biome.json', 'lint/time-through-clock.grit']) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(REPO, f), join(dir, f));
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(
    join(REPO, 'node_modules/.bin/biome'),
    ['lint', '--max-diagnostics=none', '--colors=off', 'src'],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Where the time rule fired: `path:line:column` of each diagnostic. */
function fired(out: string): string[] {
  return [...out.matchAll(/^(\S+:\d+:\d+) plugin /gm)].map((m) => m[1] as string);
}

const WALL_TIME = `import { setTimeout as sleep } from 'node:timers/promises';
import { setInterval } from 'node:timers';
export const a = Date.now();
export const b = new Date();
export const c = performance.now();
export const d = setTimeout(() => {}, 1);
export const e = globalThis.setInterval(() => {}, 1);
export const f = Date.now;
export { setInterval, sleep };
`;

const GIVEN_TIME = `import { setImmediate } from 'node:timers/promises';
export const iso = (ts: number) => new Date(ts).toISOString();
export const parsed = Date.parse('2026-06-09T10:13:20Z') + Date.UTC(2026, 5, 9);
export const later = (ts: number) => new Date(ts + 1000);
export { setImmediate };
`;

describe('the lint rule: time only through the clock', () => {
  it('refuses wall-clock reads and wall-time timers in product code, with a message that says where time comes from', () => {
    const r = lint({ 'src/engine/probe.ts': WALL_TIME });
    expect(r.status).toBe(1);
    expect(fired(r.out)).toEqual([
      'src/engine/probe.ts:1:10',
      'src/engine/probe.ts:2:10',
      'src/engine/probe.ts:3:18',
      'src/engine/probe.ts:4:18',
      'src/engine/probe.ts:5:18',
      'src/engine/probe.ts:6:18',
      'src/engine/probe.ts:7:29',
      'src/engine/probe.ts:8:18',
      'src/engine/probe.ts:9:10',
    ]);
    expect(r.out).toContain(
      'Reads the wall clock outside the clock module: take the time from an injected Clock',
    );
    expect(r.out).toContain(
      "Waits or schedules by wall time outside the clock module: use an injected WallClock's `sleep`, `after` or `every`",
    );
  });

  it('leaves the clock module, tests, test support, the benches and given timestamps alone', () => {
    const r = lint({
      'src/engine/clock.ts': WALL_TIME,
      'src/sources/feed.test.ts': WALL_TIME,
      'src/test-support/server.ts': WALL_TIME,
      'src/bench/live.ts': WALL_TIME,
      'src/cli/format.ts': GIVEN_TIME,
    });
    expect(fired(r.out), r.out).toEqual([]);
    expect(r.status, r.out).toBe(0);
  });
});
