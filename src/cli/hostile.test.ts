// The CLI table test: for every command that takes a file, an input missing, a directory,
// unreadable, not a regular file (a FIFO, a socket) or corrupt, and an output onto an input (the
// same path, a symlink, a hard link) or onto the journal's files, is refused with exit 2 and one
// line on stderr, and the working folder (the command's cwd) is the same, byte for byte and
// stat for stat, after as before. Each cell is a process (~0.8 s of CPU): every corrupt form
// meets its option, and the path forms and the ways onto an input are dealt out among the
// command's options, so each option and each form is met once at least, not each pair.
// A `.jsonl` scan archive has no corrupt cell: a bad line is a rejected record (README).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { extname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO, type RunAs, violet } from '../test-support/cli.js';
import { sampleArchive, tempDir } from '../test-support/journal.js';
import { BINGX_SWAP_CONTRACTS } from '../venues/bingx/snapshot.js';

/** The kinds of file an input names: the valid fixture and its corrupt forms. */
const KINDS = {
  scans: { file: 'scans.jsonl', corrupt: [['junk.parquet', /not a readable Parquet file/]] },
  // `publish` sends every line as it is: no content of a .jsonl is corrupt to it.
  published: { file: 'scans.jsonl', corrupt: [] },
  config: { file: 'config.json', corrupt: [['junk.json', /cannot read config junk\.json/]] },
  markets: {
    file: 'markets.json',
    corrupt: [['junk-markets.json', /^violet: --markets junk-markets\.json: /]],
  },
  trades: {
    file: 'trades.csv',
    corrupt: [
      ['junk.csv', /cannot read trades/],
      ['junk.jsonl', /cannot read trades/],
      ['junk.parquet', /cannot read trades/],
    ],
  },
  journal: { file: 'j.duckdb', corrupt: [['junk.duckdb', /not a DuckDB database/]] },
  decisions: { file: 'd.duckdb', corrupt: [['junk.duckdb', /not a DuckDB database/]] },
  python: { file: 'blue.py', corrupt: [['junk.py', /not a text file/]] },
  bars: { file: 'ETHBTC-5m.csv', corrupt: [['junk.parquet', /not a readable Parquet file/]] },
} as const satisfies Record<
  string,
  { file: string; corrupt: readonly (readonly [string, RegExp])[] }
>;
type Kind = keyof typeof KINDS;

interface Cmd {
  readonly argv: readonly string[];
  /** Subcommands with the same options (the studies): the cells are dealt out among them. */
  readonly names?: readonly string[];
  /** The variant's name beside the command's, when one command has two. */
  readonly variant?: string;
  readonly inputs: readonly (readonly [option: string, kind: Kind])[];
  /** `--journal`: read (must exist) or written (created when absent). */
  readonly journal?: 'read' | 'written';
  readonly outputs: readonly (readonly [option: string, file: string])[];
  readonly rest?: readonly string[];
  /** Exit statuses of the valid run (`null`: no valid run here, e.g. it needs a server). */
  readonly runs?: readonly number[] | null;
}

const STUDY_OUTPUTS = [
  ['--json', 'study.json'],
  ['--md', 'study.md'],
  ['--charts', 'charts'],
] as const;
// The studies share their options and their loader; parity exits 1 when its gate fails.
const STUDIES = ['clean', 'margin', 'regime', 'sizing', 'parity'];

const COMMANDS: readonly Cmd[] = [
  {
    argv: ['shadow'],
    inputs: [
      ['--scans', 'scans'],
      ['--config', 'config'],
    ],
    journal: 'written',
    outputs: [
      ['--json', 'soak.json'],
      ['--md', 'soak.md'],
    ],
  },
  {
    argv: ['backtest'],
    inputs: [
      ['--scans', 'scans'],
      ['--config', 'config'],
      ['--markets', 'markets'],
    ],
    journal: 'written',
    outputs: [
      ['--chart', 'equity.svg'],
      ['--json', 'backtest.json'],
    ],
  },
  {
    argv: ['live'],
    inputs: [
      ['--scans', 'scans'],
      ['--config', 'config'],
    ],
    journal: 'written',
    outputs: [
      ['--chart', 'equity.svg'],
      ['--json', 'live.json'],
    ],
    rest: ['--venue', 'bingx-vst', '--venue-url', 'http://127.0.0.1:1'],
    runs: null,
  },
  {
    argv: ['venue', 'check'],
    inputs: [['--config', 'config']],
    outputs: [['--json', 'check.json']],
    rest: ['--venue', 'bingx-vst', '--venue-url', 'http://127.0.0.1:1'],
    runs: null,
  },
  {
    argv: ['publish'],
    inputs: [['--scans', 'published']],
    outputs: [['--json', 'publish.json']],
    rest: ['--nats', 'nats://127.0.0.1:1'],
    runs: null,
  },
  {
    argv: ['soak', 'report'],
    inputs: [],
    journal: 'read',
    outputs: [
      ['--json', 'soak.json'],
      ['--md', 'soak.md'],
    ],
  },
  {
    argv: ['trades', 'export'],
    inputs: [],
    journal: 'read',
    outputs: [['--out', 'trades-out.csv']],
    rest: ['--format', 'csv'],
  },
  {
    argv: ['journal', 'export'],
    inputs: [],
    journal: 'read',
    outputs: [['--out', 'decisions.csv']],
    rest: ['--table', 'violet_decisions', '--format', 'csv'],
  },
  { argv: ['journal', 'drain'], inputs: [], journal: 'read', outputs: [] },
  {
    argv: ['study'],
    names: STUDIES,
    variant: '--trades',
    inputs: [['--trades', 'trades']],
    outputs: STUDY_OUTPUTS,
    runs: [0, 1],
  },
  {
    argv: ['study'],
    names: STUDIES,
    variant: '--journal',
    inputs: [],
    journal: 'read',
    outputs: STUDY_OUTPUTS,
    // The valid runs of the --trades variant stand for these: the same options and loader.
    runs: null,
  },
  {
    argv: ['study', 'colocate'],
    inputs: [
      ['--trades', 'trades'],
      ['--decisions', 'decisions'],
    ],
    outputs: STUDY_OUTPUTS,
  },
  {
    argv: ['drift-check'],
    inputs: [['--blue-source', 'python']],
    outputs: [['--json', 'drift.json']],
  },
  {
    argv: ['scan'],
    inputs: [['--bars', 'bars']],
    outputs: [
      ['--out', 'scans-out.jsonl'],
      ['--eig-out', 'eig.csv'],
      ['--json', 'scan.json'],
    ],
  },
  // The main job writes its reports under var/ of its cwd; only its journal is an option.
  { argv: ['start'], inputs: [], journal: 'written', outputs: [], runs: null },
  // kernel, planes, journal ddl and distrack eval name no file (distrack's stdin refusals:
  // distrack.test.ts); status and gen scans only an output (below and in edges.test.ts).
];

/** Root reads a file of mode 000: the unreadable cells run as `nobody` then. */
const NOBODY = { uid: 65534, gid: 65534 };
const ROOT_RUN = process.getuid?.() === 0;
const UNREADABLE: RunAs = ROOT_RUN ? NOBODY : {};
const UNREADABLE_NAME = `unreadable (mode 000${ROOT_RUN ? ', run as nobody: root reads any file' : ''})`;
/** Where `nobody` cannot run the CLI (the checkout closed to others), there is no such cell. */
const UNREADABLE_HOLDS =
  !ROOT_RUN || spawnSync(process.execPath, [BIN, '--version'], NOBODY).status === 0;

interface Cell {
  readonly name: string;
  readonly args: readonly string[];
  /** The files of the command's valid run, copied into the cell's folder. */
  readonly files: readonly string[];
  /** Makes the hostile file; returns what to undo once the cell is done. */
  readonly setup?: (dir: string) => Promise<() => void> | void;
  readonly as?: RunAs;
  /** The refusal's reason; absent: the valid run, which must end with one of `runs`. */
  readonly refused?: RegExp;
  readonly runs?: readonly number[];
}

function junk(path: string): void {
  const blocks = Array.from({ length: 128 }, (_, k) =>
    createHash('sha256').update(`junk ${k}`).digest(),
  );
  writeFileSync(path, Buffer.concat(blocks));
}

async function socketAt(path: string): Promise<() => void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return () => server.close();
}

interface Form {
  readonly what: string;
  readonly name: string;
  readonly reason: RegExp;
  readonly setup?: (dir: string) => Promise<() => void> | void;
  readonly as?: RunAs;
}

const ext = (kind: Kind) => extname(KINDS[kind].file);

/** A path that is no readable file, as a `kind` of file is named; null where it does not apply. */
const PATH_FORMS: readonly ((kind: Kind, created: boolean, turn: number) => Form | null)[] = [
  (kind, created) =>
    created ? null : { what: 'missing', name: `absent${ext(kind)}`, reason: /no such/ },
  (kind) => ({
    what: 'a directory',
    name: `folder${ext(kind)}`,
    reason: /a directory/,
    setup: (dir) => mkdirSync(join(dir, `folder${ext(kind)}`)),
  }),
  (kind) =>
    UNREADABLE_HOLDS
      ? {
          what: UNREADABLE_NAME,
          name: `locked${ext(kind)}`,
          reason: /cannot read \(EACCES\)/,
          setup: (dir) => {
            copyFileSync(join(fixtures, KINDS[kind].file), join(dir, `locked${ext(kind)}`));
            chmodSync(join(dir, `locked${ext(kind)}`), 0);
          },
          as: UNREADABLE,
        }
      : null,
  // A FIFO and a socket take turns by command: both are refused by the same check.
  (kind, _, turn) =>
    turn % 2 === 1
      ? {
          what: 'a FIFO',
          name: `fifo${ext(kind)}`,
          reason: /not a regular file \(a FIFO\)/,
          setup: (dir) => {
            expect(spawnSync('mkfifo', [join(dir, `fifo${ext(kind)}`)]).status).toBe(0);
          },
        }
      : {
          what: 'a socket',
          name: `socket${ext(kind)}`,
          reason: /not a regular file \(a socket\)/,
          setup: (dir) => socketAt(join(dir, `socket${ext(kind)}`)),
        },
];

function corruptForms(kind: Kind): Form[] {
  return KINDS[kind].corrupt.map(([name, reason]) => ({
    what: `corrupt (${name})`,
    name,
    reason,
    setup: (dir) => junk(join(dir, name)),
  }));
}

interface Alias {
  readonly name: string;
  readonly setup?: (dir: string) => void;
}

/** Where an output may land on a file the command reads: the same path, a symlink, a hard link. */
function aliases(file: string): Alias[] {
  return [
    { name: file },
    {
      name: `link-${file}`,
      setup: (dir: string) => symlinkSync(file, join(dir, `link-${file}`)),
    },
    {
      name: `hard-${file}`,
      setup: (dir: string) => linkSync(join(dir, file), join(dir, `hard-${file}`)),
    },
  ];
}

function cellsOf(cmd: Cmd, turn: number): Cell[] {
  const journalFile = KINDS.journal.file;
  const names = cmd.names ?? [];
  const argv = (k: number) => [
    ...cmd.argv,
    ...(names.length === 0 ? [] : [names[k % names.length] as string]),
  ];
  // A written journal is absent in the valid run: a run that goes on creates it.
  const journalArg = cmd.journal === 'written' ? 'new.duckdb' : journalFile;
  const base = (k: number, over: Record<string, string>) => {
    const args = argv(k);
    const files = new Set<string>();
    const give = (option: string, value: string) => {
      args.push(option, over[option] ?? value);
    };
    for (const [option, kind] of cmd.inputs) {
      files.add(KINDS[kind].file);
      give(option, KINDS[kind].file);
    }
    if (cmd.journal !== undefined) {
      if (cmd.journal === 'read' || over['--journal'] === journalFile) files.add(journalFile);
      give('--journal', journalArg);
    }
    for (const [option, file] of cmd.outputs) give(option, file);
    args.push(...(cmd.rest ?? []));
    if (files.has(journalFile)) files.add(`${journalFile}.spool/`);
    return { args, files: [...files] };
  };
  const options: [string, Kind, boolean][] = cmd.inputs.map(([o, k]) => [o, k, false]);
  if (cmd.journal !== undefined) options.push(['--journal', 'journal', cmd.journal === 'written']);
  const given: [string, Form][] = [];
  for (const [option, kind] of options) {
    for (const f of corruptForms(kind)) given.push([option, f]);
  }
  // Each path form to the next option it applies to.
  let next = 0;
  for (const form of PATH_FORMS) {
    for (let t = 0; t < options.length; t++) {
      const [option, kind, created] = options[(next + t) % options.length] as [
        string,
        Kind,
        boolean,
      ];
      const f = form(kind, created, turn);
      if (f === null) continue;
      given.push([option, f]);
      next = (next + t + 1) % options.length;
      break;
    }
  }
  const cells: Cell[] = [];
  for (const [option, f] of given) {
    cells.push({
      name: `${option}: ${f.what}`,
      ...base(cells.length, { [option]: f.name }),
      refused: f.reason,
      ...(f.setup === undefined ? {} : { setup: f.setup }),
      ...(f.as === undefined ? {} : { as: f.as }),
    });
  }
  if (cmd.outputs.length > 0) {
    // The three ways onto a file read, dealt out among the files; then the journal's own.
    const read: [string, string, Record<string, string>][] = cmd.inputs.map(([o, k]) => [
      o,
      KINDS[k].file,
      {},
    ]);
    const over = { '--journal': journalFile };
    if (cmd.journal !== undefined) read.push(['--journal', journalFile, over]);
    const targets = ['the same path', 'a symlink to it', 'a hard link to it'].map((way, k) => {
      const [option, file, o] = read[k % read.length] as [string, string, Record<string, string>];
      return { ...(aliases(file)[k] as Alias), what: `${option}, ${way}`, over: o };
    });
    if (cmd.journal !== undefined) {
      targets.push(
        { what: "the journal's .wal", name: `${journalFile}.wal`, over },
        { what: "a file in the journal's .spool", name: `${journalFile}.spool/out`, over },
      );
    }
    for (const [k, t] of targets.entries()) {
      const output = (cmd.outputs[k % cmd.outputs.length] as readonly [string, string])[0];
      const name = t.name.replace(/\./g, '\\.');
      cells.push({
        name: `${output} onto ${t.what}`,
        ...base(cells.length, { ...t.over, [output]: t.name }),
        refused: new RegExp(
          `^violet: ${output} ${name}: is (.*, which this command reads or writes|in .*, the journal's spool)$`,
        ),
        ...(t.setup === undefined ? {} : { setup: t.setup }),
      });
    }
  }
  if (cmd.runs !== null) {
    const runs = cmd.runs ?? [0];
    const valid = Array.from({ length: Math.max(names.length, 1) }, (_, k) => ({
      name: `the valid run${names.length === 0 ? '' : ` of ${names[k]}`}`,
      ...base(k, {}),
      runs,
    }));
    cells.unshift(...valid);
  }
  return cells;
}

/** Every entry under `root`: path, type, size, mode, links, mtime (ns), contents or target. */
function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const path = join(root, rel);
    const st = lstatSync(path, { bigint: true });
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : st.isFIFO()
            ? 'fifo'
            : st.isSocket()
              ? 'socket'
              : 'other';
    let line = `${rel || '.'} ${type} size=${st.size} mode=${(st.mode & 0o7777n).toString(8)} nlink=${st.nlink} mtime=${st.mtimeNs}`;
    if (st.isFile()) {
      try {
        line += ` sha256=${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
      } catch (e) {
        line += ` unreadable=${(e as NodeJS.ErrnoException).code}`;
      }
    }
    if (st.isSymbolicLink()) line += ` -> ${readlinkSync(path)}`;
    out.push(line);
    if (st.isDirectory()) for (const e of readdirSync(path).sort()) walk(join(rel, e));
  };
  walk('');
  return out;
}

async function pool<T>(items: readonly T[], width: number, f: (t: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await f(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

const root = tempDir('violet-hostile-');
const fixtures = join(root, 'fixtures');
let serial = 0;

/** One cell in a folder of its own, the command's cwd; its problems, none when it holds. */
async function check(cell: Cell): Promise<string[]> {
  const dir = join(root, `cell-${++serial}`);
  mkdirSync(dir, { mode: 0o755 });
  chmodSync(dir, 0o755);
  for (const f of cell.files) {
    if (f.endsWith('/')) mkdirSync(join(dir, f));
    else copyFileSync(join(fixtures, f), join(dir, f));
  }
  const undo = await cell.setup?.(dir);
  try {
    const before = snapshot(dir);
    const r = await violet(cell.args, undefined, { cwd: dir, timeoutMs: 20_000, ...cell.as });
    const after = snapshot(dir);
    const problems: string[] = [];
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    if (cell.refused === undefined) {
      if (!cell.runs?.includes(r.status ?? -1)) problems.push(`exit ${r.status}: ${r.stderr}`);
      return problems;
    }
    if (r.status !== 2) problems.push(`exit ${r.status ?? 'none (killed after 20 s)'}`);
    if (lines.length !== 1) problems.push(`${lines.length} lines on stderr`);
    if (!lines.every((l) => l.startsWith('violet: ') && cell.refused?.test(l))) {
      problems.push(`stderr not ${cell.refused}: ${JSON.stringify(r.stderr.slice(0, 600))}`);
    }
    if (r.stdout !== '') problems.push(`stdout: ${JSON.stringify(r.stdout.slice(0, 200))}`);
    const changed = [
      ...before.filter((l) => !after.includes(l)).map((l) => `- ${l}`),
      ...after.filter((l) => !before.includes(l)).map((l) => `+ ${l}`),
    ];
    if (changed.length > 0) problems.push(`the folder changed:\n    ${changed.join('\n    ')}`);
    return problems;
  } finally {
    undo?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the cells two at a time; one failure lists every cell that did not hold. */
async function holds(name: string, cells: readonly Cell[]): Promise<void> {
  const failed: string[] = [];
  await pool(cells, 2, async (cell) => {
    const problems = await check(cell);
    if (problems.length > 0) {
      failed.push(`${name} | ${cell.name} | ${cell.args.join(' ')}\n  ${problems.join('\n  ')}`);
    }
  });
  expect(failed.length, `cells that did not hold:\n\n${failed.sort().join('\n\n')}\n`).toBe(0);
}

const SKIPPED = UNREADABLE_HOLDS
  ? ''
  : ' (no unreadable cells: run as root, and nobody cannot run the CLI here)';

describe(`hostile paths: exit 2, one line, nothing changed on disk${SKIPPED}`, () => {
  beforeAll(async () => {
    // The command runs as nobody in the unreadable cells: it must reach its cwd.
    chmodSync(root, 0o755);
    mkdirSync(fixtures);
    copyFileSync(sampleArchive(fixtures, 200, 3), join(fixtures, 'scans.jsonl'));
    writeFileSync(join(fixtures, 'config.json'), '{"capital": 10000}\n');
    writeFileSync(join(fixtures, 'markets.json'), JSON.stringify(BINGX_SWAP_CONTRACTS));
    writeFileSync(join(fixtures, 'blue.py'), 'ESOF_EDGE = 0.02\n');
    const bars = join(REPO, 'conformance', 'data', 'klines', 'ETHBTC-5m.csv');
    copyFileSync(bars, join(fixtures, 'ETHBTC-5m.csv'));
    // A backtest journal: decisions for the reports, trades for the exports and studies; the
    // same config as the runs onto it, which would go on (a journal keeps one per instance).
    const long = sampleArchive(fixtures, 3000, 8);
    const journal = join(fixtures, 'j.duckdb');
    const bt = await violet([
      'backtest',
      ...['--scans', long, '--config', join(fixtures, 'config.json')],
      ...['--journal', journal, '--chart', join(fixtures, 'equity.svg')],
    ]);
    expect(bt.status, bt.stderr).toBe(0);
    copyFileSync(journal, join(fixtures, 'd.duckdb'));
    const trades = ['--format', 'csv', '--out', join(fixtures, 'trades.csv')];
    const ex = await violet(['trades', 'export', '--journal', journal, ...trades]);
    expect(ex.status, ex.stderr).toBe(0);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  for (const [turn, cmd] of COMMANDS.entries()) {
    const cells = cellsOf(cmd, turn);
    const names = cmd.names === undefined ? '' : ` ${cmd.names.join('|')}`;
    const variant = cmd.variant === undefined ? '' : ` (${cmd.variant})`;
    const name = `${cmd.argv.join(' ')}${names}${variant}`;
    it(`${name}: ${cells.length} cells`, () => holds(name, cells));
  }

  it('gen scans: an output onto a directory or under a file', () => {
    const gen = ['gen', 'scans', '--scans', '5', '--assets', '2', '--seed', '1', '--out'];
    return holds('gen scans', [
      {
        name: '--out: a directory',
        args: [...gen, 'folder.jsonl'],
        files: [],
        setup: (dir) => mkdirSync(join(dir, 'folder.jsonl')),
        refused: /--out folder\.jsonl: a directory/,
      },
      {
        name: '--out: under a file',
        args: [...gen, 'scans.jsonl/more.jsonl'],
        files: ['scans.jsonl'],
        refused: /cannot write scans\.jsonl\/more\.jsonl/,
      },
    ]);
  });
});
