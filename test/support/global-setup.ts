import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDynamoDb, startDynamoDbLocal } from '../../tools/local/dynamodb-local';
import { LocalMailServer, startMailDev } from '../../tools/local/maildev';
import { LocalS3, startS3rver } from '../../tools/local/s3-local';

export interface TestInfrastructure {
  dynamo: LocalDynamoDb;
  s3: LocalS3;
  mail: LocalMailServer;
}

/**
 * One DynamoDB Local (AWS's own emulator, in memory), one s3rver (S3-compatible, in a temporary
 * folder) and one MailDev (a real SMTP server; tests read its mail through its REST API, see
 * mailbox.ts) for the whole run, on free ports. Every test file makes its own uniquely named tables
 * and bucket in them (see test-app.ts) and mails only unique addresses, so files never share data.
 */
export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoDbLocal({ port: 0 });
  // Never leave a DynamoDB Local behind when the rest of the setup fails.
  const s3 = await mkdtemp(join(tmpdir(), 'panzoto-s3-'))
    .then((directory) => startS3rver(directory))
    .catch(async (error: unknown) => {
      await dynamo.stop();
      throw error;
    });
  const mail = await startMailDev().catch(async (error: unknown) => {
    await Promise.all([dynamo.stop(), s3.stop()]);
    throw error;
  });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.S3_ENDPOINT = s3.endpoint;
  Object.assign(process.env, { SMTP_HOST: mail.smtpHost, SMTP_PORT: String(mail.smtpPort), MAILDEV_URL: mail.webUrl });
  (globalThis as { __TEST_INFRASTRUCTURE__?: TestInfrastructure }).__TEST_INFRASTRUCTURE__ = { dynamo, s3, mail };
}
