import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, violet } from '../test-support/cli.js';
import { exportJsonl, sampleArchive, tempDir } from '../test-support/journal.js';

type Row = Record<string, unknown>;

async function ok(args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  const r = await violet(args);
  if (r.status !== 0) throw new Error(`violet ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r;
}

let exports = 0;
async function table(journal: string, name: string, instance: string): Promise<Row[]> {
  return (await exportJsonl(journal, name, join(tempDir(), `t${++exports}.jsonl`))).filter(
    (r) => r.instance_id === instance,
  );
}

function configFile(dir: string, name: string, config: object): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('several instances in one process', () => {
  it('journals each instance as its own run would, with JSON logs naming the instance', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 1500, 31);
    const a = configFile(dir, 'a', { instance_id: 'alpha' });
    const b = configFile(dir, 'b', {
      instance_id: 'beta',
      profile: 'v3-shadow',
      cadence: { 'journal-flush': { every_scans: 100 }, 'stats-snapshot': { every_scans: 500 } },
    });
    const both = join(dir, 'both.duckdb');
    const reportFile = join(dir, 'both.json');
    const run = await ok([
      'shadow',
      '--scans',
      scans,
      '--journal',
      both,
      '--config',
      a,
      '--config',
      b,
      '--log-format',
      'json',
      '--json',
      reportFile,
    ]);
    expect(run.stdout).toMatch(/^alpha: 1500 scans, 1500 decisions .*\nbeta: 1500 scans, 1500/m);
    expect(run.stdout).toMatch(/# VIOLET soak report: alpha[\s\S]*# VIOLET soak report: beta/);
    const reports = JSON.parse(readFileSync(reportFile, 'utf8'));
    expect(reports.map((r: Row) => r.decisions)).toEqual([1500, 1500]);

    // Every log line is one JSON object with a time, a level, an event and the instance.
    const lines = run.stderr.split('\n').filter((l) => l !== '');
    const events = lines.map((l) => JSON.parse(l) as Row);
    for (const e of events) {
      expect(typeof e.ts).toBe('string');
      expect(Number.isNaN(Date.parse(e.ts as string))).toBe(false);
      expect(['info', 'warn', 'error']).toContain(e.level);
      expect(typeof e.event).toBe('string');
    }
    const stats = events.filter((e) => e.event === 'stats' && e.instance === 'beta');
    expect(stats.map((e) => e.accepted)).toEqual([500, 1000, 1500]);
    const ends = events.filter((e) => e.event === 'end');
    expect(ends.map((e) => [e.instance, e.decisions, e.spool_depth])).toEqual([
      ['alpha', 1500, 0],
      ['beta', 1500, 0],
    ]);

    for (const [id, config] of [
      ['alpha', a],
      ['beta', b],
    ] as const) {
      const alone = join(dir, `${id}.duckdb`);
      await ok(['shadow', '--scans', scans, '--journal', alone, '--config', config]);
      for (const t of ['violet_decisions', 'violet_universe']) {
        const mine = await table(both, t, id);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine).toEqual(await table(alone, t, id));
      }
    }
  });

  it('refuses two configs of one instance, and one-instance flags with several', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 50, 32);
    const a = configFile(dir, 'a', { instance_id: 'same' });
    const b = configFile(dir, 'b', { instance_id: 'same', profile: 'v3-shadow' });
    const c = configFile(dir, 'c', { instance_id: 'other' });
    const journal = join(dir, 'j.duckdb');
    const base = ['shadow', '--scans', scans, '--journal', journal];
    const twice = await violet([...base, '--config', a, '--config', b]);
    expect(twice.status).toBe(2);
    expect(twice.stderr).toMatch(/two --config files give instance_id same/);
    const flag = await violet([...base, '--config', a, '--config', c, '--instance', 'x']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--instance applies to one instance/);
    // In JSON mode even the refusal is a JSON line.
    const missing = await violet([
      'shadow',
      '--scans',
      join(dir, 'none.jsonl'),
      '--log-format',
      'json',
    ]);
    expect(missing.status).toBe(2);
    expect(JSON.parse(missing.stderr)).toMatchObject({
      level: 'error',
      event: 'exit',
      exit_code: 2,
      msg: expect.stringMatching(/^--scans \S*none\.jsonl: no such file$/),
    });
    const format = await violet([...base, '--log-format', 'xml']);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(
      /^error: option '--log-format <format>' argument 'xml' is invalid\. Allowed choices are text, json\.\n$/,
    );
  });

  it('serves each instance on the control endpoint, picked by ?instance=', async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 3000, 33);
    const a = configFile(dir, 'a', { instance_id: 'alpha' });
    const b = configFile(dir, 'b', { instance_id: 'beta' });
    const args = ['shadow', '--scans', scans, '--journal', join(dir, 'j.duckdb')];
    const child = spawn(
      process.execPath,
      [BIN, ...args, '--config', a, '--config', b, '--rate', '1000', '--control-port', '0'],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const port = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = stderr.match(/control endpoint: http:\/\/127\.0\.0\.1:(\d+)/);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', () => reject(new Error(`exited: ${stderr}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const all = (await (await fetch(`${url}/status`)).json()) as { instances: Row[] };
    expect(all.instances.map((s) => s.instance_id)).toEqual(['alpha', 'beta']);
    const beta = (await (await fetch(`${url}/status?instance=beta`)).json()) as Row;
    expect(beta.instance_id).toBe('beta');
    expect(typeof beta.spool_depth).toBe('number');
    const unnamed = await fetch(`${url}/cadence`);
    expect(unnamed.status).toBe(400);
    expect(((await unnamed.json()) as Row).error).toMatch(/\?instance= one of alpha, beta/);
    expect((await fetch(`${url}/cadence?instance=gamma`)).status).toBe(404);
    const cadence = (await (await fetch(`${url}/cadence?instance=alpha`)).json()) as Row;
    expect(cadence.decide).toEqual({ every_scans: 1 });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  });
});
