import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors';
import { CreateItemDto } from './dto/create-item.dto';
import { ItemDto } from './dto/item.dto';
import { UpdateItemDto } from './dto/update-item.dto';
import { type Item } from './item';
import { ItemsService } from './items.service';

/**
 * /api/items (the "api" prefix is set in app.setup.ts). Every status a route can answer is
 * declared for the OpenAPI document; 429 comes from the rate limit on every route.
 */
@ApiTags('items')
@ApiErrors(429)
@Controller('items')
export class ItemsController {
  constructor(private readonly items: ItemsService) {}

  @Get()
  @ApiOkResponse({ type: ItemDto, isArray: true })
  list(): Promise<Item[]> {
    return this.items.list();
  }

  @Get(':id')
  @ApiParam({ name: 'id', description: 'The item id (a UUID; anything else is a 404)' })
  @ApiOkResponse({ type: ItemDto })
  @ApiErrors(404)
  get(@Param('id') id: string): Promise<Item> {
    return this.items.get(id);
  }

  @Post()
  @ApiCreatedResponse({ type: ItemDto })
  @ApiErrors(400, 413)
  create(@Body() dto: CreateItemDto): Promise<Item> {
    return this.items.create(dto);
  }

  @Patch(':id')
  @ApiParam({ name: 'id', description: 'The item id (a UUID; anything else is a 404)' })
  @ApiOkResponse({ type: ItemDto })
  @ApiErrors(400, 404, 413)
  update(@Param('id') id: string, @Body() dto: UpdateItemDto): Promise<Item> {
    return this.items.update(id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiParam({ name: 'id', description: 'The item id (a UUID; anything else is a 404)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(404)
  remove(@Param('id') id: string): Promise<void> {
    return this.items.remove(id);
  }
}
