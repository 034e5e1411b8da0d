import { DataSource } from 'typeorm';
import { describeTarget, ensureDatabase, loadDotEnv, requireDatabaseUrl } from './connection';
import { dataSourceOptions } from './data-source-options';

/** `make migrate`: create the database if needed, then apply pending migrations. */
async function main(): Promise<void> {
  loadDotEnv();
  const url = requireDatabaseUrl();
  await ensureDatabase(url);
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    const names = applied.map((migration) => migration.name).join(', ');
    console.log(
      applied.length > 0
        ? `Applied ${applied.length} migration(s) to ${describeTarget(url)}: ${names}`
        : `${describeTarget(url)} is up to date`,
    );
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
