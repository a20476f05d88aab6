import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp, DOCS_PATH } from './app.factory';
import { logStartFailure } from './common/http/logging';
import { AppConfig } from './config/app-config';
import { isAddressInUse, PortInUseError } from './common/util/port-in-use';

/**
 * SIGTERM/SIGINT: stop accepting connections, let in-flight requests finish (at most
 * SHUTDOWN_GRACE_MS), run the modules' shutdown hooks, then exit 0.
 */
function closeOnSignals(app: NestFastifyApplication, graceMs: number, logger: Logger): void {
  const close = (signal: NodeJS.Signals): void => {
    logger.log(`${signal} received: finishing in-flight requests`);
    setTimeout(() => {
      logger.error(`Requests still running after ${graceMs} ms: exiting anyway`);
      process.exit(1);
    }, graceMs).unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  const logger = new Logger('Bootstrap');
  if (config.jwt.secretIsEphemeral) {
    logger.warn('JWT_SECRET is not set: using a random secret for this process; tokens end with it');
  }
  closeOnSignals(app, config.http.shutdownGraceMs, logger);
  await app.listen({ port: config.http.port, host: config.http.host }).catch((error: unknown) => {
    throw isAddressInUse(error) ? new PortInUseError({ name: 'the API', port: config.http.port, portVariable: 'PORT' }) : error;
  });
  const url = await app.getUrl();
  logger.log(`panzoto-backend listening on ${url}; API explorer at ${url}/${DOCS_PATH}`);
}

bootstrap().catch(async (error: unknown) => {
  await logStartFailure(error);
  process.exit(1);
});
