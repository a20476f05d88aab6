import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AppConfig } from '../config/app-config';

export function createS3Client(settings: AppConfig['storage']): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    // Emulators serve buckets by path, not by host name.
    forcePathStyle: settings.endpoint !== undefined,
    credentials: settings.staticCredentials,
    maxAttempts: settings.maxAttempts,
    // Streamed uploads of unknown length must not get a trailing checksum that emulators store as data.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // An inactivity limit, not a deadline: a recording may stream for longer as long as bytes flow.
    // (`requestTimeout` would be a whole-request limit, and without throwOnRequestTimeout only a warning.)
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.timeoutMs,
      socketTimeout: settings.timeoutMs,
      httpAgent: new Agent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}
