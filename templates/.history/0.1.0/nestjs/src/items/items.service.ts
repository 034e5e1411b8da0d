import { Injectable, NotFoundException } from '@nestjs/common';
import { type CreateItemDto } from './dto/create-item.dto';
import { type Item } from './item';
import { ItemsRepository } from './items.repository';

@Injectable()
export class ItemsService {
  constructor(private readonly items: ItemsRepository) {}

  list(): Promise<Item[]> {
    return this.items.findAll();
  }

  async get(id: string): Promise<Item> {
    const item = await this.items.findById(id);
    if (!item) {
      throw new NotFoundException(`Item ${id} not found`);
    }
    return item;
  }

  create(dto: CreateItemDto): Promise<Item> {
    return this.items.create({ name: dto.name.trim(), description: dto.description ?? null });
  }

  async remove(id: string): Promise<void> {
    if (!(await this.items.delete(id))) {
      throw new NotFoundException(`Item ${id} not found`);
    }
  }
}
