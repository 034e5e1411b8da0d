import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import { type Env } from '../config/env';
import { type JobBroker } from './job-broker';
import { type JobMessage } from './jobs.types';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The only file of the app that knows RabbitMQ (amqplib).
 *
 * Jobs go to the durable queue `<JOBS_PREFIX>.jobs` as persistent messages (message id = job
 * id), and `publish` resolves only once RabbitMQ has confirmed them. Status events arrive on
 * the fanout exchange `<JOBS_PREFIX>.events`, to which every instance binds its own exclusive
 * queue, so each one sees every event. The connection opens in the background when the module
 * starts (the app starts, and reports not ready, while RabbitMQ is down) and is re-opened with
 * backoff whenever it drops.
 */
@Injectable()
export class RabbitMqJobBroker implements JobBroker, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RabbitMqJobBroker.name);
  private readonly url: string;
  private readonly jobsQueue: string;
  private readonly eventsExchange: string;
  private readonly handlers: ((raw: string) => void)[] = [];
  private model?: ChannelModel;
  private channel?: ConfirmChannel;
  private closing = false;
  private delay = 250;
  private timer?: NodeJS.Timeout;

  constructor(config: ConfigService<Env, true>) {
    const prefix = config.get('JOBS_PREFIX', { infer: true });
    this.url = config.get('RABBITMQ_URL', { infer: true });
    this.jobsQueue = `${prefix}.jobs`;
    this.eventsExchange = `${prefix}.events`;
  }

  onModuleInit(): void {
    void this.attempt();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    await this.model?.close().catch(() => undefined);
  }

  async publish(job: JobMessage): Promise<void> {
    const channel = this.connected();
    channel.sendToQueue(this.jobsQueue, Buffer.from(JSON.stringify(job)), {
      persistent: true,
      contentType: 'application/json',
      messageId: job.id,
      headers: { 'x-attempt': 1 },
    });
    await channel.waitForConfirms();
  }

  onEvent(handler: (raw: string) => void): void {
    this.handlers.push(handler);
  }

  async ping(): Promise<void> {
    await this.connected().checkQueue(this.jobsQueue);
  }

  private connected(): ConfirmChannel {
    if (this.channel === undefined) {
      throw new Error('not connected to RabbitMQ');
    }
    return this.channel;
  }

  private async attempt(): Promise<void> {
    try {
      await this.open();
    } catch (error) {
      if (this.closing) {
        return;
      }
      this.logger.warn(`RabbitMQ not reachable (${describe(error)}); retrying in ${this.delay} ms`);
      this.schedule();
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => void this.attempt(), this.delay);
    this.delay = Math.min(this.delay * 2, 10_000);
  }

  private async open(): Promise<void> {
    const connection = await connect(this.url, { timeout: 5000 });
    connection.on('error', (error: Error) =>
      this.logger.warn(`RabbitMQ connection error: ${error.message}`),
    );
    connection.on('close', () => {
      this.model = undefined;
      this.channel = undefined;
      if (!this.closing) {
        this.logger.warn('RabbitMQ connection closed; reconnecting');
        this.schedule();
      }
    });
    if (this.closing) {
      await connection.close();
      return;
    }
    const channel = await connection.createConfirmChannel();
    // A channel error (e.g. a queue deleted under us) closes only the channel: reopen everything.
    channel.on('error', (error: Error) =>
      this.logger.warn(`RabbitMQ channel error: ${error.message}`),
    );
    channel.on('close', () => {
      if (!this.closing && this.channel === channel) {
        this.channel = undefined;
        void connection.close().catch(() => undefined);
      }
    });
    await channel.assertQueue(this.jobsQueue, { durable: true });
    await channel.assertExchange(this.eventsExchange, 'fanout', { durable: true });
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    await channel.bindQueue(queue, this.eventsExchange, '');
    await channel.consume(
      queue,
      (message) => {
        if (message === null) {
          return;
        }
        const raw = message.content.toString('utf8');
        for (const handler of this.handlers) {
          handler(raw);
        }
      },
      { noAck: true },
    );
    this.model = connection;
    this.channel = channel;
    this.delay = 250;
    this.logger.log(`Connected to RabbitMQ; jobs go to queue ${this.jobsQueue}`);
  }
}
