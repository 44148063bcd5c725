// `violet journal export | ddl | drain`: a journal table to JSON Lines, CSV or Parquet
// ordered by its key, the DDL of each backend, and draining the spool.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import {
  checkJournal,
  DEFAULT_JOURNAL,
  openSink,
  spoolDirsOf,
  spoolWriter,
} from '../journal/open.js';
import { tableByName, wholeTable } from '../journal/read.js';
import { type Dialect, TABLES, type TableSpec, tableDdl } from '../journal/schema.js';
import { EXPORT_FORMATS, type ExportFormat } from '../journal/sink.js';
import type { JournalWriter } from '../journal/writer.js';
import { CheckFailed, UsageError } from './errors.js';
import { choice, JOURNAL_HELP } from './options.js';

const DIALECTS: readonly Dialect[] = ['duckdb', 'clickhouse'];

export function exportFormat(v: string): ExportFormat {
  if ((EXPORT_FORMATS as readonly string[]).includes(v)) return v as ExportFormat;
  throw new UsageError('--format: expected jsonl, csv or parquet');
}

function table(name: string): TableSpec {
  const t = tableByName(name);
  if (t === undefined) {
    throw new UsageError(`--table: expected one of ${TABLES.map((x) => x.name).join(', ')}`);
  }
  return t;
}

/** Exports a table, ordered by key (same journal → same bytes); returns the rows written. */
export async function exportTable(
  journal: string,
  name: string,
  format: ExportFormat,
  out: string,
  instance: string | null,
): Promise<number> {
  const t = table(name);
  const sink = await openSink(journal);
  try {
    return await sink.copyTo(wholeTable(t, instance), format, out);
  } finally {
    sink.close();
  }
}

export function registerJournal(program: Command): void {
  const journal = program.command('journal').description('the decision journal');
  journal
    .command('export')
    .description('export a journal table, ordered by its key (same journal → same bytes)')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_JOURNAL)
    .addOption(
      choice(
        '--table <name>',
        'the table',
        TABLES.map((t) => t.name),
      ).makeOptionMandatory(),
    )
    .addOption(choice('--format <fmt>', 'the file format', EXPORT_FORMATS).makeOptionMandatory())
    .requiredOption('--out <file>', 'output file')
    .option('--instance <id>', 'only this instance')
    .action(
      async (o: {
        journal: string;
        table: string;
        format: string;
        out: string;
        instance?: string;
      }) => {
        checkJournal(o.journal, true);
        const format = exportFormat(o.format);
        const n = await exportTable(o.journal, o.table, format, o.out, o.instance ?? null);
        process.stdout.write(`exported ${o.table} (${n} rows) to ${o.out}\n`);
      },
    );
  journal
    .command('ddl')
    .description(
      'print the journal DDL (the files under sql/<dialect>/ are this output, one per table)',
    )
    .addOption(
      choice(
        '--table <name>',
        'only this table',
        TABLES.map((t) => t.name),
      ),
    )
    .addOption(choice('--dialect <name>', 'the SQL dialect', DIALECTS).default('duckdb'))
    .action((o: { table?: string; dialect: Dialect }) => {
      const ts = o.table === undefined ? TABLES : [table(o.table)];
      process.stdout.write(ts.map((t) => tableDdl(t, o.dialect)).join('\n'));
    });
  journal
    .command('drain')
    .description('write rows waiting in the spool (after a crash or an outage) into the journal')
    .option('--journal <journal>', JOURNAL_HELP, DEFAULT_JOURNAL)
    .action(async (o: { journal: string }) => {
      const spools = spoolDirsOf(o.journal).filter((dir) => existsSync(dir));
      // A journal that does not exist yet is created only to take a spool's rows.
      checkJournal(o.journal, spools.length === 0);
      let drained = 0;
      const failed: string[] = [];
      const conflicts: string[] = [];
      for (const dir of spools) {
        let w: JournalWriter;
        try {
          w = spoolWriter(o.journal, dir);
        } catch (e) {
          // A running engine holds it and drains it itself.
          if (!(e instanceof UsageError)) throw e;
          process.stderr.write(`skipped: ${e.message}\n`);
          continue;
        }
        const before = w.spool.depth;
        const ok = await w.flush();
        w.close();
        if (ok) drained += before - w.spool.depth;
        else failed.push(`${dir}: ${w.lastError}; ${w.spool.depth} rows still spooled`);
        if (w.conflict !== null) conflicts.push(w.conflict.message);
      }
      if (conflicts.length > 0) throw new UsageError(conflicts.join('; '));
      if (failed.length > 0) throw new CheckFailed(`journal unavailable (${failed.join('; ')})`);
      process.stdout.write(`drained ${drained} spooled rows into ${o.journal}\n`);
    });
}
