import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_SAMPLES = 50_000_000;
export const MAX_SEED = 2 ** 31 - 1;

export class PiRequestDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_SAMPLES, example: 1_000_000 })
  @Max(MAX_SAMPLES)
  @Min(1)
  @IsInt()
  samples!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: MAX_SEED,
    required: false,
    description: 'Same seed, same estimate; random when left out',
  })
  @Max(MAX_SEED)
  @Min(0)
  @IsInt()
  @IsOptional()
  seed?: number;
}

export class PiResponseDto {
  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_SAMPLES })
  samples!: number;

  @ApiProperty({ type: 'number', example: 3.14159 })
  estimate!: number;

  @ApiProperty({ type: 'number', description: 'Time spent on the task, in milliseconds' })
  elapsed_ms!: number;
}
