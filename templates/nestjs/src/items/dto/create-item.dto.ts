import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateItemDto {
  // Decorators run bottom-up, and the ValidationPipe stops at the first failure per field,
  // so the most basic check sits at the bottom.
  @ApiProperty({ minLength: 1, maxLength: 200, pattern: '\\S', example: 'widget' })
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @IsString()
  @IsNotEmpty()
  name!: string;

  @ApiProperty({ required: false, maxLength: 2000, example: 'optional text' })
  @MaxLength(2000)
  @IsString()
  @IsOptional()
  description?: string;
}
