import {
  connect,
  Events,
  RetentionPolicy,
  StorageType,
  StringCodec,
  type JetStreamClient,
  type NatsConnection,
} from "nats";

import type { Config } from "../../config/env.js";
import type { Logger } from "../../lib/logger.js";
import type { JobBroker, JobMessage } from "./jobs.types.js";

/**
 * The only module of the gateway that knows NATS (nats.js, JetStream).
 *
 * Jobs are published with JetStream to the subject `<JOBS_PREFIX>.jobs`, stored in the
 * work-queue stream `<JOBS_PREFIX>_jobs` (created here if the worker has not yet), with the job
 * id as `Nats-Msg-Id` so that a re-sent job is stored once; `publish` resolves once the stream
 * has stored it. Status events arrive on the core subject `<JOBS_PREFIX>.events`, to which every
 * gateway instance subscribes. nats.js reconnects by itself.
 */
export function createBroker(
  config: Pick<Config, "NATS_URL" | "JOBS_PREFIX">,
  logger: Logger,
): JobBroker {
  const jobsSubject = `${config.JOBS_PREFIX}.jobs`;
  const jobsStream = `${config.JOBS_PREFIX}_jobs`;
  const eventsSubject = `${config.JOBS_PREFIX}.events`;
  const codec = StringCodec();
  const handlers: ((raw: string) => void)[] = [];
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  let closing = false;

  async function open(): Promise<void> {
    const connection = await connect({
      servers: config.NATS_URL,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
      timeout: 5000,
    });
    if (closing) {
      await connection.close();
      return;
    }
    const jsm = await connection.jetstreamManager();
    try {
      await jsm.streams.info(jobsStream);
    } catch {
      await jsm.streams.add({
        name: jobsStream,
        subjects: [jobsSubject],
        retention: RetentionPolicy.Workqueue,
        storage: StorageType.File,
      });
    }
    const subscription = connection.subscribe(eventsSubject);
    void (async () => {
      for await (const message of subscription) {
        const raw = codec.decode(message.data);
        for (const handler of handlers) handler(raw);
      }
    })();
    void (async () => {
      for await (const status of connection.status()) {
        if (status.type === Events.Disconnect || status.type === Events.Reconnect) {
          logger.warn({ status: status.type }, "NATS connection status");
        }
      }
    })();
    nc = connection;
    js = connection.jetstream();
    logger.info({ subject: jobsSubject }, "connected to NATS");
  }

  void open().catch((err: unknown) => logger.error({ err }, "could not set up NATS"));

  return {
    async publish(job: JobMessage) {
      if (js === undefined) throw new Error("not connected to NATS");
      await js.publish(jobsSubject, codec.encode(JSON.stringify(job)), { msgID: job.id });
    },
    onEvent(handler) {
      handlers.push(handler);
    },
    async ping() {
      if (nc === undefined || nc.isClosed()) throw new Error("not connected to NATS");
      // A flush waits for a reconnect: give up after 2 s so that readiness answers 503.
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("NATS did not answer within 2 s")), 2000);
      });
      try {
        await Promise.race([nc.flush(), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closing = true;
      await nc?.drain().catch(() => undefined);
    },
  };
}
