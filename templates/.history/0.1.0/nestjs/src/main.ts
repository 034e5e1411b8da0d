// Must stay the first import: it handles stop signals while everything else loads.
import { onStopSignal } from './common/startup-signals';
import { Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { createLogger } from './common/logger';
import { gracefulShutdown } from './common/shutdown';
import { type Env, EnvValidationError } from './config/env';

const logger = new Logger('Bootstrap');

async function bootstrap(): Promise<void> {
  // Start-up logs wait until the configured logger exists (JSON in production). If start-up
  // fails they are dropped and the catch below prints one clear message instead.
  const app = await NestFactory.create<NestExpressApplication>(AppModule, {
    bufferLogs: true,
    autoFlushLogs: false,
    abortOnError: false,
    forceCloseConnections: true,
  });
  const config = app.get<ConfigService<Env, true>>(ConfigService);
  app.useLogger(
    createLogger(
      config.get('LOG_FORMAT', { infer: true }),
      config.get('LOG_LEVEL', { infer: true }),
    ),
  );
  app.flushLogs();
  configureApp(app, config);
  onStopSignal(gracefulShutdown(app, config.get('SHUTDOWN_TIMEOUT_MS', { infer: true })));

  const host = config.get('HOST', { infer: true });
  const port = config.get('PORT', { infer: true });
  await app.listen(port, host);
  logger.log(`Listening on http://${host}:${port}`);
}

bootstrap().catch((error: unknown) => {
  if (error instanceof EnvValidationError) {
    console.error(error.message);
  } else {
    console.error('Failed to start:', error);
  }
  process.exit(1);
});
