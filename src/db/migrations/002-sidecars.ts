import type { Migration } from '../migrations.js';

/** Sidecar records and who has them (DESIGN §3). */
export const sidecars: Migration = {
  version: 2,
  name: 'sidecars',
  sql: `
CREATE TABLE sidecars (
  id INTEGER PRIMARY KEY,
  -- UUIDv5 of content_uuid|kind|variant: every device computes the same id for the same sidecar.
  uuid TEXT NOT NULL UNIQUE,
  content_uuid TEXT NOT NULL,
  kind TEXT NOT NULL,
  variant TEXT NOT NULL,
  format TEXT NOT NULL,
  rel_path TEXT NOT NULL,
  source_entry_id INTEGER REFERENCES entries(id) ON DELETE SET NULL,
  size INTEGER,
  checksum TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'generating', 'ready', 'failed', 'missing')),
  source TEXT NOT NULL CHECK (source IN ('generated', 'reference', 'converted', 'fetched')),
  generator TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (content_uuid, kind, variant),
  -- A ready sidecar always knows its size and checksum (DESIGN §10: no empty checksum columns).
  CHECK (status <> 'ready' OR (size IS NOT NULL AND checksum IS NOT NULL))
);
CREATE INDEX sidecars_by_kind_status ON sidecars(kind, status);
CREATE INDEX sidecars_by_source_entry ON sidecars(source_entry_id) WHERE source_entry_id IS NOT NULL;

CREATE TABLE sidecar_availability (
  id INTEGER PRIMARY KEY,
  content_uuid TEXT NOT NULL,
  kind TEXT NOT NULL,
  variant TEXT NOT NULL,
  device_uuid TEXT NOT NULL,
  has INTEGER NOT NULL CHECK (has IN (0, 1)),
  size INTEGER,
  checksum TEXT,
  last_seen_at INTEGER NOT NULL,
  UNIQUE (content_uuid, kind, variant, device_uuid)
);
`,
};
