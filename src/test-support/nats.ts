// A real nats-server with JetStream for tests: a free loopback port, its store in a temp dir,
// stopped and started again on the same store and port; and the `violet` command run as a
// child process whose output can be awaited while the test goes on.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { accepts, freePorts } from '../servers/index.js';
import { BIN, REPO } from './cli.js';
import { tempDir } from './journal.js';

export class NatsServer {
  private proc: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<NatsServer> {
    const s = new NatsServer(
      ((await freePorts(1)) as [number])[0],
      join(tempDir('violet-nats-'), 'store'),
    );
    await s.start();
    return s;
  }

  /** Starts the server and waits until it takes connections (JetStream is up by then). */
  async start(): Promise<void> {
    const args = ['-js', '-a', '127.0.0.1', '-p', String(this.port), '-sd', this.storeDir];
    const proc = spawn('nats-server', args, { stdio: 'ignore' });
    this.proc = proc;
    const deadline = Date.now() + 30_000;
    while (!(await accepts(this.port))) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        throw new Error(`nats-server did not start on port ${this.port}`);
      }
      await sleep(50);
    }
  }

  /** Stops the server and waits for it to be gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc === null || proc.exitCode !== null) return;
    const gone = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill(signal);
    await gone;
  }
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
