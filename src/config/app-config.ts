import { randomBytes } from 'node:crypto';
import { EnvironmentVariables, MailTransport, NodeEnvironment } from './environment';
import { splitList } from './variable-rules';

export interface TableNames {
  users: string;
  audioFiles: string;
  decryptJobs: string;
  sessions: string;
  rateLimits: string;
  accountTokens: string;
}

/** Credentials s3rver accepts; used only with S3_ENDPOINT and no AWS_ACCESS_KEY_ID. */
const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * Typed, validated configuration. Built once from the validated environment and injected
 * wherever settings are needed, so no other code reads `process.env`.
 */
export class AppConfig {
  readonly nodeEnv: NodeEnvironment;
  readonly http: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    shutdownGraceMs: number;
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
  };
  readonly logLevel: string;
  readonly metrics: { flushSeconds: number; namespace: string };
  readonly dynamodb: {
    region: string;
    endpoint?: string;
    /** Placeholder credentials for an emulator endpoint when the environment names none. */
    staticCredentials?: { accessKeyId: string; secretAccessKey: string };
    tables: TableNames;
    timeoutMs: number;
    maxAttempts: number;
  };
  readonly jwt: {
    secret: string;
    /** True when no JWT_SECRET was given outside production and a random one was made for this process. */
    secretIsEphemeral: boolean;
    /** Earlier signing secrets, still accepted for verification. */
    previousSecrets: string[];
    issuer: string;
    audience: string;
    ttlSeconds: number;
    refreshTtlSeconds: number;
    refreshReuseIntervalSeconds: number;
  };
  readonly passwordHashing: {
    memoryKiB: number;
    timeCost: number;
    parallelism: number;
    concurrency: number;
  };
  readonly authCacheTtlMs: number;
  readonly accountDeletion: { sweepDelaySeconds: number; sweepIntervalSeconds: number };
  readonly rateLimits: {
    ipPerMinute: number;
    accountFailures: number;
    accountWindowSeconds: number;
    uploadUrlsPerAccountPerHour: number;
    uploadUrlsPerIpPerHour: number;
  };
  readonly decrypt: { concurrency: number; concurrencyPerAccount: number };
  readonly httpSecurity: { corsOrigins: string[]; trustedProxyHops: number };
  readonly mail: {
    transport: MailTransport;
    smtp: { host: string; port: number };
    region: string;
    from: string;
    linkBaseUrl: string;
  };
  readonly storage: {
    bucket: string;
    region: string;
    endpoint?: string;
    /** Where presigned URLs point; undefined means `endpoint`. */
    publicEndpoint?: string;
    staticCredentials?: { accessKeyId: string; secretAccessKey: string };
    uploadUrlTtlSeconds: number;
    downloadUrlTtlSeconds: number;
    decryptedCopyTtlHours: number;
    maxRecordingBytes: number;
    timeoutMs: number;
    maxAttempts: number;
  };

  constructor(env: EnvironmentVariables) {
    this.nodeEnv = env.NODE_ENV;
    this.http = {
      host: env.HOST,
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_MS,
    };
    this.logLevel = env.LOG_LEVEL;
    this.metrics = { flushSeconds: env.METRICS_FLUSH_SECONDS, namespace: env.METRICS_NAMESPACE };
    this.dynamodb = {
      region: env.AWS_REGION,
      endpoint: env.DYNAMODB_ENDPOINT,
      staticCredentials: env.DYNAMODB_ENDPOINT && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
      tables: {
        users: env.USERS_TABLE,
        audioFiles: env.AUDIO_FILES_TABLE,
        decryptJobs: env.DECRYPT_JOBS_TABLE,
        sessions: env.SESSIONS_TABLE,
        rateLimits: env.RATE_LIMITS_TABLE,
        accountTokens: env.ACCOUNT_TOKENS_TABLE,
      },
      timeoutMs: env.DYNAMODB_TIMEOUT_MS,
      maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
    };
    this.jwt = {
      secret: env.JWT_SECRET ?? randomBytes(48).toString('base64'),
      secretIsEphemeral: env.JWT_SECRET === undefined,
      previousSecrets: splitList(env.JWT_PREVIOUS_SECRETS),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      ttlSeconds: env.JWT_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TTL_SECONDS,
      refreshReuseIntervalSeconds: env.REFRESH_REUSE_INTERVAL_SECONDS,
    };
    this.passwordHashing = {
      memoryKiB: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
      concurrency: env.PASSWORD_HASH_CONCURRENCY,
    };
    this.authCacheTtlMs = env.AUTH_CACHE_TTL_MS;
    this.accountDeletion = { sweepDelaySeconds: env.ACCOUNT_SWEEP_DELAY_SECONDS, sweepIntervalSeconds: env.ACCOUNT_SWEEP_INTERVAL_SECONDS };
    this.rateLimits = {
      ipPerMinute: env.RATE_LIMIT_IP_PER_MINUTE,
      accountFailures: env.RATE_LIMIT_ACCOUNT_FAILURES,
      accountWindowSeconds: env.RATE_LIMIT_ACCOUNT_WINDOW_SECONDS,
      uploadUrlsPerAccountPerHour: env.UPLOAD_URLS_PER_ACCOUNT_PER_HOUR,
      uploadUrlsPerIpPerHour: env.UPLOAD_URLS_PER_IP_PER_HOUR,
    };
    this.decrypt = { concurrency: env.DECRYPT_CONCURRENCY, concurrencyPerAccount: env.DECRYPT_CONCURRENCY_PER_ACCOUNT };
    this.httpSecurity = { corsOrigins: splitList(env.CORS_ORIGINS), trustedProxyHops: env.TRUSTED_PROXY_HOPS };
    this.mail = {
      transport: env.MAIL_TRANSPORT ?? (env.NODE_ENV === 'production' ? 'ses' : 'smtp'),
      smtp: { host: env.SMTP_HOST, port: env.SMTP_PORT },
      region: env.AWS_REGION,
      from: env.MAIL_FROM,
      linkBaseUrl: env.APP_LINK_BASE_URL.replace(/\/+$/, ''),
    };
    this.storage = {
      bucket: env.S3_BUCKET,
      region: env.AWS_REGION,
      endpoint: env.S3_ENDPOINT,
      publicEndpoint: env.S3_PUBLIC_ENDPOINT,
      staticCredentials: env.S3_ENDPOINT && !env.AWS_ACCESS_KEY_ID ? LOCAL_S3_CREDENTIALS : undefined,
      uploadUrlTtlSeconds: env.UPLOAD_URL_TTL_SECONDS,
      downloadUrlTtlSeconds: env.DOWNLOAD_URL_TTL_SECONDS,
      decryptedCopyTtlHours: env.DECRYPTED_COPY_TTL_HOURS,
      maxRecordingBytes: env.MAX_RECORDING_BYTES,
      timeoutMs: env.S3_TIMEOUT_MS,
      maxAttempts: env.DYNAMODB_MAX_ATTEMPTS,
    };
  }
}
