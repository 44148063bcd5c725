CREATE TABLE IF NOT EXISTS violet_trade_exit_legs (
  instance_id String,
  trade_id String,
  leg_no Int32,
  scan_number Int64,
  ts Int64,
  reason String,
  quantity Float64,
  price Float64,
  fee Float64,
  pnl Float64
) ENGINE = ReplacingMergeTree ORDER BY (instance_id, trade_id, leg_no);
