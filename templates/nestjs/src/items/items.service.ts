import { Injectable, NotFoundException } from '@nestjs/common';
import { ItemEventsService } from '../events/item-events.service';
import { type CreateItemDto } from './dto/create-item.dto';
import { type UpdateItemDto } from './dto/update-item.dto';
import { type Item, type ItemChanges } from './item';
import { ItemsRepository } from './items.repository';

@Injectable()
export class ItemsService {
  constructor(
    private readonly items: ItemsRepository,
    private readonly events: ItemEventsService,
  ) {}

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

  /** Stores the item, then tells subscribers (item.created). */
  async create(dto: CreateItemDto): Promise<Item> {
    const item = await this.items.create({
      name: dto.name.trim(),
      description: dto.description ?? null,
    });
    this.events.publish('item.created', item);
    return item;
  }

  /** Changes the fields given, then tells subscribers (item.updated). */
  async update(id: string, dto: UpdateItemDto): Promise<Item> {
    const changes: ItemChanges = {};
    if (dto.name !== undefined) {
      changes.name = dto.name.trim();
    }
    if (dto.description !== undefined) {
      changes.description = dto.description;
    }
    const item = await this.items.update(id, changes);
    if (!item) {
      throw new NotFoundException(`Item ${id} not found`);
    }
    this.events.publish('item.updated', item);
    return item;
  }

  /** Deletes the item, then tells subscribers (item.deleted, with the id only). */
  async remove(id: string): Promise<void> {
    if (!(await this.items.delete(id))) {
      throw new NotFoundException(`Item ${id} not found`);
    }
    this.events.publish('item.deleted', { id });
  }
}
