/**
 * `npm run bench`: the service's throughput and latency against its ceilings, in one run on one machine.
 * docs/benchmarks.md says what each figure means. Progress goes to stderr, the summary table to stdout,
 * every figure to bench/results/<timestamp>.json and bench/results/latest.json.
 */
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as argon2 from 'argon2';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppConfig } from '../src/config/app-config';
import { validateEnvironment } from '../src/config/environment';
import { createDocumentClient, createDynamoDbClient } from '../src/database/dynamodb-client';
import { provisionServiceTables } from '../src/database/provision';
import { freePort, LocalDynamoDb, startDynamoDbLocal } from '../tools/local/dynamodb-local';
import { startS3rverProcess } from '../tools/local/s3-local';
import { api, seedAudioFiles, SeedingFlow } from './lib/api-client';
import { CpuMeter, CpuShares } from './lib/cpu';
import { failures, HttpLoad, httpLoad, HttpLoadResult } from './lib/http-load';
import { measureRequestLogCost } from './lib/log-cost';
import { machineFacts } from './lib/machine';
import { Cleanup, ServiceProcess, startForked, startService } from './lib/processes';
import { replayCounts, replayFromNowOn, startReplayingDynamoDb } from './lib/replaying-dynamodb';
import {
  BenchResults,
  BurstResult,
  cpuPerOperation,
  FLASK_REFERENCE,
  httpSeries,
  loopSeries,
  Metered,
  NOISE_LIMIT_PERCENT,
  ReplayedList,
  TARGETS,
} from './lib/results';
import { closedLoop, LoopResult, median, round } from './lib/stats';
import { BENCH_LIST_LIMIT, userFilesQuery } from './lib/user-files-query';
import { formatNumber, renderSummary } from './lib/summary';

// For the bench's own DynamoDB client: the SDK's notice that later releases need Node 22 is not a figure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(__dirname, '..', '..');
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const WORK_DIR = join(ROOT, 'dist-bench');

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer (got ${raw})`);
  return value;
}

const settings = {
  /** Every measured run, service or ceiling. */
  durationSeconds: envInt('BENCH_DURATION_S', 10),
  /** Unmeasured run with the same settings before each measured series. */
  warmupSeconds: envInt('BENCH_WARMUP_S', 2),
  /** DynamoDB Local's JIT keeps speeding the Query path up for ~20 s of calls, then plateaus. */
  jvmWarmupSeconds: envInt('BENCH_JVM_WARMUP_S', 20),
  /** Paired, alternating rounds for list vs raw Query and for Fastify vs Express; medians reported. */
  rounds: Math.max(1, envInt('BENCH_ROUNDS', 3)),
  /** Hard stop for everything after the build. */
  timeLimitSeconds: envInt('BENCH_TIME_LIMIT_S', 540),
  connections: { health: 10, list: 10, login: 4, rawQuery: 10, rawVerify: 4, healthDuringBurst: 2, loginBurst: 4, adapters: 10 },
  listLimit: BENCH_LIST_LIMIT,
  listFiles: 20,
  argon2: {
    memoryKiB: envInt('ARGON2_MEMORY_KIB', 19456),
    timeCost: envInt('ARGON2_TIME_COST', 2),
    parallelism: envInt('ARGON2_PARALLELISM', 1),
    serviceConcurrency: envInt('PASSWORD_HASH_CONCURRENCY', 1),
    /** A second service with this PASSWORD_HASH_CONCURRENCY repeats the login figures; 0 skips it. */
    alternativeConcurrency: envInt('BENCH_ALT_HASH_CONCURRENCY', 2),
  },
  tables: { users: 'bench-users', audioFiles: 'bench-audio-files' },
  /** The request line's cost in one process: alternating rounds, on and off (bench/lib/log-cost.ts). */
  logCost: { rounds: 20, requestsPerRound: 50_000 },
  /** The service's LOG_LEVEL; `info` (one line per request) is what production runs. */
  serviceLogLevel: process.env.BENCH_LOG_LEVEL || 'info',
};
const { durationSeconds, warmupSeconds, rounds, connections } = settings;
const durationMs = durationSeconds * 1000;
const listPath = `/api/user/audio-files?limit=${settings.listLimit}`;

const startedAt = new Date();
const clock = performance.now();
function log(message: string): void {
  const seconds = ((performance.now() - clock) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}

const cleanup = new Cleanup();
let exiting = false;
async function stopEverything(reason: string, code: number): Promise<never> {
  if (!exiting) {
    exiting = true;
    if (reason) log(`stopping: ${reason}`);
    await cleanup.runAll();
  }
  process.exit(code);
}
process.once('SIGINT', () => void stopEverything('interrupted (SIGINT)', 130));
process.once('SIGTERM', () => void stopEverything('terminated (SIGTERM)', 143));

/**
 * Builds in which an audio-file record must point at an uploaded object ship a bucket provisioner,
 * taken from the service's own build when it has one; they get a local S3 server (tools/local).
 */
interface BucketProvisionModule {
  provisionServiceBucket(config: AppConfig): Promise<unknown>;
}
async function fromServiceBuild<T>(path: string): Promise<T | undefined> {
  const file = join(ROOT, 'dist', path);
  return existsSync(file) ? ((await import(file)) as T) : undefined;
}

interface Backends {
  dynamo: LocalDynamoDb;
  s3?: { endpoint: string; stop(): Promise<void> };
  /** The complete environment of the service process. */
  serviceEnv: NodeJS.ProcessEnv;
  documents: DynamoDBDocumentClient;
  stop(): Promise<void>;
}

/** DynamoDB Local in memory (and s3rver when the build needs it), with the service's tables (and bucket). */
async function startBackends(): Promise<Backends> {
  log('starting DynamoDB Local (in memory)');
  const dynamo = await startDynamoDbLocal({ port: 0 });
  cleanup.add('DynamoDB Local', () => dynamo.stop());

  const bucket = await fromServiceBuild<BucketProvisionModule>('storage/provision.js');
  let s3: Backends['s3'];
  if (bucket) {
    const directory = await mkdtemp(join(os.tmpdir(), 'panzoto-bench-s3-'));
    cleanup.add('s3rver data', () => rm(directory, { recursive: true, force: true }));
    const server = await startS3rverProcess(directory);
    cleanup.add('s3rver', () => server.stop());
    s3 = server;
    log(`s3rver (local S3, for the bench user's uploads) on ${server.endpoint}`);
  }

  const serviceEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: settings.serviceLogLevel,
    JWT_SECRET: randomBytes(48).toString('base64'),
    AWS_REGION: 'us-east-1',
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    USERS_TABLE: settings.tables.users,
    AUDIO_FILES_TABLE: settings.tables.audioFiles,
    ARGON2_MEMORY_KIB: String(settings.argon2.memoryKiB),
    ARGON2_TIME_COST: String(settings.argon2.timeCost),
    ARGON2_PARALLELISM: String(settings.argon2.parallelism),
    PASSWORD_HASH_CONCURRENCY: String(settings.argon2.serviceConcurrency),
    // Nothing is in flight when the bench stops a service: no need for the production grace period.
    SHUTDOWN_GRACE_MS: '2000',
    // Every bench request comes from 127.0.0.1: the per-IP login budget (builds that have one) would
    // turn the login runs into 429s. The limiter's own DynamoDB calls still run on every login.
    RATE_LIMIT_IP_PER_MINUTE: '100000',
    // The listing bench seeds its files through upload URLs, all from one account.
    UPLOAD_URLS_PER_ACCOUNT_PER_HOUR: '100000',
    ...(s3 ? { S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'panzoto-bench' } : {}),
  };
  const config = new AppConfig(validateEnvironment({ ...serviceEnv }));
  await provisionServiceTables(config);
  if (s3 && bucket) await bucket.provisionServiceBucket(config);
  const client = createDynamoDbClient(config.dynamodb);
  cleanup.add('DynamoDB client', () => Promise.resolve(client.destroy()));
  return {
    dynamo,
    s3,
    serviceEnv,
    documents: createDocumentClient(client),
    stop: async () => {
      client.destroy();
      await dynamo.stop();
      await s3?.stop();
    },
  };
}

const userFilesQueryOf = (documents: DynamoDBDocumentClient, userId: string): (() => Promise<{ Items?: unknown[] }>) =>
  userFilesQuery(documents, settings.tables.audioFiles, userId);

/** Mostly the bench's Query (on a partition of its own), some GetItem and PutItem; calls/s per 2 s. */
async function warmUpDynamoDb(documents: DynamoDBDocumentClient): Promise<number[]> {
  log(`warming up DynamoDB Local's JVM for ${settings.jvmWarmupSeconds} s (mostly the list Query; some GetItem, PutItem)`);
  const userId = `warmup-${randomUUID()}`;
  const item = (i: number): Record<string, unknown> => ({
    file_id: `warmup-${i % settings.listFiles}`,
    user_id: userId,
    s3_key: `warmup/${i % settings.listFiles}.3gp`,
    file_size: 1024,
    uploaded_at: Date.now(),
  });
  for (let i = 0; i < settings.listFiles; i++) {
    await documents.send(new PutCommand({ TableName: settings.tables.audioFiles, Item: item(i) }));
  }
  const query = userFilesQueryOf(documents, userId);
  let call = 0;
  const operation = (): Promise<unknown> => {
    const kind = call++ % 10;
    if (kind === 0) {
      return documents.send(new GetCommand({ TableName: settings.tables.users, Key: { user_id: 'no-such-user' }, ConsistentRead: true }));
    }
    if (kind === 1) return documents.send(new PutCommand({ TableName: settings.tables.audioFiles, Item: item(call) }));
    return query();
  };
  const rates: number[] = [];
  for (let second = 0; second < settings.jvmWarmupSeconds; second += 2) {
    rates.push(Math.round((await closedLoop(10, 2000, operation)).perSecond));
  }
  log(`  calls/s in each 2 s of warm-up: ${rates.join(', ')}`);
  return rates;
}

async function startBenchService(backends: Backends, name: string, overrides: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const logFile = join(WORK_DIR, `${name}.log`);
  const service = await startService({
    entry: join(ROOT, 'dist', 'main.js'),
    env: { ...backends.serviceEnv, PORT: String(port), ...overrides },
    port,
    logFile,
    healthPath: '/api/health',
  });
  cleanup.add(name, () => service.stop());
  return service;
}

/** The bare app serves the service's health JSON on the service's path. */
const BARE_HEALTH_PATH = '/api/health';

/**
 * A bare Nest app (bench/bare-app.ts) on one HTTP adapter, in its own process. With `list`, it also
 * serves the list's path by making the list's Query for that user on that DynamoDB endpoint.
 */
async function startBare(adapter: 'fastify' | 'express', list?: { env: NodeJS.ProcessEnv; userId: string }): Promise<ServiceProcess> {
  const port = await freePort();
  const app = await startForked({
    script: join(__dirname, 'bare-app.js'),
    args: [adapter, String(port), ...(list ? [list.userId] : [])],
    port,
    readyPath: BARE_HEALTH_PATH,
    env: list ? list.env : { PATH: process.env.PATH, NODE_ENV: 'production' },
  });
  cleanup.add(`bare ${adapter} app`, () => app.stop());
  return app;
}

interface BenchUser {
  email: string;
  password: string;
  token: string;
  userId: string;
  seeding: SeedingFlow;
}

/** A new account with exactly `listFiles` audio files, all on the first page of the listing. */
async function createBenchUser(baseUrl: string): Promise<BenchUser> {
  const email = `bench-${randomUUID()}@example.com`;
  const password = `Bench-${randomBytes(12).toString('base64url')}`;
  const { token, user_id: userId } = await api<{ token: string; user_id: string }>(baseUrl, 'POST', '/api/register', { email, password });
  const seeding = await seedAudioFiles(baseUrl, { token, userId }, settings.listFiles);
  const page = await api<{ audio_files: unknown[]; next_cursor: string | null }>(baseUrl, 'GET', listPath, undefined, token);
  if (page.audio_files.length !== settings.listFiles || page.next_cursor !== null) {
    throw new Error(`the bench user should list exactly ${settings.listFiles} files on one page; got ${page.audio_files.length}`);
  }
  log(`registered ${email} with ${settings.listFiles} audio files (${seeding})`);
  return { email, password, token, userId, seeding };
}

const warm = (load: HttpLoad): Promise<HttpLoadResult> => httpLoad({ ...load, durationSeconds: warmupSeconds });

/** Runs `a` and `b` once per round, alternating which goes first so a drifting machine favours neither. */
async function alternate<A, B>(runA: () => Promise<A>, runB: () => Promise<B>, report: (a: A, b: B, index: number) => void): Promise<[A[], B[]]> {
  const as: A[] = [];
  const bs: B[] = [];
  for (let index = 0; index < rounds; index++) {
    if (index % 2 === 0) {
      as.push(await runA());
      bs.push(await runB());
    } else {
      bs.push(await runB());
      as.push(await runA());
    }
    report(as[index], bs[index], index);
  }
  return [as, bs];
}

type MeteredRun = <T extends object>(run: () => Promise<T>) => Promise<Metered<T>>;

function meteredBy(meter: CpuMeter): MeteredRun {
  return async (run) => {
    const { result, cpu } = await meter.measure(run);
    return { ...result, cpu };
  };
}

const listLoadOn = (service: ServiceProcess, user: BenchUser): HttpLoad => ({
  url: `${service.baseUrl}${listPath}`,
  connections: connections.list,
  durationSeconds,
  headers: { authorization: `Bearer ${user.token}` },
});

/**
 * The list against the raw Query once more, all through bench/replaying-dynamodb.ts: a Query seen
 * before is answered again without DynamoDB Local, so the database's CPU leaves the comparison and
 * what remains is the service against the SDK call alone. Beside them, a bare Nest-on-Fastify route
 * that makes the same Query (bench/bare-app.ts): what the framework and the SDK cost together.
 * Rotating rounds, each of the three first in turn.
 */
async function measureReplayedList(backends: Backends): Promise<ReplayedList> {
  const endpoint = await startReplayingDynamoDb(backends.dynamo.endpoint);
  cleanup.add('replaying DynamoDB endpoint', () => endpoint.stop());
  const env = { ...backends.serviceEnv, DYNAMODB_ENDPOINT: endpoint.baseUrl };
  const service = await startBenchService(backends, 'service-replayed', env);
  const client = createDynamoDbClient(new AppConfig(validateEnvironment({ ...env })).dynamodb);
  cleanup.add('replayed DynamoDB client', () => Promise.resolve(client.destroy()));
  const user = await createBenchUser(service.baseUrl);
  const bare = await startBare('fastify', { env, userId: user.userId });
  const rawQuery = userFilesQueryOf(createDocumentClient(client), user.userId);
  await rawQuery();
  const recorded = await replayFromNowOn(endpoint);

  const metered = meteredBy(
    new CpuMeter({
      bench: process.pid,
      service: service.child.pid,
      fastify: bare.child.pid,
      replaying: endpoint.child.pid,
      dynamodb: backends.dynamo.process.pid,
    }),
  );
  const listLoad = listLoadOn(service, user);
  const bareListLoad: HttpLoad = { ...listLoad, url: `${bare.baseUrl}${listPath}`, headers: undefined };
  await warm(listLoad);
  await warm(bareListLoad);
  await closedLoop(connections.rawQuery, warmupSeconds * 1000, rawQuery);
  const listRounds: Array<Metered<HttpLoadResult>> = [];
  const bareListRounds: Array<Metered<HttpLoadResult>> = [];
  const rawQueryRounds: Array<Metered<LoopResult>> = [];
  const runs = [
    async () => listRounds.push(await metered(() => httpLoad(listLoad))),
    async () => bareListRounds.push(await metered(() => httpLoad(bareListLoad))),
    async () => rawQueryRounds.push(await metered(() => closedLoop(connections.rawQuery, durationMs, rawQuery))),
  ];
  for (let index = 0; index < rounds; index++) {
    for (let step = 0; step < runs.length; step++) await runs[(index + step) % runs.length]();
    log(
      `  round ${index + 1}: list ${formatNumber(listRounds[index].requestsPerSecond)} req/s, bare route ` +
        `${formatNumber(bareListRounds[index].requestsPerSecond)} req/s, raw Query ${formatNumber(rawQueryRounds[index].perSecond)} calls/s`,
    );
  }
  const counts = await replayCounts(endpoint);
  await Promise.all([service.stop(), bare.stop()]);
  await endpoint.stop();
  client.destroy();
  log(`  ${formatNumber(counts.replayed)} Queries replayed (distinct answers kept: ${recorded}), ${counts.forwarded} requests forwarded`);
  const overRawQuery = (rates: Array<Metered<HttpLoadResult>>): number[] =>
    rates.map((r, i) => round(r.requestsPerSecond / rawQueryRounds[i].perSecond, 3));
  const listRatios = overRawQuery(listRounds);
  const bareListRatios = overRawQuery(bareListRounds);
  return {
    list: httpSeries(listRounds),
    bareList: httpSeries(bareListRounds),
    rawQuery: loopSeries(rawQueryRounds),
    listOverRawQuery: round(median(listRatios), 3),
    listOverRawQueryPerRound: listRatios,
    bareListOverRawQuery: round(median(bareListRatios), 3),
    bareListOverRawQueryPerRound: bareListRatios,
    answers: { recorded, ...counts },
  };
}

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) {
    for (const byte of chunk as Buffer) if (byte === 10) lines++;
  }
  return lines;
}

function compactIso(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function main(): Promise<number> {
  const machine = machineFacts(ROOT);
  log(`machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB, node ${machine.node}`);
  mkdirSync(WORK_DIR, { recursive: true });

  // 1. Backends and a warm JVM.
  const backends = await startBackends();
  const jvmWarmup = await warmUpDynamoDb(backends.documents);

  // 2. The built service as a child process, and a user with 20 files.
  log(`starting node dist/main.js (NODE_ENV=production, LOG_LEVEL=${settings.serviceLogLevel}, logs → dist-bench/service.log)`);
  const service = await startBenchService(backends, 'service');
  const meter = new CpuMeter({ bench: process.pid, service: service.child.pid, dynamodb: backends.dynamo.process.pid });
  const metered = meteredBy(meter);
  const user = await createBenchUser(service.baseUrl);

  const healthLoad: HttpLoad = { url: `${service.baseUrl}/api/health`, connections: connections.health, durationSeconds };
  const healthSmall: HttpLoad = { ...healthLoad, connections: connections.healthDuringBurst };
  const listLoad = listLoadOn(service, user);
  const loginLoad: HttpLoad = {
    url: `${service.baseUrl}/api/login`,
    connections: connections.login,
    durationSeconds,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  };

  // 3a. Health, in rounds rotating three servers: the service; the same service with request logging
  // off (LOG_LEVEL=warn: no line per request; metrics, request ids and headers unchanged); a bare Nest
  // app on Fastify answering the same JSON on the same path.
  log(
    `GET /api/health: the service, the service without request logs, a bare Nest-on-Fastify route; ` +
      `warm-ups, then ${rounds} rotating rounds of ${durationSeconds} s at ${connections.health} connections`,
  );
  const unlogged = await startBenchService(backends, 'service-unlogged', { LOG_LEVEL: 'warn' });
  // The same requests as the service before its health runs (a registration, 20 uploads, a listing):
  // a process whose JIT had seen nothing but health ran it faster, and that gap was read as logging's.
  await createBenchUser(unlogged.baseUrl);
  const bareHealth = await startBare('fastify');
  const healthTargets = [
    { load: healthLoad, meter },
    { load: { ...healthLoad, url: `${unlogged.baseUrl}/api/health` }, meter: new CpuMeter({ bench: process.pid, service: unlogged.child.pid }) },
    {
      load: { ...healthLoad, url: `${bareHealth.baseUrl}${BARE_HEALTH_PATH}` },
      meter: new CpuMeter({ bench: process.pid, fastify: bareHealth.child.pid }),
    },
  ];
  for (const { load } of healthTargets) await warm(load);
  const healthRuns: Array<Array<Metered<HttpLoadResult>>> = [[], [], []];
  for (let index = 0; index < rounds; index++) {
    for (let step = 0; step < healthTargets.length; step++) {
      const which = (index + step) % healthTargets.length;
      const { result, cpu } = await healthTargets[which].meter.measure(() => httpLoad(healthTargets[which].load));
      healthRuns[which].push({ ...result, cpu });
    }
    log(
      `  round ${index + 1}: service ${formatNumber(healthRuns[0][index].requestsPerSecond)} req/s, without request logs ` +
        `${formatNumber(healthRuns[1][index].requestsPerSecond)}, bare Fastify ${formatNumber(healthRuns[2][index].requestsPerSecond)}`,
    );
  }
  await unlogged.stop();
  await bareHealth.stop();

  // 3a'. The request line's own CPU, on and off in this process (bench/lib/log-cost.ts).
  log(
    `request log line: the service's logging hooks at info and at warn, ${settings.logCost.rounds} alternating rounds of ${formatNumber(settings.logCost.requestsPerRound)} requests`,
  );
  const requestLogCost = await measureRequestLogCost(
    join(WORK_DIR, 'request-log-cost.log'),
    settings.logCost.rounds,
    settings.logCost.requestsPerRound,
  );
  log(`  ${requestLogCost.costUs} µs of CPU per request line (median of the rounds' differences)`);
  const health = httpSeries(healthRuns[0]);
  const healthUnlogged = httpSeries(healthRuns[1]);
  const healthBare = httpSeries(healthRuns[2]);

  // 3b + 4a. The list endpoint against the raw Query it makes, in alternating rounds.
  const rawQuery = userFilesQueryOf(backends.documents, user.userId);
  const probe = await rawQuery();
  if (probe.Items?.length !== settings.listFiles) throw new Error(`the raw Query returned ${probe.Items?.length} items`);
  log(`list vs raw Query: warm-ups, then ${rounds} alternating rounds of ${durationSeconds} s each, ${connections.list} in flight`);
  await warm(listLoad);
  await closedLoop(connections.rawQuery, warmupSeconds * 1000, rawQuery);
  const [listRounds, rawQueryRounds] = await alternate(
    () => metered(() => httpLoad(listLoad)),
    () => metered(() => closedLoop(connections.rawQuery, durationMs, rawQuery)),
    (list, raw, index) =>
      log(`  round ${index + 1}: list ${formatNumber(list.requestsPerSecond)} req/s, raw Query ${formatNumber(raw.perSecond)} calls/s`),
  );

  // 3c + 4b. Login against raw argon2.verify with the same parameters.
  const hash = await argon2.hash(user.password, {
    type: argon2.argon2id,
    memoryCost: settings.argon2.memoryKiB,
    timeCost: settings.argon2.timeCost,
    parallelism: settings.argon2.parallelism,
  });
  const verify = async (): Promise<void> => {
    if (!(await argon2.verify(hash, user.password))) throw new Error('argon2.verify returned false');
  };
  log(`POST /api/login vs argon2.verify: warm-ups, then ${durationSeconds} s each`);
  await warm(loginLoad);
  const login = await metered(() => httpLoad(loginLoad));
  await closedLoop(connections.rawVerify, 1000, verify);
  const rawVerify = await metered(() => closedLoop(connections.rawVerify, durationMs, verify));
  const serialVerify = await closedLoop(1, Math.min(3000, durationMs), verify);
  log(
    `  login ${formatNumber(login.requestsPerSecond, 1)} req/s, raw verify ${formatNumber(rawVerify.perSecond, 1)}/s ` +
      `(${connections.rawVerify} in flight), one hash ${formatNumber(serialVerify.p50Ms, 1)} ms`,
  );

  // 5. Health while a login burst runs.
  log(`GET /api/health at ${connections.healthDuringBurst} connections: ${durationSeconds} s alone, then ${durationSeconds} s during a login burst`);
  const healthAlone = await metered(() => httpLoad(healthSmall));
  const burst = async (healthRun: HttpLoad, loginRun: HttpLoad, cpuMeter: CpuMeter): Promise<BurstResult> => {
    const { result, cpu } = await cpuMeter.measure(() =>
      Promise.all([httpLoad(healthRun), httpLoad({ ...loginRun, connections: connections.loginBurst })]),
    );
    return { health: result[0], login: result[1], cpu };
  };
  const loginBurst = await burst(healthSmall, loginLoad, meter);
  await service.stop();
  const serviceLogFile = join(WORK_DIR, 'service.log');
  const serviceLog = { file: relative(ROOT, serviceLogFile), bytes: statSync(serviceLogFile).size, lines: await countLines(serviceLogFile) };

  // 5b. The same login figures from a service that differs only in PASSWORD_HASH_CONCURRENCY.
  const altConcurrency = settings.argon2.alternativeConcurrency;
  let alternative: BenchResults['service']['alternative'];
  if (altConcurrency > 0 && altConcurrency !== settings.argon2.serviceConcurrency) {
    log(`the same service with PASSWORD_HASH_CONCURRENCY=${altConcurrency}: login ${durationSeconds} s, then the burst again`);
    const alt = await startBenchService(backends, 'service-alternative', { PASSWORD_HASH_CONCURRENCY: String(altConcurrency) });
    const altMeter = new CpuMeter({ bench: process.pid, service: alt.child.pid, dynamodb: backends.dynamo.process.pid });
    const altLogin: HttpLoad = { ...loginLoad, url: `${alt.baseUrl}/api/login` };
    const altHealth: HttpLoad = { ...healthSmall, url: `${alt.baseUrl}/api/health` };
    await Promise.all([warm(altLogin), warm(altHealth)]);
    const altLoginRun = await altMeter.measure(() => httpLoad(altLogin));
    alternative = {
      passwordHashConcurrency: altConcurrency,
      login: { ...altLoginRun.result, cpu: altLoginRun.cpu },
      loginBurst: await burst(altHealth, altLogin, altMeter),
    };
    await alt.stop();
    log(
      `  login ${formatNumber(alternative.login.requestsPerSecond, 1)} req/s; ` +
        `health p99 during the burst ${formatNumber(alternative.loginBurst.health.p99Ms, 2)} ms`,
    );
  }
  // 5c. The list against the raw Query with DynamoDB Local's answers replayed.
  log(`list vs a bare route making the same Query vs raw Query, DynamoDB's answers replayed: warm-ups, then ${rounds} rotating rounds`);
  const listReplayed = await measureReplayedList(backends);
  await backends.stop();

  // 6. A bare Nest app on Fastify and on Express, alternating rounds.
  log(`bare Nest app, Fastify vs Express: warm-ups, then ${rounds} alternating rounds of ${durationSeconds} s, ${connections.adapters} connections`);
  const fastifyApp = await startBare('fastify');
  const expressApp = await startBare('express');
  const adapterMeter = new CpuMeter({ bench: process.pid, fastify: fastifyApp.child.pid, express: expressApp.child.pid });
  const bareLoad = (app: ServiceProcess): HttpLoad => ({
    url: `${app.baseUrl}${BARE_HEALTH_PATH}`,
    connections: connections.adapters,
    durationSeconds,
  });
  const runBare = async (app: ServiceProcess): Promise<Metered<HttpLoadResult>> => {
    const { result, cpu } = await adapterMeter.measure(() => httpLoad(bareLoad(app)));
    return { ...result, cpu };
  };
  await warm(bareLoad(fastifyApp));
  await warm(bareLoad(expressApp));
  const [fastifyRounds, expressRounds] = await alternate(
    () => runBare(fastifyApp),
    () => runBare(expressApp),
    (fastify, express, index) =>
      log(`  round ${index + 1}: Fastify ${formatNumber(fastify.requestsPerSecond)} req/s, Express ${formatNumber(express.requestsPerSecond)} req/s`),
  );
  await fastifyApp.stop();
  await expressApp.stop();

  // 7. Figures, ratios, targets.
  const list = httpSeries(listRounds);
  const rawQuerySeries = loopSeries(rawQueryRounds);
  const fastify = httpSeries(fastifyRounds);
  const express = httpSeries(expressRounds);
  const healthOverBare = healthRuns[0].map((r, i) => round(r.requestsPerSecond / healthRuns[2][i].requestsPerSecond, 3));
  // CPU per request of each round, paired with the round's other server: medians of the per-round shares.
  const serviceCpuPerRequest = (run: Metered<HttpLoadResult>): number => cpuPerOperation(run.cpu, run.requestsPerSecond).service;
  const loggingSharesBetweenProcesses = healthRuns[0].map((r, i) =>
    round((serviceCpuPerRequest(r) - serviceCpuPerRequest(healthRuns[1][i])) / serviceCpuPerRequest(r), 3),
  );
  // The request line's CPU (µs, one process, on and off) over the service's CPU per health request (ms).
  const loggingShare = round(requestLogCost.costUs / 1000 / cpuPerOperation(health.cpu, health.requestsPerSecond).service, 3);
  const listRatios = listRounds.map((r, i) => round(r.requestsPerSecond / rawQueryRounds[i].perSecond, 3));
  const adapterRatios = fastifyRounds.map((r, i) => round(r.requestsPerSecond / expressRounds[i].requestsPerSecond, 3));
  const ratios: BenchResults['ratios'] = {
    healthOverBareFastify: round(median(healthOverBare), 3),
    healthOverBareFastifyPerRound: healthOverBare,
    loggingShareOfHealthCpu: loggingShare,
    loggingShareBetweenProcesses: round(median(loggingSharesBetweenProcesses), 3),
    loggingShareBetweenProcessesPerRound: loggingSharesBetweenProcesses,
    listOverRawQuery: round(median(listRatios), 3),
    listOverRawQueryPerRound: listRatios,
    loginOverRawVerify: round(login.requestsPerSecond / rawVerify.perSecond, 3),
    loginOverSerialVerify: round(login.requestsPerSecond / serialVerify.perSecond, 3),
    alternativeLoginOverLogin: alternative ? round(alternative.login.requestsPerSecond / login.requestsPerSecond, 3) : undefined,
    fastifyOverExpress: round(median(adapterRatios), 3),
    fastifyOverExpressPerRound: adapterRatios,
  };
  const checkedRuns: Record<string, { non2xx: number; errors: number; timeouts: number }> = {
    health,
    healthUnlogged,
    healthBare,
    list,
    listReplayed: listReplayed.list,
    bareListReplayed: listReplayed.bareList,
    login,
    healthAlone,
    burstHealth: loginBurst.health,
    burstLogin: loginBurst.login,
    ...(alternative
      ? {
          alternativeLogin: alternative.login,
          alternativeBurstHealth: alternative.loginBurst.health,
          alternativeBurstLogin: alternative.loginBurst.login,
        }
      : {}),
    fastify,
    express,
  };
  const failedRuns = Object.entries(checkedRuns)
    .filter(([, run]) => failures(run) > 0)
    .map(([name]) => name);
  if (rawQuerySeries.errors + listReplayed.rawQuery.errors + rawVerify.errors + serialVerify.errors > 0) failedRuns.push('raw calls');
  const cpuOfRuns: Record<string, CpuShares> = {
    health: health.cpu,
    healthUnlogged: healthUnlogged.cpu,
    healthBare: healthBare.cpu,
    list: list.cpu,
    rawQuery: rawQuerySeries.cpu,
    listReplayed: listReplayed.list.cpu,
    bareListReplayed: listReplayed.bareList.cpu,
    rawQueryReplayed: listReplayed.rawQuery.cpu,
    login: login.cpu,
    rawVerify: rawVerify.cpu,
    healthAlone: healthAlone.cpu,
    loginBurst: loginBurst.cpu,
    ...(alternative ? { alternativeLogin: alternative.login.cpu, alternativeBurst: alternative.loginBurst.cpu } : {}),
    fastify: fastify.cpu,
    express: express.cpu,
  };
  const disturbedRuns = Object.entries(cpuOfRuns)
    .filter(([, cpu]) => (cpu.other ?? 0) + (cpu.steal ?? 0) > NOISE_LIMIT_PERCENT)
    .map(([name]) => name);

  const results: BenchResults = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    elapsedSeconds: round((performance.now() - clock) / 1000, 1),
    ok: failedRuns.length === 0,
    failedRuns,
    disturbedRuns,
    machine: { ...machine, loadAverageAtEnd: os.loadavg().map((value) => round(value)) },
    parameters: {
      durationSeconds,
      warmupSeconds,
      jvmWarmupSeconds: settings.jvmWarmupSeconds,
      rounds,
      connections,
      listPath,
      listFiles: settings.listFiles,
      rawQueryLimit: settings.listLimit + 1,
      seeding: user.seeding,
      localS3: backends.s3 !== undefined,
      argon2: { type: 'argon2id', ...settings.argon2 },
      service: { command: 'node dist/main.js', NODE_ENV: 'production', LOG_LEVEL: settings.serviceLogLevel, logsTo: serviceLog.file },
      latency: 'milliseconds, every response (autocannon) or call (raw loops), nearest-rank percentiles',
      cpu: 'percent of one core per process over the run (200 = both cores); irq, steal and other cover the rest of the machine',
    },
    dynamodbLocal: { inMemory: true, jvmWarmupCallsPerSecondEach2s: jvmWarmup },
    service: { health, healthUnlogged, requestLogCost, list, listReplayed, login, healthAlone2Connections: healthAlone, loginBurst, alternative },
    ceilings: {
      rawQuery: rawQuerySeries,
      rawVerify,
      serialVerify: { ...serialVerify, msPerHash: serialVerify.p50Ms },
    },
    adapters: { fastify, express, fastifyBesideHealth: healthBare },
    ratios,
    cpuMsPerOperation: {
      healthRequest: cpuPerOperation(health.cpu, health.requestsPerSecond),
      unloggedHealthRequest: cpuPerOperation(healthUnlogged.cpu, healthUnlogged.requestsPerSecond),
      bareHealthRequest: cpuPerOperation(healthBare.cpu, healthBare.requestsPerSecond),
      listRequest: cpuPerOperation(list.cpu, list.requestsPerSecond),
      rawQuery: cpuPerOperation(rawQuerySeries.cpu, rawQuerySeries.perSecond),
      listRequestReplayed: cpuPerOperation(listReplayed.list.cpu, listReplayed.list.requestsPerSecond),
      bareListRequestReplayed: cpuPerOperation(listReplayed.bareList.cpu, listReplayed.bareList.requestsPerSecond),
      rawQueryReplayed: cpuPerOperation(listReplayed.rawQuery.cpu, listReplayed.rawQuery.perSecond),
      fastifyRequest: cpuPerOperation(fastify.cpu, fastify.requestsPerSecond),
      expressRequest: cpuPerOperation(express.cpu, express.requestsPerSecond),
    },
    targets: [
      {
        name: 'health req/s',
        target: `>= ${TARGETS.healthRequestsPerSecond}`,
        value: health.requestsPerSecond,
        met: health.requestsPerSecond >= TARGETS.healthRequestsPerSecond,
      },
      {
        name: 'health req/s / bare Nest-on-Fastify req/s',
        target: `>= ${TARGETS.healthOverBareFastify}`,
        value: ratios.healthOverBareFastify,
        met: ratios.healthOverBareFastify >= TARGETS.healthOverBareFastify,
      },
      {
        name: 'request logging share of a health request CPU',
        target: `< ${TARGETS.loggingShareOfHealthCpu}`,
        value: loggingShare,
        met: loggingShare < TARGETS.loggingShareOfHealthCpu,
      },
      {
        name: 'list req/s / raw Query calls/s',
        target: `>= ${TARGETS.listOverRawQuery}`,
        value: ratios.listOverRawQuery,
        met: ratios.listOverRawQuery >= TARGETS.listOverRawQuery,
      },
      {
        name: 'health p99 during login burst (ms)',
        target: `< ${TARGETS.healthP99DuringBurstMs}`,
        value: loginBurst.health.p99Ms,
        met: loginBurst.health.p99Ms < TARGETS.healthP99DuringBurstMs,
      },
    ],
    flaskReference: FLASK_REFERENCE,
    serviceLog,
  };

  mkdirSync(RESULTS_DIR, { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  const stamped = join(RESULTS_DIR, `${compactIso(startedAt)}.json`);
  writeFileSync(stamped, json);
  writeFileSync(join(RESULTS_DIR, 'latest.json'), json);
  process.stdout.write(renderSummary(results, relative(ROOT, stamped)));
  return results.ok ? 0 : 1;
}

setTimeout(() => void stopEverything(`time limit of ${settings.timeLimitSeconds} s reached`, 1), settings.timeLimitSeconds * 1000).unref();

main()
  .then((code) => stopEverything('', code))
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return stopEverything('after failure', 1);
  });
