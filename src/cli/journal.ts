// `violet journal export`: a journal table to JSON Lines, CSV or Parquet, ordered by key.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DuckDbJournal } from '../journal/duckdb.js';
import { DEFAULT_JOURNAL, journalWriter } from '../journal/open.js';
import { selectSql, tableByName } from '../journal/read.js';
import { createTableSql, TABLES, type TableSpec } from '../journal/schema.js';
import { CheckFailed, UsageError } from './errors.js';

const FORMATS = {
  jsonl: 'FORMAT JSON',
  csv: 'FORMAT CSV, HEADER',
  parquet: 'FORMAT PARQUET',
} as const;

export async function exportTable(
  journal: string,
  table: string,
  format: keyof typeof FORMATS,
  out: string,
  instance: string | null,
): Promise<number> {
  const t = tableByName(table);
  if (t === undefined) {
    throw new UsageError(`--table: expected one of ${TABLES.map((x) => x.name).join(', ')}`);
  }
  const db = await DuckDbJournal.open(journal);
  try {
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    const path = out.replaceAll("'", "''");
    await db.connection.run(`COPY (${selectSql(t, instance)}) TO '${path}' (${FORMATS[format]})`);
    const n = await db.query(`SELECT count(*)::BIGINT AS n FROM ${t.name}`);
    return Number(n[0]?.n ?? 0);
  } finally {
    db.close();
  }
}

export function registerJournal(program: Command): void {
  const journal = program.command('journal').description('the decision journal');
  journal
    .command('export')
    .description('export a journal table, ordered by its key (same journal → same bytes)')
    .option('--journal <file>', 'DuckDB journal file', DEFAULT_JOURNAL)
    .requiredOption('--table <name>', TABLES.map((t) => t.name).join(' | '))
    .requiredOption('--format <fmt>', 'jsonl | csv | parquet')
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
        if (!existsSync(o.journal)) throw new UsageError(`no such journal: ${o.journal}`);
        if (!(o.format in FORMATS))
          throw new UsageError('--format: expected jsonl, csv or parquet');
        const n = await exportTable(
          o.journal,
          o.table,
          o.format as keyof typeof FORMATS,
          o.out,
          o.instance ?? null,
        );
        process.stdout.write(`exported ${o.table} (${n} rows) to ${o.out}\n`);
      },
    );
  journal
    .command('ddl')
    .description(
      'print the journal DDL (the files under sql/duckdb/ are this output, one per table)',
    )
    .option('--table <name>', 'only this table')
    .action((o: { table?: string }) => {
      const one = o.table === undefined ? null : tableByName(o.table);
      if (one === undefined) {
        throw new UsageError(`--table: expected one of ${TABLES.map((t) => t.name).join(', ')}`);
      }
      const ts: readonly TableSpec[] = one === null ? TABLES : [one];
      process.stdout.write(ts.map(createTableSql).join('\n'));
    });
  journal
    .command('drain')
    .description('write rows waiting in the spool (after a crash or an outage) into the journal')
    .option('--journal <file>', 'DuckDB journal file', DEFAULT_JOURNAL)
    .action(async (o: { journal: string }) => {
      const w = journalWriter(o.journal);
      const before = w.spool.depth;
      const ok = await w.flush();
      w.close();
      if (!ok)
        throw new CheckFailed(`journal unavailable (${w.lastError}); ${before} rows still spooled`);
      process.stdout.write(`drained ${before} spooled rows into ${o.journal}\n`);
    });
}
