import { readFileSync } from 'node:fs';
import { AppConfig } from './app-config';
import { EnvironmentVariables, InvalidEnvironmentError, validateEnvironment } from './environment';

const STRONG_SECRET = 'Zq3v9XkP2m8Rt6Yw1Lb4Nc7Hd0Fg5Js2Qe8Ua3Vi';

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    validateEnvironment(raw);
    return [];
  } catch (error) {
    if (error instanceof InvalidEnvironmentError) return error.problems;
    throw error;
  }
}

describe('validateEnvironment', () => {
  it('gives safe defaults for local development', () => {
    const config = new AppConfig(validateEnvironment({}));
    expect(config).toMatchObject({
      nodeEnv: 'development',
      http: { port: 3000, bodyLimitBytes: 16384 },
      dynamodb: { tables: { users: 'panzoto-users', audioFiles: 'panzoto-audio-files' } },
      passwordHashing: { memoryKiB: 19456, timeCost: 2, parallelism: 1 },
    });
    expect(config.jwt.secretIsEphemeral).toBe(true);
    expect(Buffer.byteLength(config.jwt.secret)).toBeGreaterThanOrEqual(32);
  });

  it.each([
    ['missing', {}],
    ['too short', { JWT_SECRET: 'short-secret' }],
    ['the .env.example value', { JWT_SECRET: 'change-me-to-a-random-string-of-at-least-32-bytes' }],
    ["the Flask design's default", { JWT_SECRET: 'dev-secret-key-change-in-production' }],
  ])('refuses to start in production with a JWT_SECRET that is %s, naming the variable', (_case, env) => {
    const problems = problemsOf({ NODE_ENV: 'production', ...env });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^JWT_SECRET /);
  });

  it('accepts a strong secret in production', () => {
    expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: STRONG_SECRET })).toEqual([]);
  });

  it('names every bad variable and never echoes a secret', () => {
    const problems = problemsOf({ PORT: 'eighty', ARGON2_MEMORY_KIB: '1024', JWT_SECRET: 'x'.repeat(5000), NODE_ENV: 'staging' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['ARGON2_MEMORY_KIB', 'JWT_SECRET', 'NODE_ENV', 'PORT']);
    expect(problems.join('\n')).not.toContain('xxxxxxxx');
  });

  it('refuses Argon2 parameters under the OWASP minimum', () => {
    expect(problemsOf({ ARGON2_TIME_COST: '1' })[0]).toMatch(/^ARGON2_TIME_COST/);
  });

  it('refuses a final account sweep that would run before upload URLs issued before the deletion expire', () => {
    expect(problemsOf({ UPLOAD_URL_TTL_SECONDS: '900', ACCOUNT_SWEEP_DELAY_SECONDS: '900' })).toEqual([
      expect.stringMatching(/^ACCOUNT_SWEEP_DELAY_SECONDS \(900\) must exceed UPLOAD_URL_TTL_SECONDS \(900\)/),
    ]);
    expect(new AppConfig(validateEnvironment({ UPLOAD_URL_TTL_SECONDS: '5', ACCOUNT_SWEEP_DELAY_SECONDS: '8' })).accountDeletion).toEqual({
      sweepDelaySeconds: 8,
      sweepIntervalSeconds: 60,
    });
  });

  it('gives DynamoDB and S3 their own timeouts', () => {
    const config = new AppConfig(validateEnvironment({ DYNAMODB_TIMEOUT_MS: '1500', S3_TIMEOUT_MS: '20000' }));
    expect(config.dynamodb.timeoutMs).toBe(1500);
    expect(config.storage.timeoutMs).toBe(20000);
  });

  it('takes the address for presigned URLs and the dev S3 bind address, refusing malformed ones', () => {
    const config = new AppConfig(validateEnvironment({ S3_PUBLIC_ENDPOINT: 'http://10.0.2.2:4569' }));
    expect(config.storage.publicEndpoint).toBe('http://10.0.2.2:4569');
    expect(validateEnvironment({ S3_HOST: '0.0.0.0' }).S3_HOST).toBe('0.0.0.0');
    const problems = problemsOf({ S3_PUBLIC_ENDPOINT: '10.0.2.2:4569/bucket path', S3_HOST: 'every interface' });
    expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['S3_HOST', 'S3_PUBLIC_ENDPOINT']);
  });

  it('reads the HTTP timeouts, and refuses a headers timeout longer than the request timeout', () => {
    const http = new AppConfig(validateEnvironment({ REQUEST_TIMEOUT_MS: '20000', HEADERS_TIMEOUT_MS: '5000', KEEP_ALIVE_TIMEOUT_MS: '65000' })).http;
    expect(http).toMatchObject({ requestTimeoutMs: 20000, headersTimeoutMs: 5000, keepAliveTimeoutMs: 65000 });
    expect(problemsOf({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toEqual([
      'HEADERS_TIMEOUT_MS: must not exceed REQUEST_TIMEOUT_MS (got 6000 > 5000)',
    ]);
    expect(problemsOf({ REQUEST_TIMEOUT_MS: '0' })[0]).toMatch(/^REQUEST_TIMEOUT_MS:/);
    expect(problemsOf({ KEEP_ALIVE_TIMEOUT_MS: '1e5' })[0]).toMatch(/^KEEP_ALIVE_TIMEOUT_MS:/);
  });

  it('uses placeholder credentials only for an emulator endpoint without configured ones', () => {
    expect(new AppConfig(validateEnvironment({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).dynamodb.staticCredentials).toBeDefined();
    expect(new AppConfig(validateEnvironment({})).dynamodb.staticCredentials).toBeUndefined();
    expect(
      new AppConfig(validateEnvironment({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', AWS_ACCESS_KEY_ID: 'AKIA' })).dynamodb.staticCredentials,
    ).toBeUndefined();
  });
});

describe('validateEnvironment for tools that sign nothing', () => {
  it('does not ask db:init for a production JWT secret', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' }, { requireProductionSecrets: false })).not.toThrow();
  });
});

describe('.env.example', () => {
  it('documents every variable of the schema, and no other', () => {
    const { getMetadataStorage } = jest.requireActual<typeof import('class-validator')>('class-validator');
    const schema = new Set(
      getMetadataStorage()
        .getTargetValidationMetadatas(EnvironmentVariables, '', true, false)
        .map((metadata) => metadata.propertyName),
    );
    const example = readFileSync('.env.example', 'utf8');
    const documented = new Set([...example.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((match) => match[1]));
    const toolOnly = ['DYNAMODB_LOCAL_PORT', 'S3_LOCAL_PORT', 'MAIL_LOCAL_SMTP_PORT', 'MAIL_LOCAL_WEB_PORT', 'AWS_SECRET_ACCESS_KEY'];
    expect([...schema].filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !schema.has(name) && !toolOnly.includes(name))).toEqual([]);
  });
});
