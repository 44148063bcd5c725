import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../engine/ports.js';
import { parseScanLine } from '../model/index.js';
import { jsonlLines, replaySource } from './archive.js';

// The worker as built (`npm test` builds before it runs the tests).
const WORKER = new URL('../../dist/sources/parse-worker.js', import.meta.url);
const dir = mkdtempSync(join(tmpdir(), 'violet-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scan = (k: number) =>
  JSON.stringify({
    scan_number: k,
    ts: 1_781_000_000_000 + 5000 * k,
    vel_div: k % 7 === 0 ? -0 : (k % 13) / 1000 - 0.006,
    w750_velocity: k % 3 === 0 ? null : 1 / (k + 1),
    prices: k % 500 < 250 ? { BTCUSDT: 60000 + k, ETHUSDT: 3000.5 } : { BTCUSDT: 61000 + k },
    ob_imbalance: { BTCUSDT: (k % 200) / 100 - 1 },
    esof: k % 11 === 0 ? null : { score: 0.25, ts: 1_781_000_000_000 },
    posture: k % 5 === 0 ? 'STALKER' : 'APEX',
    regime_label: `r${k % 4}`,
  });

/** An archive with everything a replay meets: a BOM, CRLF, blank lines, refused lines. */
function archive(lines: number): string {
  const out: string[] = [];
  for (let k = 1; k <= lines; k++) {
    if (k % 97 === 0) out.push('{"scan_number": oops');
    else if (k % 101 === 0)
      out.push(scan(k - 50)); // not increasing: the engine refuses it
    else if (k % 89 === 0) out.push(scan(k).replace('"BTCUSDT":', '"BTCUSDT":-'));
    else if (k % 83 === 0) out.push('   ');
    else out.push(k % 2 === 0 ? `${scan(k)}\r` : scan(k));
  }
  const path = join(dir, `a-${lines}.jsonl`);
  writeFileSync(path, `\uFEFF${out.join('\n')}`);
  return path;
}

async function all(batches: AsyncIterable<readonly SourceRecord[]>): Promise<SourceRecord[]> {
  const out: SourceRecord[] = [];
  for await (const b of batches) out.push(...b);
  return out;
}

describe('the archive replay source (parse worker)', () => {
  it('is built', () => {
    expect(existsSync(WORKER), 'dist/sources/parse-worker.js: run npm run build').toBe(true);
  });

  it('gives, in order, exactly the records and results parsing on this thread gives', async () => {
    // More lines than the worker may run ahead (8 batches of 256), so credit is waited for.
    const path = archive(5000);
    const threaded = await all(replaySource(path, { worker: WORKER }).batches());
    const here = await all(jsonlLines(path));
    expect(threaded.length).toBe(here.length);
    expect(threaded.length).toBeGreaterThan(4900);
    let refused = 0;
    let outOfOrder = 0;
    for (let k = 0; k < here.length; k++) {
      const a = here[k] as SourceRecord;
      const b = threaded[k] as SourceRecord;
      expect(b.seq).toBe(a.seq);
      expect(b.size).toBe(a.text.length + 1);
      const want = parseScanLine(a.text);
      expect(b.parsed).toEqual(want);
      if (!want.ok) {
        refused++;
        expect(b.text).toBe(a.text);
      } else if (a.seq % 101 === 0 && b.parsed?.ok) {
        outOfOrder++;
        expect(b.text).toBe(a.text);
      } else if (b.parsed?.ok) {
        expect(Object.is(b.parsed.value.vel_div, want.value.vel_div)).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(outOfOrder).toBeGreaterThan(10);
  });

  it('stops its worker when the replay stops early, and reports a file it cannot read', async () => {
    const path = archive(3000);
    let batches = 0;
    for await (const _ of replaySource(path, { worker: WORKER }).batches()) {
      if (++batches === 2) break;
    }
    expect(batches).toBe(2);
    const gone = join(dir, 'gone.jsonl');
    writeFileSync(gone, `${scan(1)}\n`);
    const source = replaySource(gone, { worker: WORKER });
    rmSync(gone);
    await expect(all(source.batches())).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('parses on this thread when asked to (worker: false): text only, as before', async () => {
    const path = archive(10);
    const records = await all(replaySource(path, { worker: false }).batches());
    expect(records.every((r) => r.parsed === undefined && r.text !== '')).toBe(true);
  });
});
