import { type DataSourceOptions } from 'typeorm';
import { ItemEntity } from '../items/item.entity';
import { migrations } from './migrations';

/** One definition for the app (TypeOrmModule), `make migrate` and the typeorm CLI. */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [ItemEntity],
    migrations,
    migrationsTableName: 'migrations',
    // The schema changes only through migrations, never behind your back.
    synchronize: false,
    extra: { connectionTimeoutMillis: 5000, max: 10 },
  };
}
