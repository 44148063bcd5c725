// The markets a run rounds and refuses by: a BingX contracts file (the venue's response,
// saved), or the snapshot this package carries.
import { readFileSync } from 'node:fs';
import { UsageError } from '../../common/errors.js';
import { stripBom } from '../../common/text.js';
import type { Markets } from '../../engine/rules/index.js';
import { parseBingxContracts } from './contracts.js';
import { BINGX_SWAP_CONTRACTS } from './snapshot.js';

/** The source name of the carried snapshot (as summaries report it). */
export const SNAPSHOT_SOURCE = 'bingx-swap-snapshot';

export function snapshotMarkets(): Markets {
  const r = parseBingxContracts(BINGX_SWAP_CONTRACTS, SNAPSHOT_SOURCE);
  if (!r.ok) throw new Error(`the carried BingX snapshot is malformed: ${r.reason}`);
  return r.value;
}

/** Markets from a saved contracts response (`--markets F`), or the snapshot when none. */
export function loadMarkets(file: string | undefined): Markets {
  if (file === undefined) return snapshotMarkets();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--markets ${file}: cannot read (${(e as NodeJS.ErrnoException).code})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(stripBom(text));
  } catch (e) {
    throw new UsageError(
      `--markets ${file}: not the venue's JSON answer (${(e as Error).message.split('\n')[0]})`,
    );
  }
  const r = parseBingxContracts(raw, file);
  if (!r.ok) throw new UsageError(`--markets ${file}: ${r.reason}`);
  if (r.value.size === 0) throw new UsageError(`--markets ${file}: lists no contract`);
  return r.value;
}
