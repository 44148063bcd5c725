// Drift guard (seed §3, §7): VIOLET pins BLUE's constants; this reads them back out of a
// reference Python source and says, constant by constant, whether they still agree.
import {
  CLAMP,
  DC,
  ESOF,
  SELECTOR,
  SIZER_ORCHESTRATOR,
  SIZER_V3_SHADOW,
  STABLECOIN_SYMBOLS,
} from '../kernel/index.js';

export type DriftStatus = 'same' | 'differs' | 'not found';

export interface DriftRow {
  readonly constant: string;
  readonly line: number | null;
  readonly found: string | null;
  readonly pinned: string;
  readonly status: DriftStatus;
}

interface NumericPin {
  readonly constant: string;
  /** Matches the name as an assignment, annotated assignment or keyword argument. */
  readonly name: RegExp;
  readonly pinned: readonly number[];
}

const NUMBER = String.raw`[-+]?(?:\d[\d_]*\.?[\d_]*(?:[eE][-+]?\d+)?|\.\d[\d_]*(?:[eE][-+]?\d+)?)`;

const NUMERIC_PINS: readonly NumericPin[] = [
  { constant: 'ESOF neutral', name: /ESOF_\w*NEUTRAL\w*/, pinned: [ESOF.esof_neutral] },
  { constant: 'ESOF unfavourable', name: /ESOF_\w*UNFAV\w*/, pinned: [ESOF.esof_unfav] },
  { constant: 'ESOF stale fallback', name: /ESOF_\w*STALE\w*/, pinned: [ESOF.esof_stale_fallback] },
  { constant: 'ESOF edge', name: /ESOF_\w*EDGE\w*/, pinned: [ESOF.esof_edge] },
  {
    constant: 'max_leverage',
    name: /(?<![\w.])max_leverage/,
    pinned: [SIZER_V3_SHADOW.max_leverage, SIZER_ORCHESTRATOR.max_leverage],
  },
  {
    constant: 'min_leverage',
    name: /(?<![\w.])min_leverage/,
    pinned: [SIZER_V3_SHADOW.min_leverage],
  },
  {
    constant: 'base_fraction',
    name: /(?<![\w.])base_fraction/,
    pinned: [SIZER_V3_SHADOW.base_fraction],
  },
  { constant: 'convexity', name: /(?<![\w.])\w*convexity/, pinned: [SIZER_V3_SHADOW.convexity] },
  {
    constant: 'vel_div threshold',
    name: /(?<![\w.])\w*vel_div_threshold/,
    pinned: [SIZER_V3_SHADOW.threshold],
  },
  {
    constant: 'vel_div extreme',
    name: /(?<![\w.])\w*vel_div_extreme/,
    pinned: [SIZER_V3_SHADOW.extreme],
  },
  {
    constant: 'base_max_leverage',
    name: /(?<![\w.])base_max_leverage/,
    pinned: [CLAMP.base_max_leverage],
  },
  {
    constant: 'abs_max_leverage',
    name: /(?<![\w.])abs_max_leverage/,
    pinned: [CLAMP.abs_max_leverage],
  },
  {
    constant: 'dc_leverage_boost',
    name: /(?<![\w.])dc_leverage_boost/,
    pinned: [DC.dc_leverage_boost],
  },
  {
    constant: 'min_irp_alignment',
    name: /(?<![\w.])min_irp_alignment/,
    pinned: [SELECTOR.min_irp_alignment],
  },
];

function lineOf(src: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (src.charCodeAt(i) === 10) n++;
  return n;
}

function numericRows(src: string, pin: NumericPin): DriftRow[] {
  // NAME [: annotation] = literal  — assignments, defaults and keyword arguments alike.
  const re = new RegExp(
    String.raw`(${pin.name.source})\s*(?::\s*[A-Za-z_][\w\[\], .|]*)?=(?!=)\s*(${NUMBER})(?![\w.])`,
    'g',
  );
  const pinned = pin.pinned.map((p) => String(p)).join(' or ');
  const rows: DriftRow[] = [];
  for (const m of src.matchAll(re)) {
    const literal = (m[2] as string).replaceAll('_', '');
    const value = Number(literal);
    rows.push({
      constant: `${pin.constant} (${m[1]})`,
      line: lineOf(src, m.index ?? 0),
      found: literal,
      pinned,
      status: pin.pinned.includes(value) ? 'same' : 'differs',
    });
  }
  if (rows.length === 0) {
    rows.push({ constant: pin.constant, line: null, found: null, pinned, status: 'not found' });
  }
  return rows;
}

function stablecoinRow(src: string): DriftRow {
  const pinned = `${STABLECOIN_SYMBOLS.length} symbols`;
  const m =
    /_STABLECOIN_SYMBOLS\s*(?::[^=\n]*)?=\s*(?:frozenset|set|tuple|list)?\s*\(?\s*([[{(])/.exec(
      src,
    );
  if (m === null) {
    return {
      constant: '_STABLECOIN_SYMBOLS',
      line: null,
      found: null,
      pinned,
      status: 'not found',
    };
  }
  const open = m[1] as string;
  const close = open === '[' ? ']' : open === '{' ? '}' : ')';
  const start = (m.index ?? 0) + m[0].length;
  const end = src.indexOf(close, start);
  const body = src.slice(start, end < 0 ? undefined : end);
  const found = new Set(
    [...body.matchAll(/['"]([A-Za-z0-9_.-]+)['"]/g)].map((x) => x[1] as string),
  );
  const missing = STABLECOIN_SYMBOLS.filter((s) => !found.has(s));
  const extra = [...found].filter((s) => !STABLECOIN_SYMBOLS.includes(s)).sort();
  const detail = [
    `${found.size} symbols`,
    ...(missing.length ? [`missing ${missing.join(' ')}`] : []),
    ...(extra.length ? [`extra ${extra.join(' ')}`] : []),
  ].join('; ');
  return {
    constant: '_STABLECOIN_SYMBOLS',
    line: lineOf(src, m.index ?? 0),
    found: detail,
    pinned,
    status: missing.length === 0 && extra.length === 0 ? 'same' : 'differs',
  };
}

/** One row per pinned constant (numeric pins: one row per occurrence in the source). */
export function driftCheck(pythonSource: string): DriftRow[] {
  return [
    stablecoinRow(pythonSource),
    ...NUMERIC_PINS.flatMap((p) => numericRows(pythonSource, p)),
  ];
}
