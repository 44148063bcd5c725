// Runs the built `violet` command the way an operator does (tests run after `npm run build`).
import { spawnSync } from 'node:child_process';
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

export function violet(args: readonly string[], input?: string): Run {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    cwd: REPO,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
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
