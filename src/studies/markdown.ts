// Markdown pieces shared by the study reports: tables of numbers and percentages.
import { NONE, significant } from '../common/format.js';

export type Cell = string | number | null;

export function cell(x: Cell): string {
  if (x === null) return NONE;
  if (typeof x === 'string') return x.replaceAll('|', '\\|');
  return significant(x);
}

export function table(head: readonly string[], body: readonly (readonly Cell[])[]): string {
  const line = (cs: readonly string[]) => `| ${cs.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map((r) => line(r.map(cell)))].join(
    '\n',
  );
}
