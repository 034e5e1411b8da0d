import { connect, type ChannelModel, type ConfirmChannel } from "amqplib";

import type { Config } from "../../config/env.js";
import type { Logger } from "../../lib/logger.js";
import type { JobBroker, JobMessage } from "./jobs.types.js";

/**
 * The only module of the gateway that knows RabbitMQ (amqplib).
 *
 * Jobs go to the durable queue `<JOBS_PREFIX>.jobs` as persistent messages, and `publish`
 * resolves only once RabbitMQ has confirmed them. Status events arrive on the fanout exchange
 * `<JOBS_PREFIX>.events`, to which every gateway binds its own exclusive queue, so each instance
 * sees every event. The connection is re-opened with backoff whenever it drops.
 */
export function createBroker(
  config: Pick<Config, "RABBITMQ_URL" | "JOBS_PREFIX">,
  logger: Logger,
): JobBroker {
  const jobsQueue = `${config.JOBS_PREFIX}.jobs`;
  const eventsExchange = `${config.JOBS_PREFIX}.events`;
  const handlers: ((raw: string) => void)[] = [];
  let model: ChannelModel | undefined;
  let channel: ConfirmChannel | undefined;
  let closing = false;
  let delay = 250;
  let timer: NodeJS.Timeout | undefined;

  async function open(): Promise<void> {
    const connection = await connect(config.RABBITMQ_URL, { timeout: 5000 });
    connection.on("error", (err: Error) => logger.warn({ err }, "RabbitMQ connection error"));
    connection.on("close", () => {
      model = undefined;
      channel = undefined;
      if (!closing) {
        logger.warn("RabbitMQ connection closed; reconnecting");
        schedule();
      }
    });
    const ch = await connection.createConfirmChannel();
    // A channel error (e.g. a queue deleted under us) closes only the channel: reopen everything.
    ch.on("error", (err: Error) => logger.warn({ err }, "RabbitMQ channel error"));
    ch.on("close", () => {
      if (!closing && channel === ch) {
        channel = undefined;
        void connection.close().catch(() => undefined);
      }
    });
    await ch.assertQueue(jobsQueue, { durable: true });
    await ch.assertExchange(eventsExchange, "fanout", { durable: true });
    const { queue } = await ch.assertQueue("", { exclusive: true, autoDelete: true });
    await ch.bindQueue(queue, eventsExchange, "");
    await ch.consume(
      queue,
      (message) => {
        if (message === null) return;
        const raw = message.content.toString("utf8");
        for (const handler of handlers) handler(raw);
      },
      { noAck: true },
    );
    model = connection;
    channel = ch;
    delay = 250;
    logger.info({ queue: jobsQueue }, "connected to RabbitMQ");
  }

  function schedule(): void {
    timer = setTimeout(() => void attempt(), delay);
    delay = Math.min(delay * 2, 10_000);
  }

  async function attempt(): Promise<void> {
    try {
      await open();
    } catch (err) {
      if (closing) return;
      logger.warn({ err, retryInMs: delay }, "RabbitMQ not reachable");
      schedule();
    }
  }

  void attempt();

  function connected(): ConfirmChannel {
    if (channel === undefined) throw new Error("not connected to RabbitMQ");
    return channel;
  }

  return {
    async publish(job: JobMessage) {
      const ch = connected();
      ch.sendToQueue(jobsQueue, Buffer.from(JSON.stringify(job)), {
        persistent: true,
        contentType: "application/json",
        messageId: job.id,
        headers: { "x-attempt": 1 },
      });
      await ch.waitForConfirms();
    },
    onEvent(handler) {
      handlers.push(handler);
    },
    async ping() {
      await connected().checkQueue(jobsQueue);
    },
    async close() {
      closing = true;
      clearTimeout(timer);
      await model?.close().catch(() => undefined);
    },
  };
}
