// A zombie for tests: a process that has exited but that its parent has not reaped, so
// kill(pid, 0) still finds it (what a SIGKILLed engine is until its parent reaps it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Zombie {
  readonly pid: number;
  /** Kills the parent, which lets init reap the zombie. */
  release(): void;
}

export async function zombie(): Promise<Zombie> {
  // The shell starts a child and becomes `sleep`, which never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 60 & echo $!; exec sleep 60'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = await new Promise<number>((resolve) =>
    parent.stdout?.once('data', (d) => resolve(Number(String(d).trim()))),
  );
  // Killed only once the shell has become `sleep`: a shell still running would reap it.
  for (let i = 0; i < 500; i++) {
    if (readFileSync(`/proc/${parent.pid}/comm`, 'utf8').trim() === 'sleep') break;
    await sleep(10);
  }
  process.kill(pid, 'SIGKILL');
  // Until the kernel has marked it a zombie, /proc still says it sleeps.
  for (let i = 0; i < 500; i++) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) break;
    await sleep(10);
  }
  return { pid, release: () => parent.kill('SIGKILL') };
}
