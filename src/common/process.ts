// Whether a process of this host still runs (a lock or lease holder may have died). A zombie
// (exited, not yet reaped by its parent) has died: kill(pid, 0) still succeeds on it, so its
// state is read from /proc where there is one.
import { readFileSync } from 'node:fs';

/** The state letter of /proc/PID/stat (after the parenthesised name), or null without /proc. */
function procState(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The name may hold spaces and parentheses: the state follows the last ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it runs, as another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = procState(pid);
  // Z: zombie; X: dead, being reaped.
  return state !== 'Z' && state !== 'X';
}
