import { appendFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool, type SpooledRow } from './spool.js';

const dir = () => mkdtempSync(join(tmpdir(), 'violet-spool-'));

describe('durable spool', () => {
  it('keeps rows across a reopen until a commit succeeds, then deletes them', async () => {
    const d = dir();
    const a = new Spool(d);
    a.append('t', [1, 'x']);
    a.append('t', [2, null]);
    a.sync();
    // A new process (after a kill) finds the rows.
    const b = new Spool(d);
    expect(b.depth).toBe(2);
    await expect(
      b.drain(async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(b.depth).toBe(2);
    const got: SpooledRow[] = [];
    await b.drain(async (rows) => {
      got.push(...rows);
    });
    expect(got).toEqual([
      { table: 't', values: [1, 'x'] },
      { table: 't', values: [2, null] },
    ]);
    expect(b.depth).toBe(0);
    expect(readdirSync(d)).toEqual([]);
  });

  it('skips and counts a torn last line left by a crash mid-write', async () => {
    const d = dir();
    const a = new Spool(d);
    a.append('t', [1]);
    a.seal();
    appendFileSync(join(d, readdirSync(d)[0] as string), '["t",2');
    const b = new Spool(d);
    const got: SpooledRow[] = [];
    await b.drain(async (rows) => {
      got.push(...rows);
    });
    expect(got).toEqual([{ table: 't', values: [1] }]);
    expect(b.torn).toBeGreaterThan(0);
  });
});
