import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SourceRecord } from '../engine/ports.js';
import { parseScanLine } from '../model/index.js';
import { sameScan } from '../test-support/scans.js';
import { jsonlLines, parsedLines, replaySource } from './archive.js';

const dir = mkdtempSync(join(tmpdir(), 'violet-archive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'USDCUSDT', 'XRPUSDT'];

/** Scan k: the layouts an archive meets (order books lacking symbols, acb fields left out…). */
const scan = (k: number) =>
  JSON.stringify({
    scan_number: k,
    ts: 1_781_000_000_000 + 5000 * k,
    vel_div: k % 7 === 0 ? -0 : Math.sin(k) / 100,
    w50_velocity: k % 3 === 0 ? null : 1 / (k + 1),
    ...(k % 17 === 0 ? {} : { w750_velocity: -1 / (k + 3) }),
    prices: Object.fromEntries(
      (k % 500 < 250 ? SYMBOLS : SYMBOLS.slice(1)).map((s, j) => [s, 1000 / (j + 1) + k / 8]),
    ),
    ob_imbalance:
      k % 19 === 0
        ? null
        : Object.fromEntries(
            SYMBOLS.filter((_, j) => (k + j) % 5 !== 0).map((s, j) => [
              s,
              ((k + j) % 200) / 100 - 1,
            ]),
          ),
    acb:
      k % 23 === 0
        ? null
        : {
            ...(k % 2 === 0 ? { funding_rate: -0.00000671 } : {}),
            dvol: k % 4 === 0 ? null : 64.74,
            ...(k % 3 === 0 ? {} : { fear_greed: 45 }),
          },
    mc_status: k % 29 === 0 ? 'RED' : 'GREEN',
    esof:
      k % 11 === 0 ? null : k % 2 ? { score: 0.25, ts: 1_781_000_000_000 } : { ts: 7, score: -1 },
    posture: k % 5 === 0 ? 'STALKER' : null,
    btc_ma99: k % 13 === 0 ? null : 57000.5 + k,
    regime_label: `r${k % 4}`,
    composite_hash: k % 31 === 0 ? 'x\\"y' : 'be|lo|mid',
  });

/** An archive with everything a replay meets: a BOM, CRLF, blank lines, refused lines. */
function archive(lines: number): string {
  const out: string[] = [];
  for (let k = 1; k <= lines; k++) {
    if (k % 97 === 0) out.push('{"scan_number": oops');
    else if (k % 101 === 0)
      out.push(scan(k - 50)); // not increasing: the engine refuses it
    else if (k % 89 === 0) out.push(scan(k).replace('"ETHUSDT":', '"ETHUSDT":-'));
    else if (k % 83 === 0) out.push('   ');
    else if (k % 71 === 0) out.push(scan(k).replace('{"scan_number"', '{ "scan_number"'));
    else if (k % 67 === 0) out.push(scan(k).replace('"GREEN"', '"GREE\\u004e"'));
    else if (k % 61 === 0) out.push(scan(k).replace('"ts":', '"extra":[1,{"a":2}],"ts":'));
    else if (k % 59 === 0) out.push(scan(k).replace('1781000', '1.781e+6').replace(/e\+6/, 'e+6'));
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

describe('the archive replay source (parsedLines)', () => {
  it('gives, line for line, the records and results of parsing each line the general way', async () => {
    // Several 1 MiB chunks, so lines are cut across reads.
    const path = archive(6000);
    const parsed = await all(parsedLines(path));
    const here = await all(jsonlLines(path));
    expect(parsed.length).toBe(here.length);
    expect(parsed.length).toBeGreaterThan(5900);
    let refused = 0;
    let outOfOrder = 0;
    let highest = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < here.length; k++) {
      const a = here[k] as SourceRecord;
      const b = parsed[k] as SourceRecord;
      expect(b.seq).toBe(a.seq);
      expect(b.size).toBe(a.text.length + 1);
      const want = parseScanLine(a.text);
      if (!want.ok) {
        refused++;
        expect(b.parsed).toEqual(want);
        expect(b.text).toBe(a.text);
        continue;
      }
      if (b.parsed === undefined || !b.parsed.ok) throw new Error(`line ${a.seq}: not parsed`);
      sameScan(want.value, b.parsed.value);
      // The text is kept exactly for a scan the engine refuses as out of order.
      const inOrder = want.value.scan_number > highest;
      highest = Math.max(highest, want.value.scan_number);
      if (!inOrder) outOfOrder++;
      expect(b.text).toBe(inOrder ? '' : a.text);
    }
    expect(refused).toBeGreaterThan(100);
    expect(outOfOrder).toBeGreaterThan(40);
  });

  it('a file without a last line end, or of one line, or empty', async () => {
    for (const text of [`${scan(1)}\n${scan(2)}`, scan(3), '', '\n\n']) {
      const path = join(dir, 'short.jsonl');
      writeFileSync(path, text);
      const parsed = await all(replaySource(path).batches());
      const here = await all(jsonlLines(path));
      expect(parsed.map((r) => [r.seq, r.parsed?.ok])).toEqual(here.map((r) => [r.seq, true]));
    }
  });
});
