import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isUUID } from 'class-validator';
import { Repository } from 'typeorm';
import { type Item, type NewItem } from './item';
import { ItemEntity } from './item.entity';
import { ItemsRepository } from './items.repository';

function toItem(entity: ItemEntity): Item {
  return {
    id: entity.id,
    name: entity.name,
    description: entity.description,
    createdAt: entity.createdAt,
  };
}

@Injectable()
export class TypeOrmItemsRepository extends ItemsRepository {
  constructor(@InjectRepository(ItemEntity) private readonly repo: Repository<ItemEntity>) {
    super();
  }

  async findAll(): Promise<Item[]> {
    const rows = await this.repo.find({ order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toItem);
  }

  async findById(id: string): Promise<Item | null> {
    // Ids are UUIDs; anything else cannot exist (and would be a SQL error on a uuid column).
    if (!isUUID(id)) {
      return null;
    }
    const row = await this.repo.findOneBy({ id });
    return row ? toItem(row) : null;
  }

  async create(data: NewItem): Promise<Item> {
    const row = await this.repo.save(this.repo.create({ id: randomUUID(), ...data }));
    return toItem(row);
  }

  async delete(id: string): Promise<boolean> {
    if (!isUUID(id)) {
      return false;
    }
    const result = await this.repo.delete({ id });
    return (result.affected ?? 0) > 0;
  }
}
