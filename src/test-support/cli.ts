// Runs the built `violet` command the way an operator does (tests run after `npm run build`).
import { spawn, spawnSync } from 'node:child_process';
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
