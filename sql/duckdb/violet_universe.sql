CREATE TABLE IF NOT EXISTS violet_universe (
  instance_id VARCHAR NOT NULL,
  scan_number BIGINT NOT NULL,
  ts BIGINT NOT NULL,
  symbols VARCHAR NOT NULL,
  PRIMARY KEY (instance_id, scan_number)
);
