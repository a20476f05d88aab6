import { validateEnvironment } from '../../src/config/environment';
import { DECRYPT_MEMORY_BYTES } from '../../src/decrypt/decrypt-slots';

/**
 * Everything a deployment may choose, with defaults that match the service's own (src/config), so the
 * stack and the code agree on table names, the shutdown grace period and the decrypted-copy lifetime.
 * Each can be set with `cdk … -c name=value` (see docs/deploy.md).
 */
export interface DeploymentSettings {
  /** Table names are `<prefix>-users`, `<prefix>-audio-files`, …; the service's defaults use "panzoto". */
  tableNamePrefix: string;
  /** Deploy this tag of `repositoryName` from ECR; unset means build the Dockerfile during `cdk deploy`. */
  imageTag?: string;
  repositoryName: string;
  /** ACM certificate for HTTPS on 443 (HTTP on 80 then only redirects); unset means plain HTTP on 80. */
  certificateArn?: string;
  /** Browser origins allowed to PUT/GET presigned URLs (CORS on the bucket); the mobile app needs none. */
  uploadOrigins: string[];
  /** Browser origins of the API (CORS_ORIGINS); empty means none. */
  apiCorsOrigins: string[];
  desiredCount: number;
  maxCount: number;
  cpu: number;
  /** Defaults to the smallest Fargate size for `cpu` that holds `requiredMemoryMiB`; a smaller one is refused. */
  memoryMiB: number;
  /** DECRYPT_CONCURRENCY: the task's memory is sized from it. */
  decryptConcurrency: number;
  /** SHUTDOWN_GRACE_MS in seconds; the ALB's deregistration delay and ECS's stop timeout follow it. */
  shutdownGraceSeconds: number;
  decryptedCopyTtlHours: number;
  logRetentionDays: number;
  natGateways: number;
  /** Target of the CPU scaling policy, percent. */
  cpuTargetPercent: number;
  /** Target of the request-count scaling policy, requests per task and minute. */
  requestsPerTaskPerMinute: number;
  /** Domain the service mails from: an SES identity the stack creates (its DKIM records go into DNS). */
  mailDomain: string;
  /** Local part of the sender address at mailDomain. */
  mailSender: string;
  /** APP_LINK_BASE_URL: base of the links in mails that the app opens. */
  appLinkBaseUrl: string;
}

const serviceDefaults = validateEnvironment({}, { requireProductionSecrets: false });

const MIB = 1024 * 1024;
/** RSS of an idle service process after start-up (bench:decrypt's baseline: 182 MiB, rounded up). */
export const BASELINE_RSS_MIB = 256;
/** Freed buffers not yet collected: bench:decrypt sees RSS grow ~120 MiB for a single decryption. */
export const GC_SLACK_MIB = 128;
/** Room above the sum for the heap's growth, GC lag on freed buffers and bursts of ordinary requests. */
export const MEMORY_HEADROOM = 1.5;

/**
 * The memory a task needs: the idle process, garbage not yet collected, every decryption it admits at
 * once, the password hashes it runs at once (Argon2 memory each), times the headroom.
 */
export function requiredMemoryMiB(decryptConcurrency: number): number {
  const decryptions = (decryptConcurrency * DECRYPT_MEMORY_BYTES) / MIB;
  const passwordHashes = (serviceDefaults.PASSWORD_HASH_CONCURRENCY * serviceDefaults.ARGON2_MEMORY_KIB) / 1024;
  return Math.ceil((BASELINE_RSS_MIB + GC_SLACK_MIB + decryptions + passwordHashes) * MEMORY_HEADROOM);
}

const range = (from: number, to: number, step: number): number[] => Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
/** Memory sizes Fargate accepts for each CPU size. */
const FARGATE_MEMORY_MIB: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
};

/** The smallest Fargate memory size for `cpu` that holds what `decryptConcurrency` decryptions need. */
export function taskMemoryMiB(cpu: number, decryptConcurrency: number): number {
  const sizes = FARGATE_MEMORY_MIB[cpu];
  if (!sizes) throw new Error(`cpu must be one of ${Object.keys(FARGATE_MEMORY_MIB).join(', ')}`);
  const fitting = sizes.find((size) => size >= requiredMemoryMiB(decryptConcurrency));
  if (fitting === undefined) {
    throw new Error(`${decryptConcurrency} concurrent decryptions need ${requiredMemoryMiB(decryptConcurrency)} MiB: more than cpu ${cpu} allows`);
  }
  return fitting;
}

export const DEFAULT_SETTINGS: DeploymentSettings = {
  tableNamePrefix: 'panzoto',
  repositoryName: 'panzoto-backend',
  uploadOrigins: ['*'],
  apiCorsOrigins: [],
  desiredCount: 2,
  maxCount: 10,
  cpu: 512,
  memoryMiB: taskMemoryMiB(512, serviceDefaults.DECRYPT_CONCURRENCY),
  decryptConcurrency: serviceDefaults.DECRYPT_CONCURRENCY,
  shutdownGraceSeconds: serviceDefaults.SHUTDOWN_GRACE_MS / 1000,
  decryptedCopyTtlHours: serviceDefaults.DECRYPTED_COPY_TTL_HOURS,
  logRetentionDays: 30,
  natGateways: 1,
  cpuTargetPercent: 60,
  requestsPerTaskPerMinute: 1200,
  mailDomain: 'panzoto.app',
  mailSender: 'no-reply',
  appLinkBaseUrl: serviceDefaults.APP_LINK_BASE_URL,
};

const NUMBER_KEYS = [
  'desiredCount',
  'maxCount',
  'cpu',
  'memoryMiB',
  'decryptConcurrency',
  'shutdownGraceSeconds',
  'decryptedCopyTtlHours',
  'logRetentionDays',
  'natGateways',
  'cpuTargetPercent',
  'requestsPerTaskPerMinute',
] as const;
const LIST_KEYS = ['uploadOrigins', 'apiCorsOrigins'] as const;
const STRING_KEYS = ['tableNamePrefix', 'imageTag', 'repositoryName', 'certificateArn', 'mailDomain', 'mailSender', 'appLinkBaseUrl'] as const;

/** A context value as text: command-line values are strings; cdk.json may give numbers, booleans or JSON. */
function contextText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Settings from CDK context values (strings on the command line), over the defaults; refuses nonsense. */
export function settingsFromContext(context: (key: string) => unknown): DeploymentSettings {
  const settings: DeploymentSettings = { ...DEFAULT_SETTINGS };
  for (const key of STRING_KEYS) {
    const value = context(key);
    if (value !== undefined && value !== '') settings[key] = contextText(value);
  }
  for (const key of NUMBER_KEYS) {
    const value = context(key);
    if (value === undefined) continue;
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`context ${key} must be a number, got ${JSON.stringify(value)}`);
    settings[key] = number;
  }
  for (const key of LIST_KEYS) {
    const value = context(key);
    if (value === undefined) continue;
    settings[key] = Array.isArray(value)
      ? value.map(String)
      : contextText(value)
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean);
  }
  if (context('memoryMiB') === undefined) settings.memoryMiB = taskMemoryMiB(settings.cpu, settings.decryptConcurrency);
  if (settings.memoryMiB < requiredMemoryMiB(settings.decryptConcurrency)) {
    throw new Error(
      `memoryMiB ${settings.memoryMiB} is below the ${requiredMemoryMiB(settings.decryptConcurrency)} MiB that ${settings.decryptConcurrency} concurrent decryptions need`,
    );
  }
  if (settings.desiredCount < 2) throw new Error('desiredCount must be at least 2 (one task per Availability Zone)');
  if (settings.maxCount < settings.desiredCount) throw new Error('maxCount must be at least desiredCount');
  if (settings.shutdownGraceSeconds < 1 || settings.shutdownGraceSeconds > 110) {
    throw new Error('shutdownGraceSeconds must be 1..110 (Fargate stops a container at most 120 s after SIGTERM)');
  }
  return settings;
}
