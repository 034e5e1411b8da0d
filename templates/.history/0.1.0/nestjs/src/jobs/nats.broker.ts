import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import {
  connect,
  Events,
  type JetStreamClient,
  type NatsConnection,
  RetentionPolicy,
  StorageType,
  StringCodec,
} from 'nats';
import { type Env } from '../config/env';
import { type JobBroker } from './job-broker';
import { type JobMessage } from './jobs.types';

/**
 * The only file of the app that knows NATS (nats.js, JetStream).
 *
 * Jobs are published with JetStream to the subject `<JOBS_PREFIX>.jobs`, stored in the
 * work-queue stream `<JOBS_PREFIX>_jobs` (created here if the worker has not yet), with the job
 * id as `Nats-Msg-Id` so that a re-sent job is stored once; `publish` resolves once the stream
 * has stored it. Status events arrive on the core subject `<JOBS_PREFIX>.events`, to which every
 * instance subscribes. The connection opens in the background when the module starts, and
 * nats.js reconnects by itself.
 */
@Injectable()
export class NatsJobBroker implements JobBroker, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(NatsJobBroker.name);
  private readonly url: string;
  private readonly jobsSubject: string;
  private readonly jobsStream: string;
  private readonly eventsSubject: string;
  private readonly codec = StringCodec();
  private readonly handlers: ((raw: string) => void)[] = [];
  private nc?: NatsConnection;
  private js?: JetStreamClient;
  private closing = false;

  constructor(config: ConfigService<Env, true>) {
    const prefix = config.get('JOBS_PREFIX', { infer: true });
    this.url = config.get('NATS_URL', { infer: true });
    this.jobsSubject = `${prefix}.jobs`;
    this.jobsStream = `${prefix}_jobs`;
    this.eventsSubject = `${prefix}.events`;
  }

  onModuleInit(): void {
    this.open().catch((error: unknown) =>
      this.logger.error(
        `Could not set up NATS: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.nc?.drain().catch(() => undefined);
  }

  async publish(job: JobMessage): Promise<void> {
    if (this.js === undefined) {
      throw new Error('not connected to NATS');
    }
    await this.js.publish(this.jobsSubject, this.codec.encode(JSON.stringify(job)), {
      msgID: job.id,
    });
  }

  onEvent(handler: (raw: string) => void): void {
    this.handlers.push(handler);
  }

  async ping(): Promise<void> {
    const nc = this.nc;
    if (nc === undefined || nc.isClosed()) {
      throw new Error('not connected to NATS');
    }
    // A flush waits for a reconnect: give up after 2 s so that readiness answers 503.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('NATS did not answer within 2 s')), 2000);
    });
    try {
      await Promise.race([nc.flush(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async open(): Promise<void> {
    const connection = await connect({
      servers: this.url,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 5000,
    });
    if (this.closing) {
      await connection.close();
      return;
    }
    const jsm = await connection.jetstreamManager();
    try {
      await jsm.streams.info(this.jobsStream);
    } catch {
      await jsm.streams.add({
        name: this.jobsStream,
        subjects: [this.jobsSubject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
      });
    }
    const subscription = connection.subscribe(this.eventsSubject);
    void (async () => {
      for await (const message of subscription) {
        const raw = this.codec.decode(message.data);
        for (const handler of this.handlers) {
          handler(raw);
        }
      }
    })();
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === Events.Disconnect || status.type === Events.Reconnect) {
          this.logger.warn(`NATS connection: ${status.type}`);
        }
      }
    })();
    this.nc = connection;
    this.js = connection.jetstream();
    this.logger.log(`Connected to NATS; jobs go to ${this.jobsSubject}`);
  }
}
