import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { zombie } from '../test-support/process.js';
import { Spool } from './spool.js';

const dir = () => mkdtempSync(join(tmpdir(), 'violet-spool-'));

function drained(s: Spool): Promise<string[]> {
  const got: string[] = [];
  return s
    .drain(async (seg) => {
      got.push(`${seg.table}:${readFileSync(seg.path, 'utf8').trim().replaceAll('\n', '|')}`);
    })
    .then(() => got);
}

describe('durable spool', () => {
  it('counts as its depth only rows on disk; rows in memory are buffered', () => {
    const d = dir();
    const s = new Spool(d);
    s.append('t', { n: 1 });
    s.append('t', { n: 2 });
    expect([s.depth, s.buffered, s.pending]).toEqual([0, 2, 2]);
    // What a kill now would leave: nothing on disk, and a new spool finds nothing.
    expect(new Spool(d).depth).toBe(0);
    s.sync();
    expect([s.depth, s.buffered, s.pending]).toEqual([2, 0, 2]);
    expect(new Spool(d).depth).toBe(2);
    s.close();
  });

  it('sets a refused segment aside, kept and never drained again', async () => {
    const d = dir();
    const s = new Spool(d);
    s.append('t', { n: 1 });
    s.append('u', { n: 2 });
    await s.drain(async (seg) => {
      if (seg.table === 't') s.setAside(seg);
    });
    expect(s.depth).toBe(0);
    expect(readdirSync(join(d, 'refused'))).toEqual(['000000000001.t.jsonl']);
    expect(readFileSync(join(d, 'refused', '000000000001.t.jsonl'), 'utf8')).toBe('{"n":1}\n');
    expect(new Spool(d).segments()).toEqual([]);
    s.close();
  });

  it('keeps rows across a reopen until a commit succeeds, then deletes them', async () => {
    const d = dir();
    const a = new Spool(d);
    a.append('t', { n: 1, s: 'x' });
    a.append('u', { n: 2 });
    a.append('t', { n: 3, s: null });
    a.sync();
    // A new process (after a kill) finds the rows.
    const b = new Spool(d);
    expect(b.depth).toBe(3);
    await expect(
      b.drain(async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    expect(b.depth).toBe(3);
    expect(await drained(b)).toEqual(['t:{"n":1,"s":"x"}|{"n":3,"s":null}', 'u:{"n":2}']);
    expect(b.depth).toBe(0);
    expect(readdirSync(d)).toEqual(['LOCK']);
    b.close();
    expect(readdirSync(d)).toEqual([]);
  });

  it('cuts and counts a torn last line left by a crash mid-write', async () => {
    const d = dir();
    const a = new Spool(d);
    a.append('t', { n: 1 });
    a.seal();
    appendFileSync(join(d, readdirSync(d).find((f) => f.endsWith('.jsonl')) as string), '{"n":2');
    const b = new Spool(d);
    expect(b.torn).toBe(1);
    expect(b.depth).toBe(1);
    expect(await drained(b)).toEqual(['t:{"n":1}']);
  });

  it('refuses a spool another live process holds, and takes over one a dead process left', async () => {
    const d = dir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      writeFileSync(join(d, 'LOCK'), `${other.pid}\n`);
      expect(() => new Spool(d)).toThrow(`in use by another process (pid ${other.pid})`);
    } finally {
      other.kill('SIGKILL');
    }
    // A holder SIGKILLed a moment ago, not yet reaped by its parent, has died too.
    const z = await zombie();
    try {
      writeFileSync(join(d, 'LOCK'), `${z.pid}\n`);
      new Spool(d).close();
    } finally {
      z.release();
    }
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(join(d, 'LOCK'), `${dead}\n`);
    const s = new Spool(d);
    expect(readFileSync(join(d, 'LOCK'), 'utf8')).toBe(`${process.pid}\n`);
    s.close();
    expect(readdirSync(d)).toEqual([]);
  });
});
