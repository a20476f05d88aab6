import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { retryCause } from '../../src/common/errors/transient-errors';

/** DynamoDB's own limits per request. */
export const BATCH_WRITE_MAX_ITEMS = 25;
const BATCH_GET_MAX_KEYS = 100;
/** Items per verification Scan page: a page of a big table stays far below any request timeout. */
export const SCAN_PAGE_ITEMS = 1000;

type RetryCause = 'unprocessed' | 'throttled' | 'transient';

interface RetryPolicy {
  /** Attempts per request, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 12, baseDelayMs: 50, maxDelayMs: 5000 };

/** Exponential backoff with full jitter: uniformly random in [0, min(max, base·2^(attempt−1))]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1)));
}

/** `Name: message` of a failure, short enough for one log line. */
function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 200 ? `${text.slice(0, 197)}...` : text;
}

/** A request DynamoDB kept refusing (throttling, 5xx, timeouts) until the last attempt. */
export class MigrationWriteError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationWriteError';
  }
}

export interface WriterStats {
  batchWriteRequests: number;
  batchGetRequests: number;
  itemsWritten: number;
  retries: Record<RetryCause, number>;
}

interface WriterOptions {
  retry?: Partial<RetryPolicy>;
  sleep?: (ms: number) => Promise<unknown>;
  random?: () => number;
  /** Told about every retry, e.g. to log throttling. */
  onRetry?: (retry: RetryNotice) => void;
  /**
   * The client of the verification Scans, with a timeout of their own (a consistent scan page is
   * slower than a batch write); the main client when absent.
   */
  scanDocuments?: DynamoDBDocumentClient;
}

export interface RetryNotice {
  /** The request, e.g. `BatchWriteItem users` or `Scan audio_files segment 2/8`. */
  request: string;
  cause: RetryCause;
  /** The failure that is retried (absent for unprocessed items, which are no error). */
  error?: string;
  attempt: number;
  delayMs: number;
}

export type Item = Record<string, unknown>;

interface KeyRequest {
  table: string;
  /** The table's partition-key attribute (every table here has a plain partition key). */
  keyName: string;
  keys: string[];
}

/** table → key value → item, for the keys that exist. */
type FoundItems = Map<string, Map<string, Item>>;

/**
 * The migration's DynamoDB access, the one place in tools/migration that uses the AWS SDK: batched,
 * strongly consistent reads (`BatchGetItem`), batched writes (`BatchWriteItem`, 25 items) whose
 * `UnprocessedItems`/`UnprocessedKeys` and throttling are retried with exponential backoff and
 * jitter, and item counts for verification. Like the repositories, it knows tables and items, not
 * PostgreSQL.
 */
export class DynamoDbMigrationWriter {
  readonly stats: WriterStats = {
    batchWriteRequests: 0,
    batchGetRequests: 0,
    itemsWritten: 0,
    retries: { unprocessed: 0, throttled: 0, transient: 0 },
  };
  private readonly policy: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<unknown>;
  private readonly random: () => number;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly options: WriterOptions = {},
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.sleep = options.sleep ?? ((ms) => sleep(ms));
    this.random = options.random ?? Math.random;
  }

  private async pause(cause: RetryCause, attempt: number, what: string, error?: unknown): Promise<void> {
    if (attempt >= this.policy.maxAttempts) {
      const last = error === undefined ? cause : `${cause}: ${describeError(error)}`;
      throw new MigrationWriteError(`${what}: gave up after ${attempt} attempts (${last})`, { cause: error });
    }
    this.stats.retries[cause]++;
    const delayMs = backoffDelay(attempt, this.policy, this.random);
    this.options.onRetry?.({ request: what, cause, ...(error === undefined ? {} : { error: describeError(error) }), attempt, delayMs });
    await this.sleep(delayMs);
  }

  /** Sends one request, retrying throttling and transient failures; other errors are thrown at once. */
  private async send<T>(what: string, request: () => Promise<T>, attempt: { n: number }): Promise<T> {
    for (;;) {
      attempt.n++;
      try {
        return await request();
      } catch (error) {
        const cause = retryCause(error);
        if (!cause) throw error;
        await this.pause(cause, attempt.n, what, error);
      }
    }
  }

  /**
   * Writes (puts) every item, `batchSize` items per BatchWriteItem, the requests in parallel;
   * resolves once DynamoDB has accepted all of them.
   */
  async putAll(table: string, items: Item[], batchSize = BATCH_WRITE_MAX_ITEMS): Promise<void> {
    const size = Math.min(BATCH_WRITE_MAX_ITEMS, Math.max(1, batchSize));
    const batches: Item[][] = [];
    for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
    await Promise.all(batches.map((batch) => this.putBatch(table, batch)));
  }

  private async putBatch(table: string, items: Item[]): Promise<void> {
    let pending: Array<{ PutRequest: { Item: Item } }> = items.map((item) => ({ PutRequest: { Item: item } }));
    const attempt = { n: 0 };
    while (pending.length > 0) {
      const batch = pending;
      this.stats.batchWriteRequests++;
      const { UnprocessedItems } = await this.send(
        `BatchWriteItem ${table}`,
        () => this.documents.send(new BatchWriteCommand({ RequestItems: { [table]: batch } })),
        attempt,
      );
      const unprocessed = (UnprocessedItems?.[table] ?? []) as Array<{ PutRequest: { Item: Item } }>;
      this.stats.itemsWritten += batch.length - unprocessed.length;
      pending = unprocessed;
      if (pending.length > 0) await this.pause('unprocessed', attempt.n, `BatchWriteItem ${table}`);
    }
  }

  /** Strongly consistent reads of every key; the answer holds the items that exist. */
  async getAll(requests: KeyRequest[]): Promise<FoundItems> {
    const found: FoundItems = new Map(requests.map((request) => [request.table, new Map<string, Item>()]));
    const keyNames = new Map(requests.map((request) => [request.table, request.keyName]));
    const flat = requests.flatMap((request) => [...new Set(request.keys)].map((key) => ({ table: request.table, key })));
    for (let start = 0; start < flat.length; start += BATCH_GET_MAX_KEYS) {
      let pending: Record<string, { Keys: Item[]; ConsistentRead: boolean }> = {};
      for (const { table, key } of flat.slice(start, start + BATCH_GET_MAX_KEYS)) {
        pending[table] ??= { Keys: [], ConsistentRead: true };
        pending[table].Keys.push({ [keyNames.get(table) as string]: key });
      }
      const attempt = { n: 0 };
      while (Object.keys(pending).length > 0) {
        const batch = pending;
        this.stats.batchGetRequests++;
        const { Responses = {}, UnprocessedKeys = {} } = await this.send(
          'BatchGetItem',
          () => this.documents.send(new BatchGetCommand({ RequestItems: batch })),
          attempt,
        );
        for (const [table, items] of Object.entries(Responses)) {
          const keyName = keyNames.get(table) as string;
          for (const item of items) found.get(table)?.set(String(item[keyName]), item);
        }
        pending = Object.fromEntries(
          Object.entries(UnprocessedKeys)
            .filter(([, value]) => (value?.Keys?.length ?? 0) > 0)
            .map(([table, value]) => [table, { Keys: value.Keys as Item[], ConsistentRead: true }]),
        );
        if (Object.keys(pending).length > 0) await this.pause('unprocessed', attempt.n, 'BatchGetItem');
      }
    }
    return found;
  }

  /**
   * Counts a table's items in two kinds by a strongly consistent parallel scan that reads only the
   * key, in pages of `SCAN_PAGE_ITEMS`: claim items (partition key starting with `claimPrefix`) and
   * the rest. Memory stays flat.
   */
  async countItems(table: string, keyName: string, claimPrefix: string, segments: number): Promise<{ items: number; claims: number }> {
    const totals = { items: 0, claims: 0 };
    const scanner = this.options.scanDocuments ?? this.documents;
    await Promise.all(
      Array.from({ length: segments }, async (_, segment) => {
        let start: Item | undefined;
        do {
          const attempt = { n: 0 };
          const page = await this.send(
            `Scan ${table} segment ${segment + 1}/${segments}`,
            () =>
              scanner.send(
                new ScanCommand({
                  TableName: table,
                  ProjectionExpression: '#key',
                  ExpressionAttributeNames: { '#key': keyName },
                  ConsistentRead: true,
                  Segment: segment,
                  TotalSegments: segments,
                  ExclusiveStartKey: start,
                  Limit: SCAN_PAGE_ITEMS,
                }),
              ),
            attempt,
          );
          for (const item of page.Items ?? []) {
            if (String(item[keyName]).startsWith(claimPrefix)) totals.claims++;
            else totals.items++;
          }
          start = page.LastEvaluatedKey;
        } while (start);
      }),
    );
    return totals;
  }
}
