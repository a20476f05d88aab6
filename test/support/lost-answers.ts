import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * Makes `client` lose the first answer of each named command (`CreateTableCommand`, …): the request
 * reaches the server and succeeds there, then the client sees a timeout, as on a loaded machine,
 * and the SDK's retry sends it again. Returns the commands whose answer was lost, in order.
 */
export function loseFirstAnswers(client: DynamoDBClient | S3Client, commandNames: string[]): string[] {
  const lost: string[] = [];
  (client as DynamoDBClient).middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const name = context.commandName as string;
      if (commandNames.includes(name) && !lost.includes(name)) {
        lost.push(name);
        throw Object.assign(new Error(`the answer to ${name} was lost`), { name: 'TimeoutError', $metadata: {} });
      }
      return result;
    },
    // Below the retry middleware (finalizeRequest), so the SDK itself repeats the request.
    { step: 'deserialize', name: 'loseFirstAnswers' },
  );
  return lost;
}
