import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsIP, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min, MinLength, validateSync } from 'class-validator';

export const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

export const MAIL_TRANSPORTS = ['smtp', 'ses'] as const;
export type MailTransport = (typeof MAIL_TRANSPORTS)[number];

/** Values shipped in `.env.example` and in well-known samples: never acceptable in production. */
export const EXAMPLE_JWT_SECRETS: readonly string[] = [
  'change-me-to-a-random-string-of-at-least-32-bytes',
  'your-secret-key',
  'your-secret-key-change-this-in-production',
  'dev-secret-key-change-in-production',
  'secret',
  'changeme',
];

export const MIN_PRODUCTION_SECRET_BYTES = 32;

/** S3's largest single PUT (an upload URL is one PUT): 5 GiB. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

const toInteger = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

const emptyToUndefined = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/**
 * Every environment variable the service reads. `.env.example` documents each one;
 * `validateEnvironment` turns a bad value into a start-up error that names the variable.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'development';

  @IsString()
  @MinLength(1)
  HOST = '0.0.0.0';

  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @Transform(toInteger)
  @IsInt()
  @Min(1024)
  @Max(10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 16 * 1024;

  /** Longest a client may take to send a whole request, headers and body; 408 REQUEST_TIMEOUT after it. */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  /** Longest a client may take to send its headers, from connecting or from starting a request; at most REQUEST_TIMEOUT_MS. */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  HEADERS_TIMEOUT_MS = 10_000;

  /** How long an idle keep-alive connection stays open; keep it above the load balancer's idle timeout (ALB: 60 s). */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  KEEP_ALIVE_TIMEOUT_MS = 72_000;

  @IsString()
  @MinLength(1)
  AWS_REGION = 'us-east-1';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  DYNAMODB_ENDPOINT?: string;

  /** Only consulted to decide whether DynamoDB Local needs placeholder credentials. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  AWS_ACCESS_KEY_ID?: string;

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  USERS_TABLE = 'panzoto-users';

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  AUDIO_FILES_TABLE = 'panzoto-audio-files';

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  DECRYPT_JOBS_TABLE = 'panzoto-decrypt-jobs';

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  SESSIONS_TABLE = 'panzoto-sessions';

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  RATE_LIMITS_TABLE = 'panzoto-rate-limits';

  @Matches(/^[A-Za-z0-9_.-]{3,255}$/)
  ACCOUNT_TOKENS_TABLE = 'panzoto-account-tokens';

  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(60_000)
  DYNAMODB_TIMEOUT_MS = 3000;

  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
  S3_BUCKET = 'panzoto-audio-dev';

  /** An S3-compatible server (s3rver in `npm run dev` and the tests); unset means AWS S3. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  S3_ENDPOINT?: string;

  /**
   * The S3 address put into presigned URLs, when clients reach S3 elsewhere than the service does (a
   * phone on the LAN, the Android emulator's 10.0.2.2); unset means S3_ENDPOINT, or AWS S3.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  S3_PUBLIC_ENDPOINT?: string;

  /** Interface the s3rver of `npm run dev` listens on (read by tools/cli/dev.ts only); 0.0.0.0 serves devices on the network. */
  @IsIP()
  S3_HOST = '127.0.0.1';

  /** Socket inactivity limit for S3 calls; streamed objects may take longer as long as bytes flow. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(120_000)
  S3_TIMEOUT_MS = 10_000;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  UPLOAD_URL_TTL_SECONDS = 900;

  /**
   * How long after an account deletion began its final sweep runs: it removes what an upload URL
   * issued before the deletion stored meanwhile, then the account's last item. Must exceed
   * UPLOAD_URL_TTL_SECONDS, with room for an upload started just before its URL expired.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(2)
  @Max(7 * 24 * 3600)
  ACCOUNT_SWEEP_DELAY_SECONDS = 1800;

  /** How often each instance looks for deleted accounts whose final sweep is due; 0 turns it off here. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(3600)
  ACCOUNT_SWEEP_INTERVAL_SECONDS = 60;

  @Transform(toInteger)
  @IsInt()
  @Min(60)
  @Max(3600)
  DOWNLOAD_URL_TTL_SECONDS = 900;

  /** How long a decrypted copy and its job record live; S3 expires the copy after whole days. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(168)
  DECRYPTED_COPY_TTL_HOURS = 24;

  /** Largest recording (encrypted bytes) an upload URL is issued for and registration accepts; S3's single PUT allows 5 GiB. */
  @Transform(toInteger)
  @IsInt()
  @Min(1024 * 1024)
  @Max(MAX_SINGLE_PUT_BYTES)
  MAX_RECORDING_BYTES = 512 * 1024 * 1024;

  /** Upload URLs one account may get per fixed clock hour. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100_000)
  UPLOAD_URLS_PER_ACCOUNT_PER_HOUR = 60;

  /** Upload URLs one client address may get per fixed clock hour, whatever the accounts. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  UPLOAD_URLS_PER_IP_PER_HOUR = 600;

  /** Decryptions this process runs at once; more answer 503 with Retry-After. Each holds DECRYPT_MEMORY_BYTES. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(256)
  DECRYPT_CONCURRENCY = 4;

  /** Decryptions one account runs at once in this process; more answer 429 with Retry-After. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(256)
  DECRYPT_CONCURRENCY_PER_ACCOUNT = 2;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(10)
  DYNAMODB_MAX_ATTEMPTS = 3;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  JWT_SECRET?: string;

  /**
   * Earlier signing secrets, comma-separated: tokens they signed stay valid until they expire, so
   * JWT_SECRET can change without logging everyone out.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(16_384)
  JWT_PREVIOUS_SECRETS?: string;

  @IsString()
  @MinLength(1)
  JWT_ISSUER = 'panzoto-backend';

  @IsString()
  @MinLength(1)
  JWT_AUDIENCE = 'panzoto-mobile';

  /** Lifetime of access tokens: also the longest an access token outlives its revoked session. */
  @Transform(toInteger)
  @IsInt()
  @Min(60)
  @Max(24 * 3600)
  JWT_TTL_SECONDS = 15 * 60;

  /** Lifetime of a session (its refresh token) since it was last used. */
  @Transform(toInteger)
  @IsInt()
  @Min(3600)
  @Max(365 * 24 * 3600)
  REFRESH_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * How long after a refresh its refresh token may come back (a lost response, a retry) and get the
   * current token pair of the session again, instead of counting as reuse and ending the session.
   */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(300)
  REFRESH_REUSE_INTERVAL_SECONDS = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(19 * 1024)
  @Max(4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19 * 1024;

  @Transform(toInteger)
  @IsInt()
  @Min(2)
  @Max(20)
  ARGON2_TIME_COST = 2;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(16)
  ARGON2_PARALLELISM = 1;

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(64)
  PASSWORD_HASH_CONCURRENCY = 1;

  /** How long a process trusts that a token's session is still active, sparing a read per request. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(60_000)
  AUTH_CACHE_TTL_MS = 5000;

  /** Requests per client IP and minute to each of login, register, refresh, password change, decrypt. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100_000)
  RATE_LIMIT_IP_PER_MINUTE = 120;

  /** Failed password attempts per account within RATE_LIMIT_ACCOUNT_WINDOW_SECONDS before it is locked. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(1000)
  RATE_LIMIT_ACCOUNT_FAILURES = 10;

  @Transform(toInteger)
  @IsInt()
  @Min(10)
  @Max(24 * 3600)
  RATE_LIMIT_ACCOUNT_WINDOW_SECONDS = 15 * 60;

  /** Browser origins allowed by CORS, comma-separated; unset means no cross-origin access (the app is native). */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  CORS_ORIGINS?: string;

  /** Trust X-Forwarded-For from this many proxy hops (1 behind an AWS load balancer) for client IPs. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(10)
  TRUSTED_PROXY_HOPS = 0;

  /** Request metrics (CloudWatch embedded metric format on stdout) every this many seconds; 0 turns them off. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(3600)
  METRICS_FLUSH_SECONDS = 60;

  /** CloudWatch namespace of those metrics. */
  @Matches(/^[A-Za-z0-9._/#:-]{1,255}$/)
  METRICS_NAMESPACE = 'Panzoto/Backend';

  /** How mail leaves: `smtp` (MailDev in `npm run dev` and the tests) or `ses` (Amazon SES API). Default: ses in production, else smtp. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsIn(MAIL_TRANSPORTS)
  MAIL_TRANSPORT?: MailTransport;

  @IsString()
  @MinLength(1)
  SMTP_HOST = '127.0.0.1';

  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(65535)
  SMTP_PORT = 1025;

  /** Sender of every mail; with SES, a verified identity. */
  @IsString()
  @Matches(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, { message: 'MAIL_FROM must be an address or "Name <address>"' })
  MAIL_FROM = 'Panzoto <no-reply@panzoto.app>';

  /** Base of the links in mails; the app opens `<base>/reset-password?token=…`, `<base>/verify-email?token=…`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https', 'panzoto'], require_protocol: true })
  APP_LINK_BASE_URL = 'https://app.panzoto.app';

  /** How long in-flight requests may take to finish after SIGTERM; keep it under ECS's 30 s stop timeout. */
  @Transform(toInteger)
  @IsInt()
  @Min(1000)
  @Max(120_000)
  SHUTDOWN_GRACE_MS = 25_000;
}

/** Comma-separated list → trimmed, non-empty items. */
export function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidEnvironmentError';
  }
}

function productionSecretProblems(env: EnvironmentVariables): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const secret = env.JWT_SECRET;
  if (secret === undefined) return ['JWT_SECRET is required when NODE_ENV=production'];
  if (EXAMPLE_JWT_SECRETS.includes(secret.trim().toLowerCase())) {
    return ['JWT_SECRET is an example value; generate one with `openssl rand -base64 48`'];
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_PRODUCTION_SECRET_BYTES) {
    return [`JWT_SECRET must be at least ${MIN_PRODUCTION_SECRET_BYTES} bytes when NODE_ENV=production`];
  }
  const weakPrevious = splitList(env.JWT_PREVIOUS_SECRETS).some(
    (previous) => EXAMPLE_JWT_SECRETS.includes(previous.toLowerCase()) || Buffer.byteLength(previous) < MIN_PRODUCTION_SECRET_BYTES,
  );
  return weakPrevious ? ['JWT_PREVIOUS_SECRETS holds an example or shorter-than-32-byte secret'] : [];
}

/**
 * Returns typed values or throws naming every bad variable. Tools that never sign tokens (db:init)
 * pass `requireProductionSecrets: false`.
 */
export function validateEnvironment(raw: Record<string, unknown>, { requireProductionSecrets = true } = {}): EnvironmentVariables {
  const env = plainToInstance(EnvironmentVariables, raw, { exposeDefaultValues: true });
  const problems = validateSync(env, { forbidUnknownValues: false }).map((error) => {
    const shown = /SECRET/.test(error.property) ? '<redacted>' : JSON.stringify(error.value);
    return `${error.property}: ${Object.values(error.constraints ?? {}).join('; ')} (got ${shown})`;
  });
  if (problems.length === 0 && env.HEADERS_TIMEOUT_MS > env.REQUEST_TIMEOUT_MS) {
    problems.push(`HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (got ${env.HEADERS_TIMEOUT_MS} > ${env.REQUEST_TIMEOUT_MS})`);
  }
  if (requireProductionSecrets) problems.push(...productionSecretProblems(env));
  if (problems.length === 0 && env.ACCOUNT_SWEEP_DELAY_SECONDS <= env.UPLOAD_URL_TTL_SECONDS) {
    problems.push(
      `ACCOUNT_SWEEP_DELAY_SECONDS (${env.ACCOUNT_SWEEP_DELAY_SECONDS}) must exceed UPLOAD_URL_TTL_SECONDS (${env.UPLOAD_URL_TTL_SECONDS}): ` +
        'uploads through URLs issued before a deletion are swept only after it',
    );
  }
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return env;
}
