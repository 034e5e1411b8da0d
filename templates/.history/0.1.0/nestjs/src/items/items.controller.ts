import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { CreateItemDto } from './dto/create-item.dto';
import { type Item } from './item';
import { ItemsService } from './items.service';

/** /api/items (the "api" prefix is set in app.setup.ts). */
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  list(): Promise<Item[]> {
    return this.items.list();
  }

  @Get(':id')
  get(@Param('id') id: string): Promise<Item> {
    return this.items.get(id);
  }

  @Post()
  create(@Body() dto: CreateItemDto): Promise<Item> {
    return this.items.create(dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  remove(@Param('id') id: string): Promise<void> {
    return this.items.remove(id);
  }
}
