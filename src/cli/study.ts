// `violet study <name>`: the studies on recorded trades (docs/studies.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type Command, InvalidArgumentError } from 'commander';
import { isClickHouseUrl } from '../journal/clickhouse.js';
import { checkJournal } from '../journal/open.js';
import { quote } from '../journal/read.js';
import { DECISIONS, UNIVERSE } from '../journal/schema.js';
import { createCleanTrades, runClean } from '../studies/clean/index.js';
import { runColocate } from '../studies/colocate/index.js';
import { openStudyDb, type StudyDb, type StudyResult } from '../studies/db.js';
import { loadTrades, parseMap, type TradeSource } from '../studies/load.js';
import { runMargin } from '../studies/margin/index.js';
import { runParity } from '../studies/parity/index.js';
import { runRegime } from '../studies/regime/index.js';
import { runSizing } from '../studies/sizing/index.js';
import { CheckFailed, UsageError } from './errors.js';
import { exportTable } from './journal.js';
import { JSON_HELP } from './options.js';
import { jsonOnStdout, writeJson, writeOut } from './output.js';

interface CommonOptions {
  trades?: string;
  journal?: string;
  table?: string;
  map?: string;
  json?: string;
  md?: string;
  charts?: string;
}

function source(o: CommonOptions): TradeSource {
  if (o.trades !== undefined && o.journal === undefined) return { file: o.trades };
  if (o.trades === undefined && o.journal !== undefined) {
    checkJournal(o.journal, true);
    return { journal: o.journal, table: o.table ?? 'violet_trades' };
  }
  throw new UsageError('give the trades as --trades FILE, or as --journal F [--table T]');
}

/** A ClickHouse journal table goes through a temp JSON Lines export and the file loader. */
async function load(db: StudyDb, src: TradeSource, map: Record<string, string>): Promise<void> {
  if (!('journal' in src) || !isClickHouseUrl(src.journal)) {
    await loadTrades(db, src, map);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'violet-study-'));
  try {
    const file = join(dir, `${src.table}.jsonl`);
    await exportTable(src.journal, src.table, 'jsonl', file, null);
    await loadTrades(db, { file }, map);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The decisions and universe of a journal as a DuckDB file: the file itself, or, for a
 * ClickHouse journal, a temporary copy of the two tables (exported as Parquet, types kept).
 */
async function localDecisions(journal: string): Promise<{ path: string; done(): void }> {
  if (!isClickHouseUrl(journal)) return { path: journal, done() {} };
  const dir = mkdtempSync(join(tmpdir(), 'violet-colocate-'));
  const done = () => rmSync(dir, { recursive: true, force: true });
  try {
    const path = join(dir, 'decisions.duckdb');
    const db = await DuckDBInstance.create(path);
    const conn = await db.connect();
    try {
      for (const t of [DECISIONS, UNIVERSE]) {
        const file = join(dir, `${t.name}.parquet`);
        await exportTable(journal, t.name, 'parquet', file, null);
        await conn.run(`CREATE TABLE ${t.name} AS SELECT * FROM read_parquet(${quote(file)})`);
      }
    } finally {
      conn.closeSync();
      db.closeSync();
    }
    return { path, done };
  } catch (e) {
    done();
    throw e;
  }
}

export function fraction(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number >= 0');
  return n;
}

/** Loads the trades, cleans them (unless the study is clean itself), runs the study, writes outputs. */
async function study(
  name: string,
  o: CommonOptions,
  run: (db: StudyDb) => Promise<StudyResult>,
  cleanFirst = true,
): Promise<void> {
  const db = await openStudyDb();
  try {
    await load(db, source(o), parseMap(o.map));
    if (cleanFirst) await createCleanTrades(db.conn);
    const r = await run(db);
    if (o.json !== undefined) writeJson(o.json, r.json);
    if (o.md !== undefined) writeOut(o.md, r.markdown);
    if (o.charts !== undefined) for (const c of r.charts) writeOut(join(o.charts, c.name), c.svg);
    if (!jsonOnStdout(o)) process.stdout.write(r.markdown);
    if (r.pass === false) throw new CheckFailed(`${name}: gate failed`);
  } finally {
    db.close();
  }
}

function withCommon(c: Command): Command {
  return c
    .option(
      '--trades <file>',
      'recorded trades: .csv, .jsonl or .parquet (the columns of violet trades export; see docs/studies.md)',
    )
    .option('--journal <journal>', 'or a journal holding them (DuckDB file or clickhouse:// URL)')
    .option('--table <name>', 'the journal table (default violet_trades)')
    .option('--map <pairs>', 'column map for other exports: old=new,old2=new2')
    .option('--json <file>', `write the result as JSON ${JSON_HELP}`)
    .option('--md <file>', 'write the report as Markdown')
    .option('--charts <dir>', 'write the charts (SVG) here');
}

export function registerStudy(program: Command): void {
  const s = program.command('study').description('studies on recorded trades (docs/studies.md)');
  withCommon(
    s
      .command('clean')
      .description('dedup, artifact removal, raw vs clean pnl, capital cross-check'),
  ).action((o: CommonOptions) => study('clean', o, (db) => runClean(db.conn), false));
  withCommon(
    s.command('margin').description('margin envelope at 1×..5×, utilisation, recommendation'),
  )
    .option('--max-p95-util <x>', 'p95 utilisation a recommendation may reach', fraction, 0.75)
    .action((o: CommonOptions & { maxP95Util: number }) =>
      study('margin', o, (db) => runMargin(db.conn, { maxP95Util: o.maxP95Util })),
    );
  withCommon(
    s.command('regime').description('regime-conditional edge, sub-regimes, label reliability'),
  ).action((o: CommonOptions) => study('regime', o, (db) => runRegime(db.conn)));
  withCommon(
    s
      .command('sizing')
      .description('recorded ÷ base leverage: EsoF bands, upward tail by vel_div bin'),
  )
    .option('--max-leverage <x>', 'base sizer max_leverage', fraction, 9)
    .action((o: CommonOptions & { maxLeverage: number }) =>
      study('sizing', o, (db) => runSizing(db.conn, { maxLeverage: o.maxLeverage })),
    );
  withCommon(
    s
      .command('parity')
      .description(
        'median-curve parity gate, pearson, max-abs-error, parameter recovery; exit 1 when it fails',
      ),
  )
    .option('--max-leverage <x>', 'model max_leverage', fraction, 9)
    .option('--min-r <r>', 'least pearson that passes', fraction, 0.999)
    .option('--max-err <e>', 'largest max_abs_err that passes', fraction, 0.25)
    .action((o: CommonOptions & { maxLeverage: number; minR: number; maxErr: number }) =>
      study('parity', o, (db) =>
        runParity(db.conn, { maxLeverage: o.maxLeverage, minR: o.minR, maxErr: o.maxErr }),
      ),
    );
  withCommon(
    s
      .command('colocate')
      .description('reference trades inside the decision universe, decisions within ±5 min'),
  )
    .requiredOption(
      '--decisions <journal>',
      'the journal of a shadow soak (DuckDB file or clickhouse:// URL)',
    )
    .option('--instance <id>', 'the soak instance (default: the only one)')
    .action(async (o: CommonOptions & { decisions: string; instance?: string }) => {
      checkJournal(o.decisions, true);
      const local = await localDecisions(o.decisions);
      try {
        await study('colocate', o, (db) => runColocate(db.conn, local.path, o.instance ?? null));
      } finally {
        local.done();
      }
    });
}
