import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO } from '../test-support/cli.js';
import { createClickHouseTableSql, createTableSql, DECISIONS, TABLES } from './schema.js';

describe('journal schema', () => {
  it('ships DDL files identical to the schema (regenerate: violet journal ddl --table T)', () => {
    for (const t of TABLES) {
      expect(readFileSync(`${REPO}sql/duckdb/${t.name}.sql`, 'utf8')).toBe(createTableSql(t));
    }
  });

  it('ships ClickHouse DDL files identical to the schema (violet journal ddl --dialect clickhouse --table T)', () => {
    for (const t of TABLES) {
      expect(readFileSync(`${REPO}sql/clickhouse/${t.name}.sql`, 'utf8')).toBe(
        createClickHouseTableSql(t),
      );
    }
  });

  it('has every decision column the issue lists, keyed by (instance_id, scan_number)', () => {
    const names = DECISIONS.columns.map((c) => c.name);
    for (const c of [
      'ts',
      'profile',
      'actuated',
      'reason',
      'asset',
      'direction',
      'vel_div',
      'strength',
      'base_leverage',
      'dc_status',
      'dc_mult',
      'acb_boost',
      'meta_boost',
      'mc_scale',
      'regime_mult',
      'ob_mult',
      'esof_score',
      'esof_stale',
      'esof_mult',
      'sc_mult',
      'posture',
      'clamped_max',
      'leverage',
      'fraction',
      'capital',
      'notional',
      'notional_fraction',
      'exchange_leverage',
      'slot_state',
      'kernel_version',
      'config_hash',
    ]) {
      expect(names).toContain(c);
    }
    expect(DECISIONS.key).toEqual(['instance_id', 'scan_number']);
  });
});
