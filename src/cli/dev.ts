import { Logger } from '@nestjs/common';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { validateEnvironment } from '../config/environment';
import { provisionServiceTables } from '../database/provision';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { startMailDev } from '../local/maildev';
import { startS3rverProcess } from '../local/s3-local';
import { provisionServiceBucket } from '../storage/provision';
import { loadDotEnv } from './load-env';

const DATA_DIR = '.data';

/**
 * `npm run dev`: DynamoDB Local and s3rver (data kept in .data/, or `--in-memory` for throw-away
 * data) and MailDev (mail kept while it runs), tables and bucket created, the API served. Ctrl-C stops everything it started.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const logger = new Logger('dev');
  const inMemory = process.argv.includes('--in-memory');
  const s3Directory = inMemory ? await mkdtemp(join(tmpdir(), 'panzoto-s3-')) : join(DATA_DIR, 's3');
  const dynamo = await startDynamoDbLocal({
    port: Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000),
    dataDir: inMemory ? undefined : join(DATA_DIR, 'dynamodb'),
  });
  process.once('exit', () => dynamo.process.kill('SIGTERM'));
  const s3 = await startS3rverProcess(s3Directory, Number(process.env.S3_LOCAL_PORT ?? 4569));
  process.once('exit', () => void s3.stop());
  logger.log(`DynamoDB Local on ${dynamo.endpoint}, s3rver on ${s3.endpoint} (${inMemory ? 'throw-away data' : `data in ${DATA_DIR}/`})`);
  const mail = await startMailDev({
    smtpPort: Number(process.env.MAIL_LOCAL_SMTP_PORT ?? 1025),
    webPort: Number(process.env.MAIL_LOCAL_WEB_PORT ?? 1080),
  });
  process.once('exit', () => void mail.stop());
  logger.log(`MailDev: SMTP on ${mail.smtpHost}:${mail.smtpPort}, read the mail at ${mail.webUrl}`);

  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.S3_ENDPOINT = s3.endpoint;
  Object.assign(process.env, { MAIL_TRANSPORT: 'smtp', SMTP_HOST: mail.smtpHost, SMTP_PORT: String(mail.smtpPort) });
  const config = new AppConfig(validateEnvironment(process.env));
  const [tables, bucket] = await Promise.all([provisionServiceTables(config), provisionServiceBucket(config)]);
  for (const action of tables) logger.log(`table ${action.table}: ${action.action}${action.index ? ` ${action.index}` : ''}`);
  logger.log(`bucket ${config.storage.bucket}: ${bucket.join(', ') || 'unchanged'}`);
  await import('../main');
}

main().catch((error: unknown) => {
  new Logger('dev').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
