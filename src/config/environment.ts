import { plainToInstance } from 'class-transformer';
import { IsIn, IsIP, IsString, IsUrl, Matches, MaxLength, validateSync } from 'class-validator';
import { productionSecretProblems } from './production-secrets';
import { IsIntegerIn, IsNonEmptyString, IsUnsetOr } from './variable-rules';

const NODE_ENVIRONMENTS = ['development', 'test', 'production'] as const;
export type NodeEnvironment = (typeof NODE_ENVIRONMENTS)[number];

const MAIL_TRANSPORTS = ['smtp', 'ses'] as const;
export type MailTransport = (typeof MAIL_TRANSPORTS)[number];

/** S3's largest single PUT (an upload URL is one PUT): 5 GiB. */
export const MAX_SINGLE_PUT_BYTES = 5 * 1024 ** 3;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

const HTTP_URL = { require_tld: false, protocols: ['http', 'https'] };

/**
 * Every environment variable the service reads. `.env.example` documents each one;
 * `validateEnvironment` turns a bad value into a start-up error that names the variable.
 */
export class EnvironmentVariables {
  @IsIn(NODE_ENVIRONMENTS)
  NODE_ENV: NodeEnvironment = 'development';

  @IsNonEmptyString()
  HOST = '0.0.0.0';

  @IsIntegerIn(0, 65535)
  PORT = 3000;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  @IsIntegerIn(1024, 10 * 1024 * 1024)
  BODY_LIMIT_BYTES = 16 * 1024;

  /** Longest a client may take to send a whole request, headers and body; 408 REQUEST_TIMEOUT after it. */
  @IsIntegerIn(1000, 600_000)
  REQUEST_TIMEOUT_MS = 30_000;

  /** Longest a client may take to send its headers, from connecting or from starting a request; at most REQUEST_TIMEOUT_MS. */
  @IsIntegerIn(1000, 600_000)
  HEADERS_TIMEOUT_MS = 10_000;

  /** How long an idle keep-alive connection stays open; keep it above the load balancer's idle timeout (ALB: 60 s). */
  @IsIntegerIn(1000, 600_000)
  KEEP_ALIVE_TIMEOUT_MS = 72_000;

  @IsNonEmptyString()
  AWS_REGION = 'us-east-1';

  @IsUnsetOr(IsUrl(HTTP_URL))
  DYNAMODB_ENDPOINT?: string;

  /** Only consulted to decide whether DynamoDB Local needs placeholder credentials. */
  @IsUnsetOr(IsString())
  AWS_ACCESS_KEY_ID?: string;

  @Matches(TABLE_NAME)
  USERS_TABLE = 'panzoto-users';

  @Matches(TABLE_NAME)
  AUDIO_FILES_TABLE = 'panzoto-audio-files';

  @Matches(TABLE_NAME)
  DECRYPT_JOBS_TABLE = 'panzoto-decrypt-jobs';

  @Matches(TABLE_NAME)
  SESSIONS_TABLE = 'panzoto-sessions';

  @Matches(TABLE_NAME)
  RATE_LIMITS_TABLE = 'panzoto-rate-limits';

  @Matches(TABLE_NAME)
  ACCOUNT_TOKENS_TABLE = 'panzoto-account-tokens';

  @IsIntegerIn(100, 60_000)
  DYNAMODB_TIMEOUT_MS = 3000;

  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/)
  S3_BUCKET = 'panzoto-audio-dev';

  /** An S3-compatible server (s3rver in `npm run dev` and the tests); unset means AWS S3. */
  @IsUnsetOr(IsUrl(HTTP_URL))
  S3_ENDPOINT?: string;

  /**
   * The S3 address put into presigned URLs, when clients reach S3 elsewhere than the service does (a
   * phone on the LAN, the Android emulator's 10.0.2.2); unset means S3_ENDPOINT, or AWS S3.
   */
  @IsUnsetOr(IsUrl(HTTP_URL))
  S3_PUBLIC_ENDPOINT?: string;

  /** Interface the s3rver of `npm run dev` listens on (read by tools/cli/dev.ts only); 0.0.0.0 serves devices on the network. */
  @IsIP()
  S3_HOST = '127.0.0.1';

  /** Socket inactivity limit for S3 calls; streamed objects may take longer as long as bytes flow. */
  @IsIntegerIn(100, 120_000)
  S3_TIMEOUT_MS = 10_000;

  @IsIntegerIn(1, 3600)
  UPLOAD_URL_TTL_SECONDS = 900;

  /**
   * How long after an account deletion began its final sweep runs: it removes what an upload URL
   * issued before the deletion stored meanwhile, then the account's last item. Must exceed
   * UPLOAD_URL_TTL_SECONDS, with room for an upload started just before its URL expired.
   */
  @IsIntegerIn(2, 7 * 24 * 3600)
  ACCOUNT_SWEEP_DELAY_SECONDS = 1800;

  /** How often each instance looks for deleted accounts whose final sweep is due; 0 turns it off here. */
  @IsIntegerIn(0, 3600)
  ACCOUNT_SWEEP_INTERVAL_SECONDS = 60;

  @IsIntegerIn(60, 3600)
  DOWNLOAD_URL_TTL_SECONDS = 900;

  /** How long a decrypted copy and its job record live; S3 expires the copy after whole days. */
  @IsIntegerIn(1, 168)
  DECRYPTED_COPY_TTL_HOURS = 24;

  /** Largest recording (encrypted bytes) an upload URL is issued for and registration accepts; S3's single PUT allows 5 GiB. */
  @IsIntegerIn(1024 * 1024, MAX_SINGLE_PUT_BYTES)
  MAX_RECORDING_BYTES = 512 * 1024 * 1024;

  /** Upload URLs one account may get per fixed clock hour. */
  @IsIntegerIn(1, 100_000)
  UPLOAD_URLS_PER_ACCOUNT_PER_HOUR = 60;

  /** Upload URLs one client address may get per fixed clock hour, whatever the accounts. */
  @IsIntegerIn(1, 1_000_000)
  UPLOAD_URLS_PER_IP_PER_HOUR = 600;

  /** Decryptions this process runs at once; more answer 503 with Retry-After. Each holds DECRYPT_MEMORY_BYTES. */
  @IsIntegerIn(1, 256)
  DECRYPT_CONCURRENCY = 4;

  /** Decryptions one account runs at once in this process; more answer 429 with Retry-After. */
  @IsIntegerIn(1, 256)
  DECRYPT_CONCURRENCY_PER_ACCOUNT = 2;

  @IsIntegerIn(1, 10)
  DYNAMODB_MAX_ATTEMPTS = 3;

  @IsUnsetOr(IsString(), MaxLength(4096))
  JWT_SECRET?: string;

  /**
   * Earlier signing secrets, comma-separated: tokens they signed stay valid until they expire, so
   * JWT_SECRET can change without logging everyone out.
   */
  @IsUnsetOr(IsString(), MaxLength(16_384))
  JWT_PREVIOUS_SECRETS?: string;

  @IsNonEmptyString()
  JWT_ISSUER = 'panzoto-backend';

  @IsNonEmptyString()
  JWT_AUDIENCE = 'panzoto-mobile';

  /** Lifetime of access tokens: also the longest an access token outlives its revoked session. */
  @IsIntegerIn(60, 24 * 3600)
  JWT_TTL_SECONDS = 15 * 60;

  /** Lifetime of a session (its refresh token) since it was last used. */
  @IsIntegerIn(3600, 365 * 24 * 3600)
  REFRESH_TTL_SECONDS = 30 * 24 * 3600;

  /**
   * How long after a refresh its refresh token may come back (a lost response, a retry) and get the
   * current token pair of the session again, instead of counting as reuse and ending the session.
   */
  @IsIntegerIn(1, 300)
  REFRESH_REUSE_INTERVAL_SECONDS = 10;

  @IsIntegerIn(19 * 1024, 4 * 1024 * 1024)
  ARGON2_MEMORY_KIB = 19 * 1024;

  @IsIntegerIn(2, 20)
  ARGON2_TIME_COST = 2;

  @IsIntegerIn(1, 16)
  ARGON2_PARALLELISM = 1;

  @IsIntegerIn(1, 64)
  PASSWORD_HASH_CONCURRENCY = 1;

  /**
   * How long a process trusts that a token's session is still active, and an account's open key ids
   * (the list's `locked` flags), sparing a read per request; and a token's checked signature.
   */
  @IsIntegerIn(0, 60_000)
  AUTH_CACHE_TTL_MS = 5000;

  /** Requests per client IP and minute to each of login, register, refresh, password change, decrypt. */
  @IsIntegerIn(1, 100_000)
  RATE_LIMIT_IP_PER_MINUTE = 120;

  /** Failed password attempts per account within RATE_LIMIT_ACCOUNT_WINDOW_SECONDS before it is locked. */
  @IsIntegerIn(1, 1000)
  RATE_LIMIT_ACCOUNT_FAILURES = 10;

  @IsIntegerIn(10, 24 * 3600)
  RATE_LIMIT_ACCOUNT_WINDOW_SECONDS = 15 * 60;

  /** Browser origins allowed by CORS, comma-separated; unset means no cross-origin access (the app is native). */
  @IsUnsetOr(IsString(), MaxLength(4096))
  CORS_ORIGINS?: string;

  /** Trust X-Forwarded-For from this many proxy hops (1 behind an AWS load balancer) for client IPs. */
  @IsIntegerIn(0, 10)
  TRUSTED_PROXY_HOPS = 0;

  /** Request metrics (CloudWatch embedded metric format on stdout) every this many seconds; 0 turns them off. */
  @IsIntegerIn(0, 3600)
  METRICS_FLUSH_SECONDS = 60;

  /** CloudWatch namespace of those metrics. */
  @Matches(/^[A-Za-z0-9._/#:-]{1,255}$/)
  METRICS_NAMESPACE = 'Panzoto/Backend';

  /** How mail leaves: `smtp` (MailDev in `npm run dev` and the tests) or `ses` (Amazon SES API). Default: ses in production, else smtp. */
  @IsUnsetOr(IsIn(MAIL_TRANSPORTS))
  MAIL_TRANSPORT?: MailTransport;

  @IsNonEmptyString()
  SMTP_HOST = '127.0.0.1';

  @IsIntegerIn(1, 65535)
  SMTP_PORT = 1025;

  /** Sender of every mail; with SES, a verified identity. */
  @IsString()
  @Matches(/^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/, { message: 'MAIL_FROM must be an address or "Name <address>"' })
  MAIL_FROM = 'Panzoto <no-reply@panzoto.app>';

  /** Base of the links in mails; the app opens `<base>/reset-password?token=…`, `<base>/verify-email?token=…`. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https', 'panzoto'], require_protocol: true })
  APP_LINK_BASE_URL = 'https://app.panzoto.app';

  /** How long in-flight requests may take to finish after SIGTERM; keep it under ECS's 30 s stop timeout. */
  @IsIntegerIn(1000, 120_000)
  SHUTDOWN_GRACE_MS = 25_000;
}

export class InvalidEnvironmentError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidEnvironmentError';
  }
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
  if (requireProductionSecrets && env.NODE_ENV === 'production') problems.push(...productionSecretProblems(env.JWT_SECRET, env.JWT_PREVIOUS_SECRETS));
  if (problems.length === 0 && env.ACCOUNT_SWEEP_DELAY_SECONDS <= env.UPLOAD_URL_TTL_SECONDS) {
    problems.push(
      `ACCOUNT_SWEEP_DELAY_SECONDS (${env.ACCOUNT_SWEEP_DELAY_SECONDS}) must exceed UPLOAD_URL_TTL_SECONDS (${env.UPLOAD_URL_TTL_SECONDS}): ` +
        'uploads through URLs issued before a deletion are swept only after it',
    );
  }
  if (problems.length > 0) throw new InvalidEnvironmentError(problems);
  return env;
}
