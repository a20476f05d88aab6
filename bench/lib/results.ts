/** The shape of bench/results/*.json, the targets it is judged against, and the reductions over rounds. */
import type { SeedingFlow } from './api-client';
import type { CpuShares } from './cpu';
import type { HttpLoadResult } from './http-load';
import type { RequestLogCost } from './log-cost';
import type { MachineFacts } from './machine';
import type { ReplayCounts } from './replaying-dynamodb';
import { LoopResult, median, round } from './stats';

export const TARGETS = {
  healthRequestsPerSecond: 10_000,
  /** Health with the production pipeline against a bare Nest-on-Fastify route serving the same JSON. */
  healthOverBareFastify: 0.5,
  /** A request line's CPU, on − off in one process, ÷ the service's CPU per health request. */
  loggingShareOfHealthCpu: 0.1,
  listOverRawQuery: 0.8,
  healthP99DuringBurstMs: 50,
};

/** The old Flask design, measured on this machine type before this service existed (not measured here). */
export const FLASK_REFERENCE = {
  healthRequestsPerSecond: 2500,
  listRequestsPerSecond: 240,
  listP99Ms: 89,
  loginRequestsPerSecond: 5,
};

/** Neighbours (other processes plus hypervisor steal) above this share of one core mark a run as disturbed. */
export const NOISE_LIMIT_PERCENT = 25;

export type Metered<T> = T & { cpu: CpuShares };

/** Medians over paired rounds (rates and percentiles); failures are summed. */
export interface HttpSeries {
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  cpu: CpuShares;
  perRound: Array<Metered<HttpLoadResult>>;
}

export interface LoopSeries {
  rounds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  cpu: CpuShares;
  perRound: Array<Metered<LoopResult>>;
}

/**
 * The list, a bare Nest-on-Fastify route making the same Query, and the raw Query, all with DynamoDB
 * Local's Query answers replayed (bench/replaying-dynamodb.ts).
 */
export interface ReplayedList {
  list: HttpSeries;
  bareList: HttpSeries;
  rawQuery: LoopSeries;
  listOverRawQuery: number;
  listOverRawQueryPerRound: number[];
  bareListOverRawQuery: number;
  bareListOverRawQueryPerRound: number[];
  /** Query answers recorded before the rounds; requests replayed and forwarded during them. */
  answers: ReplayCounts & { recorded: number };
}

export interface BurstResult {
  health: HttpLoadResult;
  login: HttpLoadResult;
  /** Shared by both runs: they ran at the same time. */
  cpu: CpuShares;
}

export interface BenchParameters {
  durationSeconds: number;
  warmupSeconds: number;
  jvmWarmupSeconds: number;
  rounds: number;
  connections: Record<'health' | 'list' | 'login' | 'rawQuery' | 'rawVerify' | 'healthDuringBurst' | 'loginBurst' | 'adapters', number>;
  listPath: string;
  listFiles: number;
  rawQueryLimit: number;
  seeding: SeedingFlow;
  localS3: boolean;
  argon2: { type: 'argon2id'; memoryKiB: number; timeCost: number; parallelism: number; serviceConcurrency: number; alternativeConcurrency: number };
  service: { command: string; NODE_ENV: string; LOG_LEVEL: string; logsTo: string };
  latency: string;
  cpu: string;
}

export interface BenchResults {
  schema: 1;
  startedAt: string;
  finishedAt: string;
  elapsedSeconds: number;
  /** Every request 2xx and every raw call successful. */
  ok: boolean;
  failedRuns: string[];
  /** Runs during which neighbours used more than NOISE_LIMIT_PERCENT of a core: compare them with care. */
  disturbedRuns: string[];
  machine: MachineFacts & { loadAverageAtEnd: number[] };
  parameters: BenchParameters;
  dynamodbLocal: { inMemory: true; jvmWarmupCallsPerSecondEach2s: number[] };
  service: {
    health: HttpSeries;
    /** The same service with LOG_LEVEL=warn: no request log lines. */
    healthUnlogged: HttpSeries;
    requestLogCost: RequestLogCost;
    list: HttpSeries;
    listReplayed: ReplayedList;
    login: Metered<HttpLoadResult>;
    healthAlone2Connections: Metered<HttpLoadResult>;
    loginBurst: BurstResult;
    /** The same login figures from a service differing only in PASSWORD_HASH_CONCURRENCY. */
    alternative?: { passwordHashConcurrency: number; login: Metered<HttpLoadResult>; loginBurst: BurstResult };
  };
  ceilings: {
    rawQuery: LoopSeries;
    rawVerify: Metered<LoopResult>;
    serialVerify: LoopResult & { msPerHash: number };
  };
  adapters: { fastify: HttpSeries; express: HttpSeries; fastifyBesideHealth: HttpSeries };
  ratios: {
    healthOverBareFastify: number;
    healthOverBareFastifyPerRound: number[];
    /** The request line's CPU (service.requestLogCost) over the service's CPU per health request. */
    loggingShareOfHealthCpu: number;
    /** (CPU per health request with logs − without) ÷ with, between the two service processes: noisy. */
    loggingShareBetweenProcesses: number;
    loggingShareBetweenProcessesPerRound: number[];
    listOverRawQuery: number;
    listOverRawQueryPerRound: number[];
    loginOverRawVerify: number;
    /** ~1 means login hashes as fast as one core allows, which is what PASSWORD_HASH_CONCURRENCY=1 permits. */
    loginOverSerialVerify: number;
    alternativeLoginOverLogin?: number;
    fastifyOverExpress: number;
    fastifyOverExpressPerRound: number[];
  };
  /** CPU milliseconds each process spent per request or call. */
  cpuMsPerOperation: Record<
    | 'healthRequest'
    | 'unloggedHealthRequest'
    | 'bareHealthRequest'
    | 'listRequest'
    | 'rawQuery'
    | 'listRequestReplayed'
    | 'bareListRequestReplayed'
    | 'rawQueryReplayed'
    | 'fastifyRequest'
    | 'expressRequest',
    CpuShares
  >;
  targets: Array<{ name: string; target: string; value: number; met: boolean }>;
  flaskReference: typeof FLASK_REFERENCE;
  serviceLog: { file: string; bytes: number; lines: number };
}

function medianCpu(results: Array<{ cpu: CpuShares }>): CpuShares {
  const names = new Set(results.flatMap((result) => Object.keys(result.cpu)));
  return Object.fromEntries([...names].map((name) => [name, Math.round(median(results.map((result) => result.cpu[name] ?? NaN)))]));
}

export function httpSeries(results: Array<Metered<HttpLoadResult>>): HttpSeries {
  return {
    rounds: results.length,
    requestsPerSecond: round(median(results.map((r) => r.requestsPerSecond)), 1),
    p50Ms: round(median(results.map((r) => r.p50Ms))),
    p99Ms: round(median(results.map((r) => r.p99Ms))),
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    timeouts: results.reduce((sum, r) => sum + r.timeouts, 0),
    cpu: medianCpu(results),
    perRound: results,
  };
}

export function loopSeries(results: Array<Metered<LoopResult>>): LoopSeries {
  return {
    rounds: results.length,
    perSecond: round(median(results.map((r) => r.perSecond)), 1),
    p50Ms: round(median(results.map((r) => r.p50Ms))),
    p99Ms: round(median(results.map((r) => r.p99Ms))),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    cpu: medianCpu(results),
    perRound: results,
  };
}

/** CPU ms per operation for each process that did any work, from its CPU share and the rate. */
export function cpuPerOperation(cpu: CpuShares, perSecond: number): CpuShares {
  return Object.fromEntries(
    Object.entries(cpu)
      .filter(([name, share]) => share > 0 && !['irq', 'steal', 'other'].includes(name))
      .map(([name, share]) => [name, round((share * 10) / perSecond, 3)]),
  );
}
