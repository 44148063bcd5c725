// Reading journal tables back, ordered by key, for reports and exports.
import {
  DECISIONS,
  type DecisionRow,
  REJECTS,
  type RejectRow,
  TABLES,
  type TableSpec,
} from './schema.js';
import type { JournalSink } from './sink.js';

export function tableByName(name: string): TableSpec | undefined {
  return TABLES.find((t) => t.name === name);
}

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

export function selectSql(t: TableSpec, instance: string | null): string {
  const where = instance === null ? '' : ` WHERE instance_id = ${quote(instance)}`;
  return `SELECT ${t.columns.map((c) => c.name).join(', ')} FROM ${t.name}${where} ORDER BY ${t.key.join(', ')}`;
}

export async function readDecisions(
  sink: JournalSink,
  instance: string | null,
): Promise<DecisionRow[]> {
  return (await sink.query(selectSql(DECISIONS, instance))) as unknown as DecisionRow[];
}

export async function readRejects(
  sink: JournalSink,
  instance: string | null,
): Promise<RejectRow[]> {
  return (await sink.query(selectSql(REJECTS, instance))) as unknown as RejectRow[];
}

export async function instances(sink: JournalSink): Promise<string[]> {
  const rows = await sink.query(
    `SELECT DISTINCT instance_id FROM ${DECISIONS.name} ORDER BY instance_id`,
  );
  return rows.map((r) => String(r.instance_id));
}
