import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The `items` table. Change it together with a migration in src/database/migrations/. */
@Entity({ name: 'items' })
export class ItemEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'text', nullable: true })
  description!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
