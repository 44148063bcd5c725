// A journal row as its spool line: the JSON text JSON.stringify gives for a row of the table's
// columns, written column by column from the table's spec. Consecutive rows repeat most values
// (the same multipliers, capital, labels and hashes scan after scan), so each column keeps the
// text of its last value and converts a number to text only when it changed: converting
// doubles to their shortest text is most of the cost of a line.
import type { TableSpec } from '../engine/rows.js';

export class RowLines {
  private readonly names: readonly string[];
  /** `{"name":` for the first column, `,"name":` for the others. */
  private readonly keys: readonly string[];
  private readonly last: unknown[];
  private readonly text: string[];

  constructor(t: TableSpec) {
    this.names = t.columns.map((c) => c.name);
    this.keys = this.names.map((n, i) => `${i === 0 ? '{' : ','}${JSON.stringify(n)}:`);
    this.last = this.names.map(() => undefined);
    this.text = this.names.map(() => '');
  }

  /** The row's line: exactly JSON.stringify(row) when its keys are the columns, in order. */
  line(row: object): string {
    const r = row as Record<string, unknown>;
    let s = '';
    for (let i = 0; i < this.names.length; i++) {
      const v = r[this.names[i] as string];
      s += this.keys[i] as string;
      if (Object.is(v, this.last[i])) {
        s += this.text[i] as string;
        continue;
      }
      let t: string;
      if (typeof v === 'number') t = Number.isFinite(v) ? `${v}` : 'null';
      else if (typeof v === 'string') t = JSON.stringify(v);
      else if (v === null) t = 'null';
      else if (typeof v === 'boolean') t = v ? 'true' : 'false';
      // A value the columns do not type (absent, say): the general way, for the whole row.
      else return JSON.stringify(row);
      this.last[i] = v;
      this.text[i] = t;
      s += t;
    }
    return `${s}}`;
  }
}
