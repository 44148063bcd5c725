import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, violet } from '../test-support/cli.js';
import {
  exportJsonl,
  FIRST_SCAN,
  lockJournal,
  sampleArchive,
  scanNumbers,
  tempDir,
} from '../test-support/journal.js';

function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (d) => {
      text += d;
      const m = text.match(pattern);
      if (m) resolve(m);
    });
    stream.on('end', () => reject(new Error(`stream ended without ${pattern}: ${text}`)));
  });
}

describe('cadence control plane over HTTP', () => {
  it('applies an authorised change at the next quantum, audits it, and refuses a write without the token', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 3000, 21);
    const journal = join(dir, 'j.duckdb');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'shadow',
        '--scans',
        scans,
        '--journal',
        journal,
        '--rate',
        '1000',
        '--control-port',
        '0',
        '--control-token',
        's3cret',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [, port] = await waitFor(child.stderr, /control endpoint: http:\/\/127\.0\.0\.1:(\d+)/);
    const url = `http://127.0.0.1:${port}/cadence`;
    const body = JSON.stringify({ action: 'decide', every_scans: 5 });
    expect((await fetch(url)).status).toBe(200);
    const refused = await fetch(url, { method: 'PUT', body });
    expect(refused.status).toBe(401);
    const wrong = await fetch(url, {
      method: 'PUT',
      body,
      headers: { authorization: 'Bearer nope' },
    });
    expect(wrong.status).toBe(401);
    await new Promise((r) => setTimeout(r, 500));
    const ok = await fetch(url, {
      method: 'PUT',
      body,
      headers: { authorization: 'Bearer s3cret', 'x-violet-operator': 'alice' },
    });
    expect(ok.status).toBe(200);
    const applied = (await ok.json()) as { at_scan: number; old: unknown; new: unknown };
    expect(applied.old).toEqual({ every_scans: 1 });
    expect(applied.new).toEqual({ every_scans: 5 });
    expect(((await (await fetch(url)).json()) as { decide: unknown }).decide).toEqual({
      every_scans: 5,
    });
    await new Promise((r) => child.once('exit', r));
    expect(child.exitCode).toBe(0);

    const s = applied.at_scan;
    const decided = (await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'))).map(
      (r) => r.scan_number as number,
    );
    expect(decided.filter((n) => n <= s)).toEqual(scanNumbers(s - FIRST_SCAN + 1));
    const after = decided.filter((n) => n > s);
    expect(after[0]).toBe(s + 5);
    expect(after.every((n, i) => n === s + 5 * (i + 1))).toBe(true);
    const audit = await exportJsonl(journal, 'violet_control_audit', join(dir, 'a.jsonl'));
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      who: 'alice',
      action: 'decide',
      old_value: 'every 1 scans',
      new_value: 'every 5 scans',
      at_scan: s,
    });
  });
});

describe('journal outage', () => {
  it('keeps every row in the spool while the database is locked, and drains them afterwards', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 1200, 4);
    const journal = join(dir, 'j.duckdb');
    expect(
      (await violet(['shadow', '--scans', sampleArchive(dir, 10, 4), '--journal', journal])).status,
    ).toBe(0);
    // Another process holds DuckDB's file lock: the journal cannot be opened.
    const locker = await lockJournal(journal);
    const run = await violet(['shadow', '--scans', scans, '--journal', journal]);
    locker.kill('SIGKILL');
    await new Promise((r) => locker.once('exit', r));
    expect(run.status).toBe(1);
    // 1200 decisions and the universe row of the first scan.
    expect(run.stderr).toMatch(/journal .* unavailable .*1201 rows wait in/);
    const drain = await violet(['journal', 'drain', '--journal', journal]);
    expect(drain.status).toBe(0);
    expect(drain.stdout).toMatch(/drained 1201 spooled rows/);
    const rows = await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'));
    expect(rows.map((r) => r.scan_number)).toEqual(scanNumbers(1200));
  });
});
