// The control endpoint faces a network: whatever arrives on its port, the engine stays up,
// every answer is an HTTP status, and nothing changes without the token (fuzzed over raw TCP).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO } from '../test-support/cli.js';
import { sampleArchive, tempDir } from '../test-support/journal.js';
import { MAX_BODY_BYTES } from './control.js';

const TOKEN = 's3cret-token';

/** Sends raw bytes, half-closes, and returns what came back before the server closed. */
function exchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve(Buffer.concat(got).toString('latin1'));
    };
    socket.on('data', (d) => {
      got.push(d);
      // One status line is the answer this test needs.
      if (Buffer.concat(got).includes('\r\n')) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    socket.setTimeout(20_000, finish);
    socket.write(request, () => socket.end());
  });
}

const method = fc.oneof(
  fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT'),
  fc.stringMatching(/^[A-Za-z]{1,12}$/),
);
const target = fc.oneof(
  fc.constantFrom(
    '/cadence',
    '/status',
    '/cadence?instance=violet-1',
    '/cadence?instance=nope',
    '/status?instance=',
    'http://[',
    'http://127.0.0.1/cadence',
    '*',
    '//',
    '/%zz',
    '/cadence?%',
    '/../../etc/passwd',
  ),
  fc.string({ maxLength: 200 }).map((s) => `/${s}`),
  fc.string({ maxLength: 50 }),
);
const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2', 'HTTP/9.9', '');
const header = fc.oneof(
  fc.constantFrom(
    'Authorization: Bearer wrong',
    'Authorization: Bearer ',
    `Authorization: Basic ${TOKEN}`,
    'Content-Type: application/json',
    'Transfer-Encoding: chunked',
    'Content-Length: -1',
    'Content-Length: 99999999999999999999',
    'Content-Length: abc',
    'x-violet-operator: mallory',
    'Host: evil.example',
    'Connection: keep-alive',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ maxLength: 100 }))
    .map(([k, v]) => `${k}: ${v.replace(/[\r\n]/g, '')}`),
);
const body = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)) },
  {
    weight: 4,
    arbitrary: fc
      .record({
        action: fc.constantFrom('decide', 'report', 'exit-check', 'nope', 7),
        every_scans: fc.oneof(fc.integer(), fc.constant(1e12), fc.constant(-1), fc.double()),
      })
      .map((o) => Buffer.from(JSON.stringify(o))),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(MAX_BODY_BYTES + 1, 1 << 20, 10 << 20)
      .map((n) => Buffer.alloc(n, '{')),
  },
);
const request = fc
  .record({
    method,
    target,
    version,
    headers: fc.array(header, { maxLength: 6 }),
    body,
    contentLength: fc.boolean(),
  })
  .map((r) => {
    const lines = [`${r.method} ${r.target} ${r.version}`.trimEnd(), ...r.headers];
    if (r.contentLength) lines.push(`Content-Length: ${r.body.length}`);
    const head = `${lines.join('\r\n')}\r\n\r\n`;
    const bytes = Buffer.concat([Buffer.from(head, 'latin1'), r.body]);
    // A counterexample prints as its head and body size, not as 10 MB of bytes.
    const shown = `${JSON.stringify(head)} + ${r.body.length} body bytes ${JSON.stringify(r.body.subarray(0, 80).toString('latin1'))}`;
    return { bytes, [fc.toStringMethod]: () => shown };
  });
const raw = (text: string) => ({
  bytes: Buffer.from(text, 'latin1'),
  [fc.toStringMethod]: () => text,
});

describe('control endpoint under hostile input', () => {
  let engine: ChildProcess;
  let port = 0;
  let stderr = '';

  beforeAll(async () => {
    const dir = tempDir();
    const scans = sampleArchive(dir, 20_000, 3);
    const args = ['shadow', '--scans', scans, '--journal', join(dir, 'j.duckdb'), '--rate', '5'];
    engine = spawn(
      process.execPath,
      [BIN, ...args, '--control-port', '0', '--control-token', TOKEN],
      { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    engine.stderr?.on('data', (d) => {
      stderr += d;
    });
    for (let i = 0; i < 600 && port === 0; i++) {
      const m = /control endpoint: http:\/\/127\.0\.0\.1:(\d+)/.exec(stderr);
      if (m) port = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 50));
    }
    expect(port, stderr).toBeGreaterThan(0);
  });

  afterAll(() => {
    engine?.kill('SIGKILL');
  });

  const cadence = async () => (await fetch(`http://127.0.0.1:${port}/cadence`)).json();

  it('answers every request with an HTTP status, stays up, and changes nothing without the token', async () => {
    const before = await cadence();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const answer = await exchange(port, r.bytes);
        // Whatever comes back is an HTTP status. (A client still sending bytes the parser has
        // refused may see its connection reset before the 400 arrives: no answer, no crash.)
        if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 [1-5]\d\d /);
        expect(engine.exitCode, stderr).toBe(null);
      }),
      {
        numRuns: 1000,
        seed: 20261201,
        examples: [
          [raw('GET http://[ HTTP/1.1\r\n\r\n')],
          [raw('CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n')],
          [raw('GET /status HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n')],
          [raw(`PUT /cadence HTTP/1.1\r\nContent-Length: ${10 << 20}\r\n\r\n`)],
        ],
      },
    );
    expect(await cadence()).toEqual(before);
    expect(stderr).not.toMatch(/Error|at .*\.js:\d+/);
  });

  it('answers 413 to a body over the limit, 400 to a bad target, and a same-value write as no change', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const url = `http://127.0.0.1:${port}/cadence`;
    const big = await fetch(url, { method: 'PUT', headers: auth, body: 'x'.repeat(1 << 20) });
    expect(big.status).toBe(413);
    expect(await exchange(port, Buffer.from('GET http://[ HTTP/1.1\r\n\r\n'))).toMatch(
      /^HTTP\/1\.1 400 /,
    );
    const huge = JSON.stringify({ action: 'report', every_scans: 1e12 });
    const refused = await fetch(url, { method: 'PUT', headers: auth, body: huge });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'quantum.every_scans: must be <= 100000000' });
    const same = JSON.stringify({ action: 'decide', every_scans: 1 });
    const answer = await fetch(url, { method: 'PUT', headers: auth, body: same });
    expect(await answer.json()).toMatchObject({ changed: false, old: { every_scans: 1 } });
    const changed = JSON.stringify({ action: 'decide', every_scans: 2 });
    const applied = await fetch(url, { method: 'PUT', headers: auth, body: changed });
    expect(await applied.json()).toMatchObject({ changed: true, new: { every_scans: 2 } });
    expect(engine.exitCode).toBe(null);
  });
});
