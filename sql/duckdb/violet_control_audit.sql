CREATE TABLE IF NOT EXISTS violet_control_audit (
  instance_id VARCHAR NOT NULL,
  audit_seq BIGINT NOT NULL,
  at_ms BIGINT NOT NULL,
  at_scan BIGINT,
  who VARCHAR NOT NULL,
  action VARCHAR NOT NULL,
  old_value VARCHAR NOT NULL,
  new_value VARCHAR NOT NULL,
  PRIMARY KEY (instance_id, audit_seq)
);
