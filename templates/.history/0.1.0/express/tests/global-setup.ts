import { ConfigError, loadConfig, loadDotenv } from "../src/config/env.js";
import { migrate } from "../src/db/migrate.js";
import { connectionHelp, isConnectionError, redactUrl } from "../src/db/pool.js";

/**
 * Exits instead of throwing: after a failed global setup vitest first reports "No test files
 * found", which hides the real problem. This way the message is the last thing printed.
 */
function fail(message: string): never {
  console.error(`\n${message}\n`);
  process.exit(1);
}

function databaseUrl(): string {
  loadDotenv();
  try {
    return loadConfig({ ...process.env, NODE_ENV: "test" }).DATABASE_URL;
  } catch (err) {
    if (err instanceof ConfigError) fail(`The tests need a valid configuration.\n${err.message}`);
    throw err;
  }
}

/**
 * The tests need a real PostgreSQL: the run fails here, with instructions, when DATABASE_URL
 * cannot be reached (it never skips silently). Pending migrations are applied first.
 */
export default async function setup(): Promise<void> {
  const url = databaseUrl();
  try {
    await migrate(url);
  } catch (err) {
    if (isConnectionError(err)) fail(`The tests need PostgreSQL.\n${connectionHelp(url, err)}`);
    const reason = err instanceof Error ? err.message : String(err);
    fail(`Could not apply the migrations to ${redactUrl(url)}: ${reason}`);
  }
}
