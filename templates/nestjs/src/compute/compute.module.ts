import { availableParallelism } from 'node:os';
import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type Env } from '../config/env';
import { ComputeController } from './compute.controller';
import { COMPUTE_WORKERS, ComputeService } from './compute.service';

/** CPU-heavy work on worker threads: POST /api/compute/pi. */
@Module({
  controllers: [ComputeController],
  providers: [
    ComputeService,
    {
      // COMPUTE_WORKERS, or one thread per CPU but one, at least one.
      provide: COMPUTE_WORKERS,
      inject: [ConfigService],
      useFactory: (config: ConfigService<Env, true>): number =>
        config.get('COMPUTE_WORKERS', { infer: true }) ?? Math.max(1, availableParallelism() - 1),
    },
  ],
})
export class ComputeModule {}
