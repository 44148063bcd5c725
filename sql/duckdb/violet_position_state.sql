CREATE TABLE IF NOT EXISTS violet_position_state (
  instance_id VARCHAR NOT NULL,
  scan_number BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  asset VARCHAR,
  trade_id VARCHAR,
  state VARCHAR NOT NULL,
  PRIMARY KEY (instance_id, scan_number)
);
