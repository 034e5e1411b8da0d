import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import { type Env } from '../config/env';
import { type JobBroker } from './job-broker';
import { type JobMessage } from './jobs.types';

/**
 * The only file of the app that knows Redis (ioredis, Redis streams).
 *
 * Jobs are appended to the stream `<JOBS_PREFIX>:jobs` (fields `job`, `attempt`), which the
 * workers read through their consumer group. Status events arrive on the stream
 * `<JOBS_PREFIX>:events`; every instance follows it with a blocking XREAD on a connection of
 * its own, so each one sees every event. ioredis connects in the background and reconnects by
 * itself; while it is disconnected, commands fail at once (POST /jobs answers 503).
 */
@Injectable()
export class RedisJobBroker implements JobBroker, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisJobBroker.name);
  private readonly url: string;
  private readonly jobsKey: string;
  private readonly eventsKey: string;
  private readonly handlers: ((raw: string) => void)[] = [];
  private redis?: Redis;
  private reader?: Redis;
  private closing = false;

  constructor(config: ConfigService<Env, true>) {
    const prefix = config.get('JOBS_PREFIX', { infer: true });
    this.url = config.get('REDIS_URL', { infer: true });
    this.jobsKey = `${prefix}:jobs`;
    this.eventsKey = `${prefix}:events`;
  }

  onModuleInit(): void {
    // Commands fail at once while disconnected instead of queueing.
    const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 };
    const redis = new Redis(this.url, options);
    const reader = new Redis(this.url, { ...options, maxRetriesPerRequest: null });
    redis.on('error', (error: Error) =>
      this.logger.warn(`Redis connection error: ${error.message}`),
    );
    reader.on('error', () => undefined); // reported once, by the connection above
    redis.once('ready', () => this.logger.log(`Connected to Redis; jobs go to ${this.jobsKey}`));
    reader.once('ready', () => void this.follow(reader));
    this.redis = redis;
    this.reader = reader;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    this.reader?.disconnect();
    await this.redis?.quit().catch(() => undefined);
  }

  async publish(job: JobMessage): Promise<void> {
    await this.connected().xadd(this.jobsKey, '*', 'job', JSON.stringify(job), 'attempt', '1');
  }

  onEvent(handler: (raw: string) => void): void {
    this.handlers.push(handler);
  }

  async ping(): Promise<void> {
    await this.connected().ping();
  }

  private connected(): Redis {
    if (this.redis === undefined) {
      throw new Error('not connected to Redis');
    }
    return this.redis;
  }

  private async follow(reader: Redis): Promise<void> {
    let last = '$';
    while (!this.closing) {
      try {
        const reply = await reader.xread('BLOCK', 5000, 'STREAMS', this.eventsKey, last);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const raw = fields[fields.indexOf('event') + 1];
            if (raw !== undefined) {
              for (const handler of this.handlers) {
                handler(raw);
              }
            }
          }
        }
      } catch (error) {
        if (this.closing) {
          return;
        }
        const message = error instanceof Error ? error.message : String(error);
        this.logger.warn(`Reading job events from Redis failed (${message}); retrying`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}
