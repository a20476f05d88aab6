import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFile, copyFile, cp, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../tools/local/dynamodb-local';
import { isRunning } from '../../tools/local/local-server';
import { PASSWORD } from '../support/test-app';

/** DynamoDB Local's own start deadline (60 s) and a TypeScript build, with a loaded 2-core machine's margin. */
const STEP_DEADLINE_MS = 240_000;

interface Launcher {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, launcher?: Launcher): Promise<T> {
  const deadline = Date.now() + STEP_DEADLINE_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (launcher && launcher.child.exitCode !== null) throw new Error(`npm run dev exited while waiting for ${what}:\n${launcher.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${launcher?.output() ?? ''}`);
    await sleep(200);
  }
}

/**
 * `npm run dev` on a copy of the project (its own src/ to edit and its own .data/), with dist-tools/ built
 * by `npm test` and the real node_modules.
 */
describe('npm run dev', () => {
  let project: string;
  let env: Record<string, string>;
  const launched: ChildProcess[] = [];

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'panzoto-dev-'));
    await Promise.all(['src', 'tools', 'dist-tools'].map((directory) => cp(directory, join(project, directory), { recursive: true })));
    for (const file of ['tsconfig.json', 'tsconfig.tools.json', 'package.json']) await copyFile(file, join(project, file));
    await symlink(resolve('node_modules'), join(project, 'node_modules'), 'dir');
    const [api, dynamo, s3, smtp, mailWeb] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
    env = {
      PATH: process.env.PATH ?? '',
      ...(process.env.JAVA_HOME ? { JAVA_HOME: process.env.JAVA_HOME } : {}),
      NO_COLOR: '1',
      AWS_REGION: 'us-east-1',
      PORT: String(api),
      DYNAMODB_LOCAL_PORT: String(dynamo),
      S3_LOCAL_PORT: String(s3),
      MAIL_LOCAL_SMTP_PORT: String(smtp),
      MAIL_LOCAL_WEB_PORT: String(mailWeb),
      // This test is about the launcher, not provisioning: a first CreateTable on a cold DynamoDB Local
      // with a database file can exceed the 3 s default on a loaded machine.
      DYNAMODB_TIMEOUT_MS: '30000',
    };
  });

  afterEach(() => {
    for (const child of launched.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
  });

  afterAll(async () => {
    for (const name of ['dynamodb-local', 'maildev']) {
      const pidFile = await readFile(join(project, '.data', 'pids', `${name}.pid.json`), 'utf8').catch(() => undefined);
      if (pidFile) process.kill((JSON.parse(pidFile) as { pid: number }).pid, 'SIGKILL');
    }
    await rm(project, { recursive: true, force: true });
  });

  function launch(extra: Record<string, string> = {}): Launcher {
    const child = spawn(process.execPath, ['dist-tools/tools/cli/dev.js'], {
      cwd: project,
      env: { ...env, ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launched.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit').then(([code]) => code as number | null);
    return { child, output: () => output, exited };
  }

  const base = (): string => `http://127.0.0.1:${env.PORT}`;
  const post = (path: string, body: object): Promise<Response> =>
    fetch(`${base()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const apiPids = (launcher: Launcher): number[] => [...launcher.output().matchAll(/API started \(pid (\d+)\)/g)].map((match) => Number(match[1]));
  const healthy = (): Promise<true | undefined> =>
    fetch(`${base()}/api/health`).then(
      (response) => (response.ok ? true : undefined),
      () => undefined,
    );
  const recordedPid = async (name: string): Promise<number> =>
    (JSON.parse(await readFile(join(project, '.data', 'pids', `${name}.pid.json`), 'utf8')) as { pid: number }).pid;
  const dynamoPid = (): Promise<number> => recordedPid('dynamodb-local');
  const mailDevPid = (): Promise<number> => recordedPid('maildev');

  it.each(['PORT', 'DYNAMODB_LOCAL_PORT', 'S3_LOCAL_PORT', 'MAIL_LOCAL_SMTP_PORT', 'MAIL_LOCAL_WEB_PORT'])(
    'names %s when its port is taken, before starting anything',
    async (variable) => {
      const taken = createServer();
      await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
      const { port } = taken.address() as AddressInfo;
      const launcher = launch({ [variable]: String(port) });
      const code = await launcher.exited;
      taken.close();
      expect(code).toBe(1);
      expect(launcher.output()).toContain(`port ${port} for `);
      expect(launcher.output()).toContain(`set ${variable} to another port`);
      expect(launcher.output()).not.toContain('EADDRINUSE');
    },
  );

  it(
    'restarts only the API on a source change, and a relaunch after SIGKILL stops the orphaned DynamoDB Local and MailDev',
    async () => {
      const first = launch();
      const firstApi = await until('the API', () => apiPids(first)[0], first);
      await until('health', healthy, first);
      const emulator = await dynamoPid();
      const mailDev = await mailDevPid();
      const email = `dev-${Date.now()}@example.com`;
      const registered = await post('/api/register', { email, password: PASSWORD });
      expect(registered.status).toBe(201);
      const { token } = (await registered.json()) as { token: string };

      await appendFile(join(project, 'src', 'health', 'health.controller.ts'), '\n// edited by dev-launcher.e2e.spec.ts\n');
      const secondApi = await until('the restarted API', () => apiPids(first).find((pid) => pid !== firstApi), first);
      await until('health after the restart', healthy, first);
      expect(isRunning(firstApi)).toBe(false);
      expect(await dynamoPid()).toBe(emulator);
      // The same DynamoDB Local with its data, and the same session secret: the token still works.
      const me = await fetch(`${base()}/api/user/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe(email);

      first.child.kill('SIGKILL');
      await first.exited;
      expect(isRunning(emulator)).toBe(true);
      expect(isRunning(mailDev)).toBe(true);
      // The API child notices its launcher is gone and stops.
      await until('the old API to stop', () => (isRunning(secondApi) ? undefined : true));

      const second = launch();
      await until('the orphan to be stopped', () => second.output().includes(`stopped the DynamoDB Local (pid ${emulator})`) || undefined, second);
      await until('the API', () => apiPids(second)[0], second);
      await until('health', healthy, second);
      await until('the orphaned MailDev to be stopped', () => second.output().includes(`stopped the MailDev (pid ${mailDev})`) || undefined, second);
      expect(isRunning(emulator)).toBe(false);
      expect(isRunning(mailDev)).toBe(false);
      // Data kept in .data/ across launches.
      expect((await post('/api/login', { email, password: PASSWORD })).status).toBe(200);

      const relaunched = await dynamoPid();
      const relaunchedMailDev = await mailDevPid();
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);
      await until('DynamoDB Local to stop', () => (isRunning(relaunched) ? undefined : true));
      await until('MailDev to stop', () => (isRunning(relaunchedMailDev) ? undefined : true));
      await expect(readFile(join(project, '.data', 'pids', 'dynamodb-local.pid.json'))).rejects.toThrow(/ENOENT/);
      await expect(readFile(join(project, '.data', 'pids', 'maildev.pid.json'))).rejects.toThrow(/ENOENT/);
    },
    4 * STEP_DEADLINE_MS,
  );
});
