// Loading the engine config for a command: a JSON file (optional) plus CLI overrides.
import { readFileSync } from 'node:fs';
import { type EngineConfig, parseConfig } from '../engine/config.js';
import { UsageError } from './errors.js';

export function loadConfig(
  file: string | undefined,
  cli: { instance?: string; profile?: string },
): EngineConfig {
  let raw: unknown = {};
  if (file !== undefined) {
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`cannot read config ${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  const overrides: { instance_id?: string; profile?: string } = {};
  if (cli.instance !== undefined) overrides.instance_id = cli.instance;
  if (cli.profile !== undefined) overrides.profile = cli.profile;
  const r = parseConfig(raw, overrides);
  if (!r.ok) throw new UsageError(`config: ${r.reason}`);
  return r.value;
}
