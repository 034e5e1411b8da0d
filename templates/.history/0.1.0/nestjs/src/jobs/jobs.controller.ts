import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  Post,
  Res,
  ServiceUnavailableException,
  UnprocessableEntityException,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { isUUID } from 'class-validator';
import { type Response } from 'express';
import { BrokerUnavailableError, InvalidJobError, JobsService } from './jobs.service';
import { type JobState, type JobStatus } from './jobs.types';

/**
 * `POST /jobs` and `GET /jobs/:id`, outside the /api prefix (see app.setup.ts) so that the
 * paths are the same on every gateway of the hybrid stack. The body is checked against the
 * shared JSON Schema (contracts/job.v1.schema.json) by JobsService, not by a DTO: the worker
 * reads the same schema.
 */
@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiBody({
    description: 'A job as in contracts/job.v1.schema.json, without v, id and created_at',
    schema: { type: 'object', example: { type: 'stats', data: { numbers: [3, 1, 4, 1, 5] } } },
  })
  @ApiAcceptedResponse({ description: 'Queued: `{ id, status }`, with a Location header' })
  @ApiUnprocessableEntityResponse({
    description: '`details` lists each problem: `{ path, message }`',
  })
  @ApiServiceUnavailableResponse({ description: 'The broker did not take the job' })
  async submit(
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ id: string; status: JobStatus }> {
    let state: JobState;
    try {
      state = await this.jobs.submit(body);
    } catch (error) {
      if (error instanceof InvalidJobError) {
        throw new UnprocessableEntityException({
          message: error.message,
          error: 'Unprocessable Entity',
          code: 'validation_error',
          details: error.problems,
        });
      }
      if (error instanceof BrokerUnavailableError) {
        throw new ServiceUnavailableException({
          message: error.message,
          error: 'Service Unavailable',
          code: 'broker_unavailable',
        });
      }
      throw error;
    }
    res.location(`/jobs/${state.id}`);
    return { id: state.id, status: state.status };
  }

  @Get(':id')
  @ApiOkResponse({ description: 'status, attempt, createdAt, updatedAt, and result or error' })
  @ApiNotFoundResponse({ description: 'Unknown (or already forgotten) job, or not a UUID' })
  get(@Param('id') id: string): JobState {
    const state = isUUID(id) ? this.jobs.get(id) : undefined;
    if (state === undefined) {
      throw new NotFoundException({
        message: `Job ${id} not found`,
        error: 'Not Found',
        code: 'not_found',
      });
    }
    return state;
  }
}
