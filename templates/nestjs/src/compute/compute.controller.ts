import {
  Body,
  Controller,
  HttpCode,
  HttpStatus,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/api-errors';
import { ComputeService } from './compute.service';
import { PiRequestDto, PiResponseDto } from './pi.dto';
import { PoolClosedError } from './worker-pool';

/** `POST /api/compute/pi`: a Monte Carlo estimate of pi, computed on a worker thread. */
@ApiTags('compute')
@Controller('compute')
export class ComputeController {
  constructor(private readonly compute: ComputeService) {}

  @Post('pi')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({ type: PiResponseDto })
  @ApiErrors(400, 413, 429, 503)
  async pi(@Body() body: PiRequestDto): Promise<PiResponseDto> {
    try {
      return await this.compute.estimatePi({ samples: body.samples, seed: body.seed });
    } catch (error) {
      if (error instanceof PoolClosedError) {
        throw new ServiceUnavailableException('The server is shutting down, try again');
      }
      throw error;
    }
  }
}
