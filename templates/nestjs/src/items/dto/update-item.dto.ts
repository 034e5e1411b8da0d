import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

/** PATCH /api/items/:id: the fields to change; `description: null` clears it. */
export class UpdateItemDto {
  // Left out: unchanged. null is not a name, so only undefined skips the checks.
  @ApiProperty({ required: false, minLength: 1, maxLength: 200, pattern: '\\S' })
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @IsString()
  @ValidateIf((_dto: unknown, value: unknown) => value !== undefined)
  name?: string;

  @ApiProperty({ required: false, type: 'string', nullable: true, maxLength: 2000 })
  @MaxLength(2000)
  @IsString()
  @IsOptional()
  description?: string | null;
}
