// Reading journal tables back, ordered by key, each key once, for reports and exports.
import {
  DECISIONS,
  type DecisionRow,
  REJECTS,
  type RejectRow,
  type Row,
  TABLES,
  type TableSpec,
} from './schema.js';
import type { JournalSink, Selection } from './sink.js';

export function tableByName(name: string): TableSpec | undefined {
  return TABLES.find((t) => t.name === name);
}

export function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/** Every column of `t`, ordered by its key. */
export function wholeTable(t: TableSpec, instance: string | null): Selection {
  return { table: t, columns: t.columns.map((c) => c.name), instance, orderBy: t.key };
}

/** The selection's query over `from` (a table, `t FINAL`, or a typed file read). */
export function selectSql(from: string, s: Selection): string {
  const where = s.instance === null ? '' : ` WHERE instance_id = ${quote(s.instance)}`;
  return `SELECT ${s.columns.join(', ')} FROM ${from}${where} ORDER BY ${s.orderBy.join(', ')}`;
}

/** A table's rows with the schema's JS types (ClickHouse keeps BOOLEAN as UInt8 0/1). */
export async function readTable(
  sink: JournalSink,
  t: TableSpec,
  instance: string | null,
): Promise<Row[]> {
  const rows = await sink.query(selectSql(sink.from(t), wholeTable(t, instance)));
  const bools = t.columns.filter((c) => c.type === 'BOOLEAN').map((c) => c.name);
  for (const r of rows) for (const b of bools) if (typeof r[b] === 'number') r[b] = r[b] === 1;
  return rows;
}

export async function readDecisions(
  sink: JournalSink,
  instance: string | null,
): Promise<DecisionRow[]> {
  return (await readTable(sink, DECISIONS, instance)) as unknown as DecisionRow[];
}

export async function readRejects(
  sink: JournalSink,
  instance: string | null,
): Promise<RejectRow[]> {
  return (await readTable(sink, REJECTS, instance)) as unknown as RejectRow[];
}

export async function instances(sink: JournalSink): Promise<string[]> {
  const rows = await sink.query(
    `SELECT DISTINCT instance_id FROM ${sink.from(DECISIONS)} ORDER BY instance_id`,
  );
  return rows.map((r) => String(r.instance_id));
}
