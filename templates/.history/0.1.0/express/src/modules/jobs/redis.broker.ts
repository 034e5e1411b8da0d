import { Redis } from "ioredis";

import type { Config } from "../../config/env.js";
import type { Logger } from "../../lib/logger.js";
import type { JobBroker, JobMessage } from "./jobs.types.js";

/**
 * The only module of the gateway that knows Redis (ioredis, Redis streams).
 *
 * Jobs are appended to the stream `<JOBS_PREFIX>:jobs` (fields `job`, `attempt`), which the
 * workers read through their consumer group. Status events arrive on the stream
 * `<JOBS_PREFIX>:events`; every gateway instance follows it with a blocking XREAD on a connection
 * of its own, so each one sees every event. ioredis reconnects by itself.
 */
export function createBroker(
  config: Pick<Config, "REDIS_URL" | "JOBS_PREFIX">,
  logger: Logger,
): JobBroker {
  const jobsKey = `${config.JOBS_PREFIX}:jobs`;
  const eventsKey = `${config.JOBS_PREFIX}:events`;
  const handlers: ((raw: string) => void)[] = [];
  // Commands fail at once while disconnected instead of queueing: POST /jobs answers 503.
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 5000 };
  const redis = new Redis(config.REDIS_URL, options);
  const reader = new Redis(config.REDIS_URL, { ...options, maxRetriesPerRequest: null });
  let closing = false;
  redis.on("error", (err: Error) => logger.warn({ err }, "Redis connection error"));
  reader.on("error", () => undefined); // reported once, by the connection above

  async function follow(): Promise<void> {
    let last = "$";
    while (!closing) {
      try {
        const reply = await reader.xread("BLOCK", 5000, "STREAMS", eventsKey, last);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            last = id;
            const raw = fields[fields.indexOf("event") + 1];
            if (raw !== undefined) for (const handler of handlers) handler(raw);
          }
        }
      } catch (err) {
        if (closing) return;
        logger.warn({ err }, "reading job events from Redis failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  reader.once("ready", () => void follow());

  return {
    async publish(job: JobMessage) {
      await redis.xadd(jobsKey, "*", "job", JSON.stringify(job), "attempt", "1");
    },
    onEvent(handler) {
      handlers.push(handler);
    },
    async ping() {
      await redis.ping();
    },
    async close() {
      closing = true;
      reader.disconnect();
      await redis.quit().catch(() => undefined);
    },
  };
}
