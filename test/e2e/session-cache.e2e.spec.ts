import { DynamoDbCall, DynamoDbFaultProxy } from '../support/dynamodb-fault-proxy';
import { registerUser, startAnotherInstance, startTestApp, TestApp } from '../support/test-app';

const UPLOAD_URL = '/api/audio-files/upload-url';

describe('the guard’s session check and AUTH_CACHE_TTL_MS (HTTP, DynamoDB Local behind a counting proxy)', () => {
  let proxy: DynamoDbFaultProxy;
  let t: TestApp;
  const calls: DynamoDbCall[] = [];
  /** The guard's reads: the route itself reads only the user item. */
  const sessionReads = (): DynamoDbCall[] => calls.filter((call) => call.body.TableName === t.config.dynamodb.tables.sessions);

  beforeAll(async () => {
    proxy = new DynamoDbFaultProxy(process.env.DYNAMODB_ENDPOINT as string);
    t = await startTestApp({ DYNAMODB_ENDPOINT: await proxy.start(), AUTH_CACHE_TTL_MS: '60000' });
  });
  beforeEach(() => {
    calls.length = 0;
    proxy.arm((call) => {
      calls.push(call);
      return false;
    });
  });
  afterEach(() => proxy.disarm());
  afterAll(async () => {
    await t.close();
    await proxy.stop();
  });

  it('makes no DynamoDB call for a request whose session is cached', async () => {
    const user = await registerUser(t.http);
    calls.length = 0;
    for (let i = 0; i < 5; i++) await t.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 }).expect(201);
    expect(calls.length).toBeGreaterThan(0);
    expect(sessionReads()).toEqual([]);
  });

  it('reads the session once on an instance that has not cached it, however many requests arrive at once', async () => {
    const user = await registerUser(t.http);
    const other = await startAnotherInstance();
    try {
      calls.length = 0;
      const responses = await Promise.all(Array.from({ length: 8 }, () => other.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 })));
      expect(responses.map((response) => response.status)).toEqual(Array(8).fill(201));
      await other.http.post(UPLOAD_URL).set(user.auth).send({ file_size: 1024 }).expect(201);
      expect(sessionReads().map((call) => call.operation)).toEqual(['GetItem']);
    } finally {
      await other.close();
    }
  });
});
