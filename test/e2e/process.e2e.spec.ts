import { randomBytes } from 'node:crypto';
import { AddressInfo, createServer } from 'node:net';
import { PanzotoClient, Session } from '../../tools/client/panzoto-client';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { killServices, logLines, productionEnv, spawnService, startService } from '../support/service-process';
import { isolatedTables, PASSWORD, scanAll } from '../support/test-app';

describe('the built service as a process', () => {
  // A failed assertion must not leave a server running (Jest would wait for it).
  afterEach(killServices);

  it.each([
    ['without JWT_SECRET', {}],
    ['with the example JWT_SECRET', { JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-bytes' }],
    ['with a short JWT_SECRET', { JWT_SECRET: 'too-short' }],
  ])('refuses to start in production %s, naming the variable', async (_case, env) => {
    const service = await spawnService({ NODE_ENV: 'production', ...env });
    expect(await service.exited).toBe(1);
    expect(service.stdout()).toBe('');
    const lines = service.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as { level: number; msg: string; problems: string[] };
    expect(line.level).toBe(60);
    expect(line.msg).toMatch(/^panzoto-backend failed to start: Invalid configuration:\s+- JWT_SECRET /);
    expect(line.problems).toEqual([expect.stringMatching(/^JWT_SECRET /)]);
  });

  it('names PORT in one JSON line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    // Starting touches no table: no configuration beyond a production secret is needed to reach listen.
    const service = await spawnService({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: randomBytes(48).toString('base64'),
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT as string,
      S3_ENDPOINT: process.env.S3_ENDPOINT as string,
    });
    const code = await service.exited;
    taken.close();
    expect(code).toBe(1);
    const lastLine = JSON.parse(service.stderr().trim()) as { msg: string };
    expect(lastLine.msg).toBe(
      `panzoto-backend failed to start: port ${port} for the API is already in use (stop what listens there, or set PORT to another port)`,
    );
  });

  it('names a bad variable and exits 1', async () => {
    const service = await spawnService({ PORT: 'eighty' });
    expect(await service.exited).toBe(1);
    expect(service.stderr()).toMatch(/PORT/);
  });

  it('logs JSON lines with request ids and never a password, token or hash; stops cleanly on SIGTERM', async () => {
    const config = await isolatedTables();
    const service = await startService(
      productionEnv(config, process.env.DYNAMODB_ENDPOINT as string, { LOG_LEVEL: 'debug', RATE_LIMIT_IP_PER_MINUTE: '120' }),
    );
    const base = service.baseUrl;
    const post = (path: string, body: object, token?: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });

    const email = `logs-${Date.now()}@example.com`;
    const registered = await post('/api/register', { email, password: PASSWORD });
    expect(registered.status).toBe(201);
    const session = (await registered.json()) as Session;
    const { token } = session;
    expect((await post('/api/login', { email, password: 'a-wrong-password' })).status).toBe(401);
    expect((await post('/api/login', { email, password: PASSWORD })).status).toBe(200);
    const reference = new PanzotoClient(base);
    const userKey = await reference.unlockUserKey(session, PASSWORD);
    const file = await reference.uploadRecording(session, userKey, { data: Buffer.from('a short recording') });
    const decrypted = await post('/api/decrypt-audio', { password: PASSWORD, s3_key: file.s3_key }, token);
    expect(decrypted.status).toBe(200);
    const requestId = decrypted.headers.get('x-request-id');

    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);

    const client = createDynamoDbClient(config.dynamodb);
    const users = await scanAll(createDocumentClient(client), config.dynamodb.tables.users);
    client.destroy();
    const hash = users.find((item) => item.email === email)?.password_hash as string;
    expect(hash).toMatch(/^\$argon2id\$/);

    const output = service.stdout();
    const secrets = [PASSWORD, 'a-wrong-password', token, hash, hash.split('$').pop() as string, session.encryption.wrapped_user_key];
    for (const secret of [...secrets, userKey.toString('hex'), userKey.toString('base64')]) {
      expect(output).not.toContain(secret);
    }
    expect(
      output
        .trim()
        .split('\n')
        .every((line) => line.startsWith('{')),
    ).toBe(true);
    const lines = logLines(service);
    const requestLines = lines.filter((line) => line.req !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(5);
    expect(requestLines.every((line) => typeof line.request_id === 'string')).toBe(true);
    expect(requestLines.map((line) => line.request_id)).toContain(requestId);
  });
});
