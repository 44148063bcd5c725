import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { zombie } from '../test-support/process.js';
import { processAlive } from './process.js';

describe('processAlive', () => {
  it('is true for a running process and false once it has exited and been reaped', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const pid = child.pid as number;
    expect(processAlive(pid)).toBe(true);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect(processAlive(pid)).toBe(false);
  });

  it('counts a zombie (exited, not yet reaped by its parent) as dead', async () => {
    const z = await zombie();
    try {
      // kill(pid, 0) still finds it: the check that used to call it alive.
      expect(() => process.kill(z.pid, 0)).not.toThrow();
      expect(processAlive(z.pid)).toBe(false);
    } finally {
      z.release();
    }
  });
});
