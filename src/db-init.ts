import { Logger } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { validateEnvironment } from './config/environment';
import { provisionServiceTables } from './database/provision';
import { loadDotEnv } from './config/load-env';

/** `npm run db:init`: creates missing tables and indexes, leaves existing data alone, reports what it did. */
async function main(): Promise<void> {
  loadDotEnv();
  const logger = new Logger('db:init');
  const config = new AppConfig(validateEnvironment(process.env, { requireProductionSecrets: false }));
  logger.log(`DynamoDB ${config.dynamodb.endpoint ?? `AWS ${config.dynamodb.region}`}`);
  for (const action of await provisionServiceTables(config)) {
    logger.log(`${action.table}: ${action.action}${action.index ? ` ${action.index}` : ''}`);
  }
}

main().catch((error: unknown) => {
  new Logger('db:init').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
