import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DeleteCommandInput,
  DeleteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  PutCommandInput,
  QueryCommand,
  QueryCommandInput,
  QueryCommandOutput,
  TransactWriteCommand,
  TransactWriteCommandInput,
  UpdateCommand,
  UpdateCommandInput,
  UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { isUnavailable } from '../common/errors/transient-errors';
import { AppConfig, TableNames } from '../config/app-config';

const TRANSACTION_CONFLICT_ATTEMPTS = 5;

/** Cancellation reasons of a transaction that say "try again later", not "this request is wrong". */
const UNAVAILABLE_CANCELLATION_CODES = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'TransactionConflict']);

/** A command's input on the repository's own table: the helpers below add `TableName`. */
type OnTable<Input> = Omit<Input, 'TableName'>;

type Item = Record<string, unknown>;
export type TransactionItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * Base of every DynamoDB repository: sends commands to the repository's own table (`table`, one of
 * the configured table names) and turns outages into `DependencyUnavailableError` (503), nothing else.
 * Each helper is named after the DynamoDB action it needs (test/infra/permissions.spec.ts reads them).
 */
@Injectable()
export abstract class DynamoDbRepository {
  protected abstract readonly table: keyof TableNames;

  constructor(
    protected readonly documents: DynamoDBDocumentClient,
    protected readonly config: AppConfig,
  ) {}

  protected get tableName(): string {
    return this.config.dynamodb.tables[this.table];
  }

  protected async call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (isUnavailable(error)) throw new DependencyUnavailableError('DynamoDB', error);
      throw error;
    }
  }

  /** A strongly consistent read: what was just written is found. */
  protected async getItem(key: Item): Promise<Item | undefined> {
    const output = await this.call(() => this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return output.Item;
  }

  protected async putItem(input: OnTable<PutCommandInput>): Promise<void> {
    await this.call(() => this.documents.send(new PutCommand({ ...input, TableName: this.tableName })));
  }

  protected updateItem(input: OnTable<UpdateCommandInput>): Promise<UpdateCommandOutput> {
    return this.call(() => this.documents.send(new UpdateCommand({ ...input, TableName: this.tableName })));
  }

  /** An update whose condition may fail: false then, and nothing changed. */
  protected async updateIf(input: OnTable<UpdateCommandInput>): Promise<boolean> {
    return (await this.unlessConditionFails(this.updateItem(input))) !== undefined;
  }

  protected deleteItem(input: OnTable<DeleteCommandInput>): Promise<DeleteCommandOutput> {
    return this.call(() => this.documents.send(new DeleteCommand({ ...input, TableName: this.tableName })));
  }

  protected query(input: OnTable<QueryCommandInput>): Promise<QueryCommandOutput> {
    return this.call(() => this.documents.send(new QueryCommand({ ...input, TableName: this.tableName })));
  }

  /** A conditional write whose condition may fail: undefined then, and nothing changed. */
  protected async unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
    try {
      return await write;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /**
   * Runs a conditional `TransactWriteItems`. Resolves to the positions of the items whose condition
   * failed (empty when everything was written). While another transaction holds the same items it
   * waits and tries again, so a race ends in a clean condition failure rather than an error.
   */
  protected async transactWrite(items: TransactionItem[]): Promise<number[]> {
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
  protected async queryAll(input: OnTable<Omit<QueryCommandInput, 'ExclusiveStartKey'>>): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const page = await this.query({ ...input, ExclusiveStartKey: start });
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
