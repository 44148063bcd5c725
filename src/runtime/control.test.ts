import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { RunStats } from '../engine/reactor.js';
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

/** A child's JSON log lines, awaited one predicate at a time (lines seen are kept). */
function jsonEvents(stream: NodeJS.ReadableStream) {
  const seen: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let rest = '';
  stream.on('data', (d) => {
    rest += d;
    const lines = rest.split('\n');
    rest = lines.pop() as string;
    for (const l of lines) if (l.startsWith('{')) seen.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  let from = 0;
  return {
    /** The first line from here on that `pred` accepts. */
    async next(pred: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
      for (;;) {
        while (from < seen.length) {
          const e = seen[from++] as Record<string, unknown>;
          if (pred(e)) return e;
        }
        await new Promise<void>((resolve, reject) => {
          waiters.push(resolve);
          stream.once('end', () => reject(new Error('the log ended first')));
        });
      }
    },
  };
}

/** A shadow replay of a 3,000-scan sample in the background, with `extra` options. */
function replay(seed: number, extra: readonly string[]) {
  const dir = tempDir();
  const scans = sampleArchive(dir, 3000, seed);
  const journal = join(dir, 'j.duckdb');
  const child = spawn(
    process.execPath,
    [BIN, 'shadow', '--scans', scans, '--journal', journal, ...extra],
    { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { dir, scans, journal, child };
}

describe('cadence control plane over HTTP', () => {
  it('applies an authorised change at the next quantum, audits it, and refuses a write without the token', async () => {
    const { dir, journal, child } = replay(21, [
      '--rate',
      '1000',
      '--control-port',
      '0',
      '--control-token',
      's3cret',
    ]);
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
    // Once scans are under way (a change before the first scan has no scan to follow).
    const scanning = async () =>
      ((await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as RunStats)
        .lastScanNumber !== null;
    while (!(await scanning())) await sleep(20);
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

describe('a rerun after SIGINT', () => {
  it('re-applies the audited cadence change where it took effect, unaudited, and decides as the first run did', async () => {
    const { dir, scans, journal, child } = replay(22, [
      '--rate',
      '1000',
      '--log-format',
      'json',
      '--control-port',
      '0',
      '--control-token',
      't',
    ]);
    const args = [BIN, 'shadow', '--scans', scans, '--journal', journal];
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    const events = jsonEvents(child.stderr);
    const port = (await events.next((e) => e.event === 'control')).port as number;
    // Changed once scans are under way (a change before the first scan has no scan to
    // follow), and interrupted at the next stats event after it, well before the end.
    await events.next((e) => e.event === 'stats');
    const put = await fetch(`http://127.0.0.1:${port}/cadence`, {
      method: 'PUT',
      body: JSON.stringify({ action: 'decide', every_scans: 3 }),
      headers: { authorization: 'Bearer t', 'x-violet-operator': 'bob' },
    });
    expect(put.status).toBe(200);
    const s = ((await put.json()) as { at_scan: number }).at_scan;
    await events.next((e) => e.event === 'stats' && (e.scan_number as number) > s);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const partial = (await exportJsonl(journal, 'violet_decisions', join(dir, 'p.jsonl'))).length;
    expect(partial).toBeLessThan(3000);

    const rerun = await violet(args.slice(1));
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    const decided = (await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'))).map(
      (r) => r.scan_number as number,
    );
    expect(decided.filter((n) => n <= s)).toEqual(scanNumbers(s - FIRST_SCAN + 1));
    const after = decided.filter((n) => n > s);
    expect(after.length).toBe(Math.floor((FIRST_SCAN + 2999 - s) / 3));
    expect(after.every((n, i) => n === s + 3 * (i + 1))).toBe(true);
    const audit = await exportJsonl(journal, 'violet_control_audit', join(dir, 'a.jsonl'));
    // One row, numbered 1 (the journal's first): the rerun re-applied it without a second.
    expect(audit.map((a) => [a.audit_seq, a.at_scan, a.new_value])).toEqual([
      [1, s, 'every 3 scans'],
    ]);
  });
});

describe('a second signal', () => {
  it('forces the exit at once, with one line that says so', async () => {
    const { dir, scans, journal, child } = replay(23, ['--rate', '200', '--log-format', 'json']);
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    const events = jsonEvents(child.stderr);
    await events.next((e) => e.event === 'stats');
    // Two of the same signal may merge into one on the way: two different ones do not
    // (which of the two is handled first is up to the system).
    child.kill('SIGINT');
    child.kill('SIGTERM');
    const code = await exited;
    const last = await events.next((e) => e.event === 'exit');
    const [second, first] = code === 143 ? ['SIGTERM', 'SIGINT'] : ['SIGINT', 'SIGTERM'];
    expect([code, last.exit_code], JSON.stringify(last)).toEqual(
      second === 'SIGTERM' ? [143, 143] : [130, 130],
    );
    expect(last.msg).toMatch(new RegExp(`^${second} after ${first}: stopping at once`));
    // The same command again completes the journal: one row per scan.
    expect((await violet(['shadow', '--scans', scans, '--journal', journal])).status).toBe(0);
    const rows = await exportJsonl(journal, 'violet_decisions', join(dir, 'd.jsonl'));
    expect(rows.map((r) => r.scan_number)).toEqual(scanNumbers(3000));
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
