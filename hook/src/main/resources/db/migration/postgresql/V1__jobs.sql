-- One row per image to verify: (registry, repository, digest, policy_version) is the job's identity, so a duplicate
-- notification (the registry's retries, several registry endpoints, several replicas) collapses onto one row.
-- The row is also the result: the full result document (with the verify report) is stored when the job finishes.
-- Workers claim rows with SELECT … FOR UPDATE SKIP LOCKED (see JobStore), so replicas never take the same job.
CREATE TABLE hook_job (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  registry        TEXT    NOT NULL,
  repository      TEXT    NOT NULL,
  digest          TEXT    NOT NULL,
  policy_version  TEXT    NOT NULL,
  tag             TEXT,
  media_type      TEXT    NOT NULL,
  event_id        TEXT,
  state           TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  events          INTEGER NOT NULL DEFAULT 1,
  created_at      BIGINT  NOT NULL,
  next_attempt_at BIGINT  NOT NULL,
  lease_owner     TEXT,
  lease_until     BIGINT,
  finished_at     BIGINT,
  result          TEXT CHECK (result IS NULL OR result IN ('PASS', 'FAIL', 'ERROR', 'SKIPPED')),
  last_error      TEXT,
  document        BYTEA,
  UNIQUE (registry, repository, digest, policy_version)
);
CREATE INDEX hook_job_ready ON hook_job (state, next_attempt_at);
CREATE INDEX hook_job_image ON hook_job (repository, digest);
CREATE INDEX hook_job_finished ON hook_job (finished_at);
