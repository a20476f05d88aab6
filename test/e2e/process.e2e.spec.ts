import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../src/local/dynamodb-local';
import { isolatedTables, PASSWORD, scanAll } from '../support/test-app';
import { createDocumentClient, createDynamoDbClient } from '../../src/database/dynamodb-client';
import { PanzotoClient, Session } from '../../src/client/panzoto-client';

const MAIN = 'dist/main.js';

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
}

const started: ChildProcess[] = [];

/** The built service as a user runs it: `node dist/main.js` with only environment variables. */
function runService(env: Record<string, string>): Started {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { child, stdout: () => out, stderr: () => err };
}

async function exitCode(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, 'exit');
  return code as number | null;
}

describe('the built service as a process', () => {
  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: \`npm test\` builds it first (npm run build)`);
  });
  // A failed assertion must not leave a server running (Jest would wait for it).
  afterEach(() => started.splice(0).forEach((child) => child.exitCode === null && child.kill('SIGKILL')));

  it.each([
    ['without JWT_SECRET', {}],
    ['with the example JWT_SECRET', { JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-bytes' }],
    ['with a short JWT_SECRET', { JWT_SECRET: 'too-short' }],
  ])('refuses to start in production %s, naming the variable', async (_case, env) => {
    const service = runService({ NODE_ENV: 'production', PORT: String(await freePort()), ...env });
    expect(await exitCode(service.child)).toBe(1);
    expect(service.stderr()).toMatch(/JWT_SECRET/);
  });

  it('names a bad variable and exits 1', async () => {
    const service = runService({ PORT: 'eighty' });
    expect(await exitCode(service.child)).toBe(1);
    expect(service.stderr()).toMatch(/PORT/);
  });

  it('logs JSON lines with request ids and never a password, token or hash; stops cleanly on SIGTERM', async () => {
    const config = await isolatedTables();
    const port = await freePort();
    const service = runService({
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      JWT_SECRET: randomBytes(48).toString('base64'),
      DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT as string,
      S3_ENDPOINT: process.env.S3_ENDPOINT as string,
      S3_BUCKET: config.storage.bucket,
      USERS_TABLE: config.dynamodb.tables.users,
      AUDIO_FILES_TABLE: config.dynamodb.tables.audioFiles,
      DECRYPT_JOBS_TABLE: config.dynamodb.tables.decryptJobs,
      SESSIONS_TABLE: config.dynamodb.tables.sessions,
      RATE_LIMITS_TABLE: config.dynamodb.tables.rateLimits,
    });
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const up = await fetch(`${base}/api/health`).then((response) => response.ok, () => false);
      if (up) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
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
    expect(await exitCode(service.child)).toBe(0);

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
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const requestLines = lines.filter((line) => line.req !== undefined);
    expect(requestLines.length).toBeGreaterThanOrEqual(5);
    expect(requestLines.every((line) => typeof line.request_id === 'string')).toBe(true);
    expect(requestLines.map((line) => line.request_id)).toContain(requestId);
  });
});
