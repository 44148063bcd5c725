// Runs the built `violet` command the way an operator does (tests run after `npm run build`).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = `${REPO}bin/violet.js`;

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
  const r = spawnSync('python3', [script, ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    cwd: REPO,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
