// The test set-up (`npm test` runs it first, as `pretest`): finds what the tests need beyond
// `npm install` and brings in what is missing, so the test command passes by itself on a
// fresh Debian machine. Servers come from Debian's packages (apt-get, as root; otherwise one
// line naming what is missing and the command that installs it, exit 1); the embedded
// current ClickHouse (chDB, about 550 MB) is a test-only package of its own
// (src/test-support/chdb), never part of the top-level install.
// Plain JavaScript: it runs before the build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHDB_DIR = fileURLToPath(new URL('./chdb/', import.meta.url));
/** Where Debian installs the servers; not always on a user's PATH. */
const SBIN = ['/usr/sbin', '/sbin'];

const PATH = [process.env.PATH, ...SBIN].join(':');

function runs(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, PATH } });
  return r.status === 0 ? `${r.stdout}${r.stderr}` : null;
}

/** An executable on the PATH (18.16's clickhouse-server has no `--version` to run). */
function onPath(cmd) {
  return PATH.split(':').some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** `python3` on the PATH, else Debian's own (where apt-get puts numpy), with numpy. */
const PYTHONS = ['python3', '/usr/bin/python3'];

/** What the tests need, each with its check and the Debian packages that provide it. */
const NEEDS = [
  {
    what: 'nats-server (2.2+, JetStream)',
    packages: ['nats-server'],
    ok: () => {
      const v = /v?(\d+)\.(\d+)\.\d+/.exec(runs('nats-server', ['--version']) ?? '');
      return v !== null && (Number(v[1]) > 2 || (Number(v[1]) === 2 && Number(v[2]) >= 2));
    },
  },
  {
    what: 'clickhouse-server',
    packages: ['clickhouse-server'],
    ok: () => onPath('clickhouse-server'),
  },
  {
    what: 'python3 with numpy',
    packages: ['python3', 'python3-numpy'],
    ok: () => PYTHONS.some((p) => runs(p, ['-c', 'import numpy']) !== null),
  },
];

function say(line) {
  process.stdout.write(`test set-up: ${line}\n`);
}

function aptInstall(packages) {
  const isRoot = process.getuid?.() === 0;
  const debian = existsSync('/etc/debian_version') && runs('apt-get', ['--version']) !== null;
  if (!isRoot || !debian) return false;
  say(`installing ${packages.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env }).status === 0;
  return (
    apt(['-qq', 'update']) && apt(['install', '-y', '-qq', '--no-install-recommends', ...packages])
  );
}

/** chDB through its own lock: installed once, again only when the lock changes. */
function ensureChdb() {
  const lock = readFileSync(join(CHDB_DIR, 'package-lock.json'));
  const digest = createHash('sha256').update(lock).digest('hex');
  const stamp = join(CHDB_DIR, 'node_modules', '.violet-lock-sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return true;
  say('installing the embedded current ClickHouse (chdb, test-only, about 550 MB)');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: CHDB_DIR,
    stdio: 'inherit',
  });
  if (r.status !== 0) return false;
  writeFileSync(stamp, digest);
  return true;
}

function main() {
  let missing = NEEDS.filter((n) => !n.ok());
  if (missing.length > 0) {
    const packages = [...new Set(missing.flatMap((n) => n.packages))];
    if (aptInstall(packages)) missing = missing.filter((n) => !n.ok());
    if (missing.length > 0) {
      process.stderr.write(
        `test set-up: missing ${missing.map((n) => n.what).join(', ')}; install with: ` +
          `sudo apt-get install -y ${packages.join(' ')}\n`,
      );
      return 1;
    }
  }
  if (!ensureChdb()) {
    process.stderr.write(
      `test set-up: could not install chdb; run: (cd src/test-support/chdb && npm ci)\n`,
    );
    return 1;
  }
  return 0;
}

process.exitCode = main();
