CREATE TABLE IF NOT EXISTS violet_rejects (
  instance_id VARCHAR NOT NULL,
  source VARCHAR NOT NULL,
  source_seq BIGINT NOT NULL,
  scan_number BIGINT,
  reason VARCHAR NOT NULL,
  raw VARCHAR NOT NULL,
  PRIMARY KEY (instance_id, source, source_seq)
);
