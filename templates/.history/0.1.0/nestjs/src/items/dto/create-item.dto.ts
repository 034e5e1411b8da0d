import { IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class CreateItemDto {
  // Decorators run bottom-up, and the ValidationPipe stops at the first failure per field,
  // so the most basic check sits at the bottom.
  @MaxLength(200)
  @Matches(/\S/, { message: 'name must not be blank' })
  @IsString()
  @IsNotEmpty()
  name!: string;

  @MaxLength(2000)
  @IsString()
  @IsOptional()
  description?: string;
}
