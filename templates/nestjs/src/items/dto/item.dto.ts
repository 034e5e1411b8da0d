import { ApiProperty } from '@nestjs/swagger';

/** An item as the API returns it (the OpenAPI schema of items/item.ts). */
export class ItemDto {
  @ApiProperty({ format: 'uuid', example: '0b6f6c55-3c4e-4d0a-9a51-3f6a4f2b8e11' })
  id!: string;

  @ApiProperty({ minLength: 1, maxLength: 200, example: 'widget' })
  name!: string;

  @ApiProperty({ type: 'string', nullable: true, maxLength: 2000, example: 'optional text' })
  description!: string | null;

  @ApiProperty({
    format: 'date-time',
    description: 'RFC 3339 with an offset (UTC, `Z`)',
    example: '2026-11-30T17:16:20.123Z',
  })
  createdAt!: string;
}
