import { CreateItems1763856000000 } from './1763856000000-create-items';

/**
 * Every migration, oldest first. Add new ones here: listing them explicitly (instead of a
 * file glob) works the same under `nest build`, jest and the typeorm CLI.
 */
export const migrations = [CreateItems1763856000000];
