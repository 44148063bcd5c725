// Runs the built `violet` command the way an operator does (tests run after `npm run build`).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${REPO}bin/violet.js`;

/** The oracles' interpreter: `python3` on the PATH, else Debian's (where the test set-up's
 * apt-get puts numpy), whichever has numpy. */
export const PYTHON =
  ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0,
  ) ?? 'python3';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Where and as whom a run happens: the repository and this user unless told. */
export interface RunAs {
  readonly cwd?: string;
  readonly uid?: number;
  readonly gid?: number;
  /** Killed (SIGTERM) after this long: a run that hangs ends with `status` null. */
  readonly timeoutMs?: number;
  /** Set in the run's environment, beside this process's. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * `violet ARGS` to its end. Asynchronous: a test's event loop keeps turning while it runs
 * (a chain of synchronous runs on a loaded machine starved the test runner's own messages).
 */
export function violet(args: readonly string[], input?: string, as: RunAs = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: as.cwd ?? REPO,
    ...(as.uid === undefined ? {} : { uid: as.uid }),
    ...(as.gid === undefined ? {} : { gid: as.gid }),
    ...(as.timeoutMs === undefined ? {} : { timeout: as.timeoutMs }),
    ...(as.env === undefined ? {} : { env: { ...process.env, ...as.env } }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.on('error', () => {});
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export function python(script: string, args: readonly string[], input?: string): Run {
  const r = spawnSync(PYTHON, [script, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    cwd: REPO,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface Child {
  readonly proc: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit status. */
  readonly exited: Promise<number | null>;
  /** Resolves once stderr matches. */
  stderrMatch(pattern: RegExp): Promise<RegExpMatchArray>;
}

const children = new Set<ChildProcess>();

/** `violet ARGS` in the background (ended by `killChildren` if still running). */
export function violetChild(args: readonly string[], env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  const child: Child = {
    proc,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => proc.once('close', (code) => resolve(code))),
    async stderrMatch(pattern) {
      for (;;) {
        const m = child.stderr.match(pattern);
        if (m !== null) return m;
        if (proc.exitCode !== null) throw new Error(`exited without ${pattern}: ${child.stderr}`);
        await sleep(25);
      }
    },
  };
  proc.stdout?.on('data', (d) => {
    child.stdout += d;
  });
  proc.stderr?.on('data', (d) => {
    child.stderr += d;
  });
  return child;
}

/** SIGKILLs every background `violet` still running (a failed test leaves no engine behind). */
export function killChildren(): void {
  for (const proc of children) proc.kill('SIGKILL');
}
