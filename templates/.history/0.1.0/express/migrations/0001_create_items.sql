-- Applied once by `make migrate` (src/db/migrate.ts); add new files as 0002_....sql, never edit
-- one that has been applied somewhere.
CREATE TABLE items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 2000),
  created_at timestamptz NOT NULL DEFAULT now()
);
