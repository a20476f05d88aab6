import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DynamoDB document client whose n-th call throws the n-th error (the last one again after the end;
 * `undefined` answers `{}`), counting the calls: for the error handling of the repository base.
 */
export function scriptedDocumentClient(...errors: (Error | undefined)[]): { documents: DynamoDBDocumentClient; calls: () => number } {
  let calls = 0;
  const documents = {
    send: async () => {
      const error = errors[Math.min(calls++, errors.length - 1)];
      if (error) throw error;
      return {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { documents, calls: () => calls };
}
