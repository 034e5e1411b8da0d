import { DataSource } from 'typeorm';
import { loadDotEnv, requireDatabaseUrl } from './connection';
import { dataSourceOptions } from './data-source-options';

// For the typeorm CLI after `npm run build`, e.g.
//   npx typeorm migration:show -d dist/database/data-source.js
loadDotEnv();

export default new DataSource(dataSourceOptions(requireDatabaseUrl()));
