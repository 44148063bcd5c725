// Plain-text tables for terminal reports.
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[]) {
  const cells = [head, ...rows].map((r) => r.map(String));
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const [h, ...body] = cells as [string[], ...string[][]];
  return `${[fmt(h), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n')}\n`;
}
