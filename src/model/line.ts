// A scan as one JSON Lines record, fields in the Scan table's order (what `gen scans`,
// `scan` and the live scanner write, byte for byte alike).
/** SPEC §2 field order: every line lists its fields in this order. */
export const SCAN_FIELDS = [
  'scan_number',
  'ts',
  'vel_div',
  'w50_velocity',
  'w150_velocity',
  'w300_velocity',
  'w750_velocity',
  'prices',
  'ob_imbalance',
  'acb',
  'mc_status',
  'esof',
  'posture',
  'btc_ma99',
  'regime_label',
  'composite_hash',
] as const;

/** One JSON Lines record; fields in SPEC §2 order, absent ones left out. */
export function scanLine(scan: Readonly<Record<string, unknown>>): string {
  const fields: string[] = [];
  for (const k of SCAN_FIELDS) {
    if (scan[k] !== undefined) fields.push(`"${k}":${JSON.stringify(scan[k])}`);
  }
  return `{${fields.join(',')}}`;
}
