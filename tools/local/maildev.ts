import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalServer } from '../../src/common/util/port-in-use';
import { claimPort } from './local-server';

export const MAILDEV = 'MailDev';

export interface LocalMailServer {
  /** Where the service sends (SMTP_HOST / SMTP_PORT). */
  smtpHost: string;
  smtpPort: number;
  /** MailDev's web page for reading mail, and its REST API under /api. */
  webUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

interface LocalMailServerOptions {
  /** 0 picks a free port. */
  smtpPort?: number;
  webPort?: number;
  startTimeoutMs?: number;
}

export const mailDevSmtp = (port: number): LocalServer => ({ name: `${MAILDEV} SMTP`, portVariable: 'MAIL_LOCAL_SMTP_PORT', port });
export const mailDevWeb = (port: number): LocalServer => ({ name: `${MAILDEV} web`, portVariable: 'MAIL_LOCAL_WEB_PORT', port });

/** MailDev's command line; its package exports only an ES module entry, so it is found on the module paths. */
function locateMailDevBin(): string {
  const bin = (require.resolve.paths('maildev') ?? [])
    .map((directory) => join(directory, 'maildev', 'dist', 'bin', 'maildev.js'))
    .find((candidate) => existsSync(candidate));
  if (!bin) throw new Error('MailDev is not installed (it is a development dependency: npm install)');
  return bin;
}

/**
 * MailDev (a development dependency: absent from the production image) in a child process: a real
 * SMTP server that keeps every mail, with a web page and a REST API to read them. Its mail lives in
 * a fresh temporary folder, so two runs on one machine never see each other's mail.
 */
export async function startMailDev(options: LocalMailServerOptions = {}): Promise<LocalMailServer> {
  const [smtpPort, webPort] = await Promise.all([claimPort(mailDevSmtp(options.smtpPort ?? 0)), claimPort(mailDevWeb(options.webPort ?? 0))]);
  const bin = locateMailDevBin();
  const directory = await mkdtemp(join(tmpdir(), 'panzoto-mail-'));
  const child = spawn(
    process.execPath,
    [
      bin,
      '--smtp',
      String(smtpPort),
      '--ip',
      '127.0.0.1',
      '--web',
      String(webPort),
      '--web-ip',
      '127.0.0.1',
      '--mail-directory',
      directory,
      '--silent',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const webUrl = `http://127.0.0.1:${webPort}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (
    !(await fetch(`${webUrl}/api/healthz`).then(
      (response) => response.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`MailDev did not answer on ${webUrl}:\n${output}`);
    }
    await sleep(100);
  }
  return { smtpHost: '127.0.0.1', smtpPort, webUrl, process: child, stop };
}
