import { ChildProcess, fork, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { get } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** What must be undone before the bench exits, whatever the reason: run in reverse order, once. */
export class Cleanup {
  private readonly tasks: Array<{ name: string; run: () => Promise<void> }> = [];
  private running?: Promise<void>;

  add(name: string, run: () => Promise<void>): void {
    this.tasks.push({ name, run });
  }

  runAll(): Promise<void> {
    this.running ??= (async () => {
      for (const task of this.tasks.reverse()) {
        try {
          await Promise.race([task.run(), sleep(10_000)]);
        } catch (error) {
          process.stderr.write(`cleanup of ${task.name} failed: ${(error as Error).message}\n`);
        }
      }
      this.tasks.length = 0;
    })();
    return this.running;
  }
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL if the process has not gone within `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!isRunning(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function status(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => request.destroy());
  });
}

function keepTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
  });
  return () => tail;
}

/** Resolves once `url` answers 200; rejects if the process exits or `timeoutMs` passes first. */
async function waitUntilAnswering(url: string, child: ChildProcess, what: string, tail: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await status(url)) !== 200) {
    if (!isRunning(child)) throw new Error(`${what} exited (code ${child.exitCode}):\n${tail()}`);
    if (Date.now() > deadline) throw new Error(`${what} did not answer ${url} within ${timeoutMs} ms:\n${tail()}`);
    await sleep(100);
  }
}

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `node <entry>` with exactly `env`; stdout (the JSON logs) goes to `logFile`, stderr is kept for errors. */
export async function startService(options: {
  entry: string;
  /** Node options before the entry, such as --cpu-prof. */
  nodeArgs?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  healthPath: string;
}): Promise<ServiceProcess> {
  const logFd = openSync(options.logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry], { env: options.env, stdio: ['ignore', logFd, 'pipe'] });
  } finally {
    closeSync(logFd);
  }
  const tail = keepTail(child);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const service: ServiceProcess = { baseUrl, child, stop: () => stopChild(child) };
  try {
    await waitUntilAnswering(`${baseUrl}${options.healthPath}`, child, 'the service', tail, 30_000);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}

/**
 * A forked Node script that serves on `port` and exits when this process disconnects from it
 * (so it never outlives the bench).
 */
export async function startForked(options: {
  script: string;
  args: string[];
  port: number;
  readyPath: string;
  env: NodeJS.ProcessEnv;
}): Promise<ServiceProcess> {
  const child = fork(options.script, options.args, { env: options.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const tail = keepTail(child);
  const baseUrl = `http://127.0.0.1:${options.port}`;
  const service: ServiceProcess = {
    baseUrl,
    child,
    stop: async () => {
      if (child.connected) child.disconnect();
      await stopChild(child);
    },
  };
  try {
    await waitUntilAnswering(`${baseUrl}${options.readyPath}`, child, options.script, tail, 30_000);
  } catch (error) {
    await service.stop();
    throw error;
  }
  return service;
}
