import { DataSource } from 'typeorm';
import { ensureDatabase, loadDotEnv, requireDatabaseUrl } from '../src/database/connection';
import { dataSourceOptions } from '../src/database/data-source-options';

/**
 * Jest globalSetup for the e2e tests, which run against the PostgreSQL in DATABASE_URL
 * (from the environment or .env): creates the database if needed and applies migrations.
 * When the server is unreachable the run fails, on purpose, saying how to start one.
 */
export default async function prepareDatabase(): Promise<void> {
  loadDotEnv();
  const url = requireDatabaseUrl();
  await ensureDatabase(url);
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
