import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

import { Client } from "pg";

import { loadConfig, loadDotenv } from "../config/env.js";
import { connectionHelp, isConnectionError } from "./pool.js";

/** Plain SQL files, applied in name order, each once, each in its own transaction. */
const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));
// Any constant works; it only has to be the same for every process migrating this database.
const LOCK_ID = 4_815_162_342;

/** Creates the database named in `url` if it does not exist yet (needs CREATEDB). */
async function ensureDatabase(url: string): Promise<void> {
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return;
  } catch (err) {
    if ((err as { code?: string }).code !== "3D000") throw err; // 3D000: database does not exist
  } finally {
    await probe.end().catch(() => undefined);
  }
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  target.pathname = "/postgres";
  const admin = new Client({
    connectionString: target.toString(),
    connectionTimeoutMillis: 5000,
  });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } catch (err) {
    // Another process created it first: 42P04 duplicate_database, 23505 unique_violation.
    const code = (err as { code?: string }).code;
    if (code !== "42P04" && code !== "23505") throw err;
  } finally {
    await admin.end();
  }
}

/** Applies pending migrations and returns the names of those it applied. */
export async function migrate(url: string): Promise<string[]> {
  await ensureDatabase(url);
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ name: string }>("SELECT name FROM schema_migrations");
    const done = new Set(rows.map((row) => row.name));
    const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith(".sql")).sort();
    const applied: string[] = [];
    for (const file of files.filter((name) => !done.has(name))) {
      const sql = await readFile(new URL(file, pathToFileURL(MIGRATIONS_DIR)), "utf8");
      await client.query("BEGIN");
      try {
        await client.query(sql);
        await client.query("INSERT INTO schema_migrations (name) VALUES ($1)", [file]);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
      }
      applied.push(file);
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}

// `node dist/db/migrate.js` or `tsx src/db/migrate.ts` (what `make migrate` runs).
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  loadDotenv();
  const { DATABASE_URL } = loadConfig();
  try {
    const applied = await migrate(DATABASE_URL);
    console.log(
      applied.length === 0 ? "migrate: up to date" : `migrate: applied ${applied.join(", ")}`,
    );
  } catch (err) {
    console.error(isConnectionError(err) ? connectionHelp(DATABASE_URL, err) : err);
    process.exitCode = 1;
  }
}
