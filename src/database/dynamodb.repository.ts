import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, QueryCommandInput, TransactWriteCommand, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { isUnavailable } from '../common/errors/transient-errors';

const TRANSACTION_CONFLICT_ATTEMPTS = 5;

/** Cancellation reasons of a transaction that say "try again later", not "this request is wrong". */
const UNAVAILABLE_CANCELLATION_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);
/** Base of every DynamoDB repository: turns outages into `DependencyUnavailableError` (503), nothing else. */
export abstract class DynamoDbRepository {
  constructor(protected readonly documents: DynamoDBDocumentClient) {}

  protected async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUnavailable(error)) throw new DependencyUnavailableError('DynamoDB', error);
      throw error;
    }
  }

  /**
   * Runs a conditional `TransactWriteItems`. Resolves to the positions of the items whose condition
   * failed (empty when everything was written). While another transaction holds the same items it
   * waits and tries again, so a race ends in a clean condition failure rather than an error.
   */
  protected async transactWrite(items: TransactWriteCommandInput['TransactItems']): Promise<number[]> {
    for (let attempt = 1; ; attempt++) {
      // A fresh token per attempt; within one attempt it makes the SDK's own retries idempotent.
      const command = new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() });
      try {
        await this.call(() => this.documents.send(command));
        return [];
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const codes = (error.CancellationReasons ?? []).map((reason) => reason.Code);
        const failed = codes.flatMap((code, index) => (code === 'ConditionalCheckFailed' ? [index] : []));
        if (failed.length > 0) return failed;
        if (codes.includes('TransactionConflict') && attempt < TRANSACTION_CONFLICT_ATTEMPTS) {
          await sleep(Math.random() * 10 * 2 ** attempt);
          continue;
        }
        // Throttled, or still contended after every attempt: a 503 with Retry-After, not a 500.
        if (codes.some((code) => code !== undefined && UNAVAILABLE_CANCELLATION_CODES.has(code))) {
          throw new DependencyUnavailableError('DynamoDB', error);
        }
        throw error;
      }
    }
  }

  /** Every item a Query matches, page after page (for per-user collections of bounded size). */
  protected async queryAll(input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.call(() => this.documents.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
