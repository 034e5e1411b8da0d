import { pino, type Logger } from "pino";

import type { Config } from "../config/env.js";

export type { Logger };

/**
 * One JSON object per line on stdout, in every environment: that is what log collectors read.
 * `npm run dev` pipes the output through pino-pretty for people.
 */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "NODE_ENV">): Logger {
  return pino({
    level: config.LOG_LEVEL,
    base: { env: config.NODE_ENV },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
    },
  });
}
