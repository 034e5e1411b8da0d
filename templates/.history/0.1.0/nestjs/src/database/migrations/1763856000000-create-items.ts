import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateItems1763856000000 implements MigrationInterface {
  name = 'CreateItems1763856000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "items" (
        "id" uuid PRIMARY KEY,
        "name" varchar(200) NOT NULL,
        "description" text,
        "created_at" timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`CREATE INDEX "items_created_at_idx" ON "items" ("created_at")`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "items"`);
  }
}
