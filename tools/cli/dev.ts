import { Logger } from '@nestjs/common';
import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { provisionServiceTables } from '../../src/database/provision';
import { startDynamoDbLocal } from '../local/dynamodb-local';
import { LocalServer } from '../../src/common/util/port-in-use';
import { claimPort, PidFiles } from '../local/local-server';
import { lanIPv4Addresses } from '../local/lan-addresses';
import { MAILDEV, mailDevSmtp, mailDevWeb, startMailDev } from '../local/maildev';
import { startS3rverProcess } from '../local/s3-local';
import { provisionServiceBucket } from '../../src/storage/provision';
import { describeDevAddresses } from './dev-addresses';
import { loadDotEnv } from '../../src/config/load-env';

const DATA_DIR = '.data';
const DYNAMODB_LOCAL = 'DynamoDB Local';
/** The project this launcher was compiled from (dist-tools/tools/cli/ → project root): its sources are watched. */
const PROJECT_DIR = resolve(__dirname, '..', '..', '..');
const logger = new Logger('dev');

/**
 * `npm run dev`: DynamoDB Local and s3rver (data kept in .data/, or `--in-memory` for throw-away
 * data) and MailDev (mail kept while it runs), tables and bucket created, the API served. A change
 * under src/ recompiles and restarts only the API: the emulators, and their data, keep running.
 * Ctrl-C stops everything it started.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const inMemory = process.argv.includes('--in-memory');
  const pidFiles = new PidFiles(join(DATA_DIR, 'pids'));
  for (const name of [DYNAMODB_LOCAL, MAILDEV]) {
    const orphan = await pidFiles.stopOrphan(name);
    if (orphan !== undefined) logger.warn(`stopped the ${name} (pid ${orphan}) an earlier npm run dev left running`);
  }
  const ports = {
    api: { name: 'the API', portVariable: 'PORT', port: Number(process.env.PORT ?? 3000) },
    dynamo: { name: DYNAMODB_LOCAL, portVariable: 'DYNAMODB_LOCAL_PORT', port: Number(process.env.DYNAMODB_LOCAL_PORT ?? 8000) },
    s3: { name: 's3rver', portVariable: 'S3_LOCAL_PORT', port: Number(process.env.S3_LOCAL_PORT ?? 4569) },
    mailSmtp: mailDevSmtp(Number(process.env.MAIL_LOCAL_SMTP_PORT ?? 1025)),
    mailWeb: mailDevWeb(Number(process.env.MAIL_LOCAL_WEB_PORT ?? 1080)),
  } satisfies Record<string, LocalServer>;
  // A taken port is reported before anything starts.
  for (const server of Object.values(ports)) await claimPort(server);
  const api = new ApiProcess();
  const firstBuild = watchSources(() => api.restart());

  const s3Directory = inMemory ? await mkdtemp(join(tmpdir(), 'panzoto-s3-')) : join(DATA_DIR, 's3');
  const dynamo = await startDynamoDbLocal({ port: ports.dynamo.port, dataDir: inMemory ? undefined : join(DATA_DIR, 'dynamodb') });
  // A separate program, unlike the Node children below that stop with their launcher: tracked.
  await pidFiles.track(DYNAMODB_LOCAL, dynamo.process);
  const { S3_HOST } = validateEnvironment(process.env, { requireProductionSecrets: false });
  const s3 = await startS3rverProcess(s3Directory, ports.s3.port, S3_HOST);
  process.once('exit', () => void s3.stop());
  logger.log(`DynamoDB Local on ${dynamo.endpoint}, s3rver on ${s3.endpoint} (${inMemory ? 'throw-away data' : `data in ${DATA_DIR}/`})`);
  const mail = await startMailDev({ smtpPort: ports.mailSmtp.port, webPort: ports.mailWeb.port });
  await pidFiles.track(MAILDEV, mail.process);
  logger.log(`MailDev: SMTP on ${mail.smtpHost}:${mail.smtpPort}, read the mail at ${mail.webUrl}`);

  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.S3_ENDPOINT = s3.endpoint;
  Object.assign(process.env, { MAIL_TRANSPORT: 'smtp', SMTP_HOST: mail.smtpHost, SMTP_PORT: String(mail.smtpPort) });
  if (process.env.JWT_SECRET === undefined) {
    // One secret for the whole session, so that tokens survive the API's restarts.
    process.env.JWT_SECRET = randomBytes(48).toString('base64');
    logger.warn('JWT_SECRET is not set: tokens are signed with a random secret that ends with this npm run dev');
  }
  const config = new AppConfig(validateEnvironment(process.env));
  const [tables, bucket] = await Promise.all([provisionServiceTables(config), provisionServiceBucket(config)]);
  for (const action of tables) logger.log(`table ${action.table}: ${action.action}${action.index ? ` ${action.index}` : ''}`);
  logger.log(`bucket ${config.storage.bucket}: ${bucket.join(', ') || 'unchanged'}`);

  const stop = (): void => void api.stop().finally(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const addresses = describeDevAddresses({
    apiHost: config.http.host,
    apiPort: config.http.port,
    s3Host: S3_HOST,
    s3Port: Number(new URL(s3.endpoint).port),
    s3PublicEndpoint: config.storage.publicEndpoint,
    lanAddresses: lanIPv4Addresses(),
  });
  for (const line of addresses) logger.log(line);
  await firstBuild;
  api.restart();
}

/**
 * TypeScript's own watch mode, in this process (so it ends with it), compiling src/ and tools/ to
 * dist-tools/ exactly like `npm run build:tools`. Resolves after the first compilation without errors; calls `rebuilt` after
 * every later one.
 */
async function watchSources(rebuilt: () => void): Promise<void> {
  const ts = await import('typescript');
  let first: () => void;
  const firstBuild = new Promise<void>((resolveFirst) => (first = resolveFirst));
  let built = false;
  const formatHost = { getCanonicalFileName: (name: string) => name, getCurrentDirectory: () => PROJECT_DIR, getNewLine: () => '\n' };
  const host = ts.createWatchCompilerHost(
    join(PROJECT_DIR, 'tsconfig.tools.json'),
    { preserveWatchOutput: true },
    ts.sys,
    ts.createEmitAndSemanticDiagnosticsBuilderProgram,
    (diagnostic) => process.stderr.write(ts.formatDiagnosticsWithColorAndContext([diagnostic], formatHost)),
    (diagnostic, _newLine, _options, errorCount) => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      if (errorCount === undefined) return logger.log(message);
      if (errorCount > 0) return logger.error(`${message} The API keeps running the last build.`);
      if (built) return rebuilt();
      built = true;
      first();
    },
  );
  ts.createWatchProgram(host);
  return firstBuild;
}

/** The API in a child process (dev-api.ts), replaced after each rebuild; restarts never overlap. */
class ApiProcess {
  private child?: ChildProcess;
  private queue = Promise.resolve();

  restart(): void {
    this.queue = this.queue.then(async () => {
      await this.stopChild();
      const child = fork(join(__dirname, 'dev-api.js'), { stdio: 'inherit' });
      this.child = child;
      logger.log(`API started (pid ${child.pid})`);
      child.once('exit', (code, signal) => {
        if (this.child === child && code !== 0) logger.error(`API exited (${signal ?? `code ${code}`}): it restarts at the next change`);
      });
    });
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.stopChild());
    return this.queue;
  }

  private async stopChild(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(force);
  }
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
