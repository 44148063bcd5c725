CREATE TABLE IF NOT EXISTS violet_trade_exit_legs (
  instance_id VARCHAR NOT NULL,
  trade_id VARCHAR NOT NULL,
  leg_no INTEGER NOT NULL,
  scan_number BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  reason VARCHAR NOT NULL,
  quantity DOUBLE NOT NULL,
  price DOUBLE NOT NULL,
  fee DOUBLE NOT NULL,
  pnl DOUBLE NOT NULL,
  PRIMARY KEY (instance_id, trade_id, leg_no)
);
