// margin (seed §4): the margin envelope of the clean trades at exchange leverage 1×..5×,
// wallet utilisation percentiles, and the smallest leverage that always fits.
import type { DuckDBConnection } from '@duckdb/node-api';
import { barChartSvg } from '../../common/chart.js';
import { percent } from '../../common/format.js';
import { rows, type StudyResult } from '../db.js';

export async function runMargin(
  c: DuckDBConnection,
  opts: { maxP95Util: number },
): Promise<StudyResult> {
  const L = [1, 2, 3, 4, 5];
  const [r] = await rows(
    c,
    `SELECT ${L.map(
      (
        l,
      ) => `avg(CASE WHEN entry_price * quantity / ${l} <= capital_before THEN 1.0 ELSE 0.0 END) AS fit${l},
         quantile_cont(entry_price * quantity / ${l} / capital_before, [0.5, 0.95]) AS q${l}`,
    ).join(',\n')}
     FROM clean_trades`,
  );
  const levels = L.map((l) => {
    const q = (r?.[`q${l}`] as (number | null)[] | null) ?? [null, null];
    return {
      exchange_leverage: l,
      fit_share: (r?.[`fit${l}`] as number | null) ?? null,
      util_median: q[0] ?? null,
      util_p95: q[1] ?? null,
    };
  });
  const [n] = await rows(c, 'SELECT count(*) AS n FROM clean_trades');
  const [ov] = await rows(
    c,
    `SELECT count(*) AS n FROM (
       SELECT entry_ts, max(exit_ts) OVER (ORDER BY entry_ts, row ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
       FROM clean_trades) WHERE entry_ts < before`,
  );
  const rec = levels.find(
    (l) => l.fit_share === 1 && l.util_p95 !== null && (l.util_p95 as number) <= opts.maxP95Util,
  );
  const json = {
    trades: Number(n?.n ?? 0),
    max_p95_util: opts.maxP95Util,
    levels,
    recommended_exchange_leverage: rec?.exchange_leverage ?? null,
    overlapping_trades: Number(ov?.n ?? 0),
  };
  const pct = (v: unknown) => percent(typeof v === 'number' ? v : null, 2);
  const markdown = `# Margin envelope

${json.trades} clean trades; ${json.overlapping_trades} overlap an earlier one (single slot expects 0).

| exchange leverage | fit share | utilisation p50 | utilisation p95 |
| --- | --- | --- | --- |
${levels.map((l) => `| ${l.exchange_leverage}× | ${pct(l.fit_share)} | ${pct(l.util_median)} | ${pct(l.util_p95)} |`).join('\n')}

Recommended exchange leverage (fits every trade, p95 utilisation ≤ ${pct(opts.maxP95Util)}): ${json.recommended_exchange_leverage === null ? 'none' : `${json.recommended_exchange_leverage}×`}.
`;
  const chart = barChartSvg(
    'margin fit share by exchange leverage',
    levels.map((l) => `${l.exchange_leverage}x`),
    levels.map((l) => Number(l.fit_share ?? 0)),
  );
  return { json, markdown, charts: [{ name: 'margin-fit.svg', svg: chart }] };
}
