// Loading the engine config for a command: a JSON file (optional) plus CLI overrides.
import { readFileSync } from 'node:fs';
import { stripBom } from '../common/text.js';
import { type EngineConfig, parseConfig } from '../engine/config.js';
import { UsageError } from './errors.js';

/**
 * The live feed's journal-flush when a config leaves it out: every 2 s of wall time, so the
 * database trails the feed by seconds (every 2000 scans suits a replay, not a 5-s feed).
 */
export const LIVE_JOURNAL_FLUSH = { every_ms: 2000 } as const;

export function loadConfig(
  file: string | undefined,
  cli: { instance?: string; profile?: string },
  live = false,
): EngineConfig {
  let raw: unknown = {};
  if (file !== undefined) {
    try {
      raw = JSON.parse(stripBom(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new UsageError(`cannot read config ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const overrides: { instance_id?: string; profile?: string } = {};
  if (cli.instance !== undefined) overrides.instance_id = cli.instance;
  if (cli.profile !== undefined) overrides.profile = cli.profile;
  if (live) raw = withLiveFlush(raw);
  const r = parseConfig(raw, overrides);
  if (!r.ok) throw new UsageError(`config: ${r.reason}`);
  return r.value;
}

function withLiveFlush(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const o = raw as Record<string, unknown>;
  const cadence = o.cadence ?? {};
  if (typeof cadence !== 'object' || cadence === null || Array.isArray(cadence)) return raw;
  if ('journal-flush' in cadence) return raw;
  return { ...o, cadence: { ...cadence, 'journal-flush': LIVE_JOURNAL_FLUSH } };
}
