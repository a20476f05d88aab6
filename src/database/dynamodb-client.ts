import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AppConfig } from '../config/app-config';

/**
 * Timeouts and bounded retries keep a request from hanging when DynamoDB is slow or unreachable;
 * keep-alive sockets avoid a TCP handshake per call. `requestTimeout` is a hard deadline per attempt
 * only with `throwOnRequestTimeout` (without it, @smithy/node-http-handler 4.x merely logs a warning
 * and a black-holed connection hangs for ever); `socketTimeout` also catches a stalled socket. One call
 * thus ends within about DYNAMODB_MAX_ATTEMPTS × DYNAMODB_TIMEOUT_MS plus the SDK's backoff.
 */
export function createDynamoDbClient(settings: AppConfig['dynamodb']): DynamoDBClient {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return new DynamoDBClient({
    region: settings.region,
    endpoint: settings.endpoint,
    credentials: settings.staticCredentials,
    maxAttempts: settings.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: settings.timeoutMs,
      httpAgent: new Agent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    }),
  });
}

export function createDocumentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}
