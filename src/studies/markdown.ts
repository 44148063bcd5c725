// Markdown pieces shared by the study reports: tables of numbers and percentages.
export type Cell = string | number | null;

export function cell(x: Cell): string {
  if (x === null) return '—';
  if (typeof x === 'string') return x.replaceAll('|', '\\|');
  return Number.isInteger(x) ? String(x) : String(Number(x.toPrecision(6)));
}

export const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function table(head: readonly string[], body: readonly (readonly Cell[])[]): string {
  const line = (cs: readonly string[]) => `| ${cs.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map((r) => line(r.map(cell)))].join(
    '\n',
  );
}
