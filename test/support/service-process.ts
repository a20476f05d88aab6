import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppConfig } from '../../src/config/app-config';
import { freePort } from '../../tools/local/dynamodb-local';

const MAIN = 'dist/main.js';

export interface ServiceProcess {
  child: ChildProcess;
  baseUrl: string;
  port: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

const running: ChildProcess[] = [];

/** For afterEach: a failed assertion must not leave a server running (Jest would wait for it). */
export function killServices(): void {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** The environment of a production instance on `config`'s tables and bucket, at the given endpoints. */
export function productionEnv(config: AppConfig, dynamoEndpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    JWT_SECRET: randomBytes(48).toString('base64'),
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: dynamoEndpoint,
    S3_ENDPOINT: process.env.S3_ENDPOINT as string,
    S3_BUCKET: config.storage.bucket,
    USERS_TABLE: config.dynamodb.tables.users,
    AUDIO_FILES_TABLE: config.dynamodb.tables.audioFiles,
    DECRYPT_JOBS_TABLE: config.dynamodb.tables.decryptJobs,
    SESSIONS_TABLE: config.dynamodb.tables.sessions,
    RATE_LIMITS_TABLE: config.dynamodb.tables.rateLimits,
    ACCOUNT_TOKENS_TABLE: config.dynamodb.tables.accountTokens,
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    MAIL_TRANSPORT: 'smtp',
    SMTP_HOST: process.env.SMTP_HOST as string,
    SMTP_PORT: process.env.SMTP_PORT as string,
    UPLOAD_URLS_PER_ACCOUNT_PER_HOUR: '100000',
    UPLOAD_URLS_PER_IP_PER_HOUR: '1000000',
    ...extra,
  };
}

/** The built service as ECS runs it: `node dist/main.js` with only environment variables, not waited for. */
export async function spawnService(env: Record<string, string>): Promise<ServiceProcess> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: \`npm test\` builds it first (npm run build)`);
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  return { child, baseUrl: `http://127.0.0.1:${port}`, port, stdout: () => out, stderr: () => err, exited };
}

/** `spawnService`, resolved once /api/health answers. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await spawnService(env);
  const { child, baseUrl } = service;
  // A safety net for a service that never starts; booting on a loaded machine can take many seconds.
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}:\n${service.stderr()}\n${service.stdout()}`);
    const up = await fetch(`${baseUrl}/api/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) throw new Error(`the service did not answer on ${baseUrl}:\n${service.stderr()}\n${service.stdout()}`);
    await sleep(100);
  }
  return service;
}

/** Every JSON log line the process printed. */
export function logLines(service: ServiceProcess): Record<string, unknown>[] {
  return service
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
