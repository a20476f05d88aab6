import { Logger } from '@nestjs/common';
import { createApp, DOCS_PATH } from './app.factory';
import { AppConfig } from './config/app-config';

async function bootstrap(): Promise<void> {
  const app = await createApp();
  const config = app.get(AppConfig);
  const logger = new Logger('Bootstrap');
  if (config.jwt.secretIsEphemeral) {
    logger.warn('JWT_SECRET is not set: using a random secret for this process; tokens end with it');
  }
  await app.listen({ port: config.http.port, host: config.http.host });
  const url = await app.getUrl();
  logger.log(`panzoto-backend listening on ${url}; API explorer at ${url}/${DOCS_PATH}`);
}

bootstrap().catch((error: unknown) => {
  // The logger may not exist yet (bad configuration): say why on stderr and exit non-zero.
  process.stderr.write(`panzoto-backend failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
