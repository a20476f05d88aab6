import {
  BatchGetCommand,
  BatchGetCommandInput,
  BatchWriteCommand,
  BatchWriteCommandInput,
  DynamoDBDocumentClient,
  ScanCommand,
  ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  DynamoDbMigrationWriter,
  MigrationWriteError,
  RetryNotice,
  SCAN_PAGE_ITEMS,
} from './dynamodb-migration.writer';

function named(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** A document client whose answers are scripted, one per call; records what it was sent. */
function scripted<Input extends object = BatchWriteCommandInput>(answers: Array<(input: Input) => unknown>) {
  const sent: Array<{ input: Input }> = [];
  const send = jest.fn(async (command: { input: Input }) => {
    sent.push(command);
    const answer = answers.shift();
    if (!answer) return {};
    const result = answer(command.input);
    if (result instanceof Error) throw result;
    return result;
  });
  const delays: number[] = [];
  const notices: RetryNotice[] = [];
  const writer = new DynamoDbMigrationWriter({ send } as unknown as DynamoDBDocumentClient, {
    sleep: async (ms) => delays.push(ms),
    random: () => 1,
    onRetry: (notice) => notices.push(notice),
  });
  return { writer, sent, delays, notices };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ user_id: `u${i}` }));

describe('DynamoDbMigrationWriter', () => {
  it('writes 25 items per BatchWriteItem', async () => {
    const { writer, sent } = scripted([]);
    await writer.putAll('t', items(60));
    expect(sent.map((command) => command.input.RequestItems?.t.length)).toEqual([25, 25, 10]);
    expect(sent.every((command) => command instanceof BatchWriteCommand)).toBe(true);
    expect(writer.stats).toMatchObject({ batchWriteRequests: 3, itemsWritten: 60 });
  });

  it('retries UnprocessedItems, only those, with exponential backoff', async () => {
    const { writer, sent, delays } = scripted([
      (input) => ({ UnprocessedItems: { t: input.RequestItems?.t.slice(0, 3) } }),
      (input) => ({ UnprocessedItems: { t: input.RequestItems?.t.slice(0, 1) } }),
      () => ({}),
    ]);
    await writer.putAll('t', items(10));
    expect(sent.map((command) => command.input.RequestItems?.t.map((request) => request.PutRequest?.Item?.user_id))).toEqual([
      items(10).map((item) => item.user_id),
      ['u0', 'u1', 'u2'],
      ['u0'],
    ]);
    expect(delays).toEqual([50, 100]);
    expect(writer.stats.retries.unprocessed).toBe(2);
    expect(writer.stats.itemsWritten).toBe(10);
  });

  it('retries throttling and 5xx answers; throws anything else at once', async () => {
    const { writer, delays } = scripted([
      () => named('ProvisionedThroughputExceededException', 400),
      () => named('ThrottlingException', 400),
      () => named('InternalServerError', 500),
      () => ({}),
    ]);
    await writer.putAll('t', items(2));
    expect(writer.stats.retries).toEqual({ unprocessed: 0, throttled: 2, transient: 1 });
    expect(delays).toEqual([50, 100, 200]);
    const failing = scripted([() => named('ValidationException', 400)]);
    await expect(failing.writer.putAll('t', items(1))).rejects.toThrow('ValidationException');
    expect(failing.delays).toEqual([]);
  });

  it('gives up after the last attempt, naming the request and the last error', async () => {
    const { writer } = scripted(Array.from({ length: 20 }, () => () => named('ThrottlingException', 400)));
    const failure = writer.putAll('t', items(1));
    await expect(failure).rejects.toBeInstanceOf(MigrationWriteError);
    await expect(failure).rejects.toThrow(
      `BatchWriteItem t: gave up after ${DEFAULT_RETRY_POLICY.maxAttempts} attempts (throttled: ThrottlingException: ThrottlingException)`,
    );
    expect(writer.stats.retries.throttled).toBe(DEFAULT_RETRY_POLICY.maxAttempts - 1);
  });

  it('tells every retry with the request and the error it retries', async () => {
    const { writer, notices } = scripted([
      () => named('InternalServerError', 500),
      (input) => ({ UnprocessedItems: { users: input.RequestItems?.users } }),
      () => ({}),
    ]);
    await writer.putAll('users', items(1));
    expect(notices).toEqual([
      { request: 'BatchWriteItem users', cause: 'transient', error: 'InternalServerError: InternalServerError', attempt: 1, delayMs: 50 },
      { request: 'BatchWriteItem users', cause: 'unprocessed', attempt: 2, delayMs: 100 },
    ]);
  });

  it('counts by a consistent Scan in pages of SCAN_PAGE_ITEMS, each page retried on its own', async () => {
    const { writer, sent, notices } = scripted<ScanCommandInput>([
      () => ({ Items: [{ k: 'a' }, { k: 'CLAIM#a' }], LastEvaluatedKey: { k: 'CLAIM#a' } }),
      () => named('TimeoutError'),
      () => ({ Items: [{ k: 'b' }] }),
    ]);
    expect(await writer.countItems('t', 'k', 'CLAIM#', 1)).toEqual({ items: 2, claims: 1 });
    expect(sent.every((command) => command instanceof ScanCommand)).toBe(true);
    expect(sent.map((command) => [command.input.Limit, command.input.ConsistentRead, command.input.ExclusiveStartKey])).toEqual([
      [SCAN_PAGE_ITEMS, true, undefined],
      [SCAN_PAGE_ITEMS, true, { k: 'CLAIM#a' }],
      [SCAN_PAGE_ITEMS, true, { k: 'CLAIM#a' }],
    ]);
    expect(notices).toEqual([{ request: 'Scan t segment 1/1', cause: 'transient', error: 'TimeoutError: TimeoutError', attempt: 1, delayMs: 50 }]);
  });

  it('reads 100 keys per strongly consistent BatchGetItem and retries UnprocessedKeys', async () => {
    const { writer, sent } = scripted<BatchGetCommandInput>([
      (input) => ({
        Responses: { t: input.RequestItems?.t.Keys?.slice(1).map((key) => ({ ...key, v: 1 })) },
        UnprocessedKeys: { t: { Keys: input.RequestItems?.t.Keys?.slice(0, 1) } },
      }),
      (input) => ({ Responses: { t: input.RequestItems?.t.Keys?.map((key) => ({ ...key, v: 2 })) } }),
      (input) => ({ Responses: { t: input.RequestItems?.t.Keys?.map((key) => ({ ...key, v: 3 })) } }),
    ]);
    const keys = Array.from({ length: 150 }, (_, i) => `k${i}`);
    const found = await writer.getAll([{ table: 't', keyName: 'id', keys: [...keys, 'k0'] }]);
    expect(sent.every((command) => command instanceof BatchGetCommand)).toBe(true);
    expect(sent.map((command) => command.input.RequestItems?.t.Keys?.length)).toEqual([100, 1, 50]);
    expect(sent[0].input.RequestItems?.t.ConsistentRead).toBe(true);
    expect(found.get('t')?.size).toBe(150);
    expect(found.get('t')?.get('k0')).toEqual({ id: 'k0', v: 2 });
  });
});

describe('retry policy', () => {
  it('is full jitter: uniform in [0, min(max, base·2^(n−1))]', () => {
    expect(backoffDelay(1, DEFAULT_RETRY_POLICY, () => 1)).toBe(50);
    expect(backoffDelay(4, DEFAULT_RETRY_POLICY, () => 1)).toBe(400);
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, () => 1)).toBe(5000);
    expect(backoffDelay(20, DEFAULT_RETRY_POLICY, () => 0)).toBe(0);
  });
});
