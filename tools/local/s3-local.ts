import { fork } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { claimPort } from './local-server';

export interface LocalS3 {
  endpoint: string;
  stop(): Promise<void>;
}

/** An s3rver (S3-compatible server on the file system) in this process, listening on `host`. */
export async function startS3rver(directory: string, port = 0, host = '127.0.0.1'): Promise<LocalS3> {
  // s3rver reports a taken port only as an unhandled 'error' event (a raw EADDRINUSE stack).
  await claimPort({ name: 's3rver', port, portVariable: 'S3_LOCAL_PORT' });
  await mkdir(directory, { recursive: true });
  // Imported lazily: s3rver is a development dependency, absent from the production image.
  const { default: S3rver } = await import('s3rver');
  const server = new S3rver({ address: host, port, silent: true, directory });
  const { port: bound } = await server.run();
  return { endpoint: `http://127.0.0.1:${bound}`, stop: () => server.close() };
}

/**
 * The same server in a child process, so that moving large objects does not compete with the API for
 * its event loop (`npm run dev`, `npm run bench`).
 */
export async function startS3rverProcess(directory: string, port = 0, host = '127.0.0.1'): Promise<LocalS3> {
  const child = fork(join(__dirname, 's3-local.main.js'), [directory, String(port), host], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { endpoint?: string; error?: string }) =>
      message.endpoint ? resolve(message.endpoint) : reject(new Error(message.error)),
    );
    child.once('exit', (code) => reject(new Error(`s3rver exited with code ${code}`)));
  });
  child.removeAllListeners('exit');
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
