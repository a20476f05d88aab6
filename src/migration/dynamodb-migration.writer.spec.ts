import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { backoffDelay, DEFAULT_RETRY_POLICY, DynamoDbMigrationWriter, MigrationWriteError } from './dynamodb-migration.writer';

function named(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** A document client whose answers are scripted, one per call; records what it was sent. */
function scripted(answers: Array<(input: any) => unknown>) {
  const sent: any[] = [];
  const send = jest.fn(async (command: { input: unknown }) => {
    sent.push(command);
    const answer = answers.shift();
    if (!answer) return {};
    const result = answer(command.input);
    if (result instanceof Error) throw result;
    return result;
  });
  const delays: number[] = [];
  const writer = new DynamoDbMigrationWriter({ send } as unknown as DynamoDBDocumentClient, {
    sleep: async (ms) => delays.push(ms),
    random: () => 1,
  });
  return { writer, sent, delays };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ user_id: `u${i}` }));

describe('DynamoDbMigrationWriter', () => {
  it('writes 25 items per BatchWriteItem', async () => {
    const { writer, sent } = scripted([]);
    await writer.putAll('t', items(60));
    expect(sent.map((command) => command.input.RequestItems.t.length)).toEqual([25, 25, 10]);
    expect(sent.every((command) => command instanceof BatchWriteCommand)).toBe(true);
    expect(writer.stats).toMatchObject({ batchWriteRequests: 3, itemsWritten: 60 });
  });

  it('retries UnprocessedItems, only those, with exponential backoff', async () => {
    const { writer, sent, delays } = scripted([
      (input) => ({ UnprocessedItems: { t: input.RequestItems.t.slice(0, 3) } }),
      (input) => ({ UnprocessedItems: { t: input.RequestItems.t.slice(0, 1) } }),
      () => ({}),
    ]);
    await writer.putAll('t', items(10));
    expect(sent.map((command) => command.input.RequestItems.t.map((r: any) => r.PutRequest.Item.user_id))).toEqual([
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

  it('gives up after the last attempt', async () => {
    const { writer } = scripted(Array.from({ length: 20 }, () => () => named('ThrottlingException', 400)));
    await expect(writer.putAll('t', items(1))).rejects.toBeInstanceOf(MigrationWriteError);
    expect(writer.stats.retries.throttled).toBe(DEFAULT_RETRY_POLICY.maxAttempts - 1);
  });

  it('reads 100 keys per strongly consistent BatchGetItem and retries UnprocessedKeys', async () => {
    const { writer, sent } = scripted([
      (input) => ({
        Responses: { t: input.RequestItems.t.Keys.slice(1).map((key: any) => ({ ...key, v: 1 })) },
        UnprocessedKeys: { t: { Keys: input.RequestItems.t.Keys.slice(0, 1) } },
      }),
      (input) => ({ Responses: { t: input.RequestItems.t.Keys.map((key: any) => ({ ...key, v: 2 })) } }),
      (input) => ({ Responses: { t: input.RequestItems.t.Keys.map((key: any) => ({ ...key, v: 3 })) } }),
    ]);
    const keys = Array.from({ length: 150 }, (_, i) => `k${i}`);
    const found = await writer.getAll([{ table: 't', keyName: 'id', keys: [...keys, 'k0'] }]);
    expect(sent.every((command) => command instanceof BatchGetCommand)).toBe(true);
    expect(sent.map((command) => command.input.RequestItems.t.Keys.length)).toEqual([100, 1, 50]);
    expect(sent[0].input.RequestItems.t.ConsistentRead).toBe(true);
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
