import type { Pool } from "pg";

import type { ItemsRepository, NewItem } from "./items.repository.js";
import type { Item } from "./items.schema.js";

interface ItemRow {
  id: string;
  name: string;
  description: string | null;
  created_at: Date;
}

const COLUMNS = "id, name, description, created_at";

function toItem(row: ItemRow): Item {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
  };
}

/** Items in PostgreSQL (table created by migrations/0001_create_items.sql). */
export class PgItemsRepository implements ItemsRepository {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<Item[]> {
    const { rows } = await this.pool.query<ItemRow>(
      `SELECT ${COLUMNS} FROM items ORDER BY created_at, id`,
    );
    return rows.map(toItem);
  }

  async get(id: string): Promise<Item | undefined> {
    const { rows } = await this.pool.query<ItemRow>(`SELECT ${COLUMNS} FROM items WHERE id = $1`, [
      id,
    ]);
    return rows[0] === undefined ? undefined : toItem(rows[0]);
  }

  async create(input: NewItem): Promise<Item> {
    const { rows } = await this.pool.query<ItemRow>(
      `INSERT INTO items (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [input.name, input.description],
    );
    return toItem(rows[0] as ItemRow);
  }

  async delete(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query("DELETE FROM items WHERE id = $1", [id]);
    return rowCount === 1;
  }
}
