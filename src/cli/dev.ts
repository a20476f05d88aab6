import { Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/environment';
import { provisionServiceTables } from '../database/provision';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { loadDotEnv } from './load-env';

const DATA_DIR = '.data/dynamodb';

/**
 * `npm run dev`: DynamoDB Local (data kept in .data/, or `--in-memory`), tables created, the API served.
 * Ctrl-C stops everything it started.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const logger = new Logger('dev');
  const inMemory = process.argv.includes('--in-memory');
  const dynamo = await startDynamoDbLocal({
    port: Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000),
    dataDir: inMemory ? undefined : DATA_DIR,
  });
  process.once('exit', () => dynamo.process.kill('SIGTERM'));
  logger.log(`DynamoDB Local on ${dynamo.endpoint} (${inMemory ? 'in memory' : `data in ${DATA_DIR}`})`);

  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  const config = new AppConfig(validateEnvironment(process.env));
  for (const action of await provisionServiceTables(config)) {
    logger.log(`table ${action.table}: ${action.action}${action.index ? ` ${action.index}` : ''}`);
  }
  await import('../main');
}

main().catch((error: unknown) => {
  new Logger('dev').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
