import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { LOG_LEVELS, type LogFormat, type LogLevelName } from '../config/env';

/** The levels at or above `minimum`, in Nest's order (verbose is the most detailed). */
export function levelsFrom(minimum: LogLevelName): LogLevel[] {
  return LOG_LEVELS.slice(LOG_LEVELS.indexOf(minimum));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Nest's own ConsoleLogger, with one change for JSON output: when the message is an object,
 * its fields go to the top level of the line ({"level":"log",...,"method":"GET",...}) instead
 * of being nested under "message", so log tooling can filter on them directly.
 */
export class AppLogger extends ConsoleLogger {
  protected override getJsonLogObject(
    message: unknown,
    options: {
      context: string;
      logLevel: LogLevel;
      writeStreamType?: 'stdout' | 'stderr';
      errorStack?: unknown;
    },
  ) {
    const entry = super.getJsonLogObject(message, options);
    return isRecord(message) ? { ...entry, ...message } : entry;
  }
}

/**
 * One JSON object per line in production (LOG_FORMAT=json), readable text while developing.
 * Everything goes to stdout/stderr; let the platform collect it.
 */
export function createLogger(format: LogFormat, level: LogLevelName): AppLogger {
  return new AppLogger({
    json: format === 'json',
    colors: format === 'pretty' && process.stdout.isTTY === true,
    logLevels: levelsFrom(level),
  });
}
