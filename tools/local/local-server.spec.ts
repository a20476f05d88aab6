import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { AddressInfo, createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimPort, isRunning, PidFiles } from './local-server';

describe('local servers', () => {
  let directory: string;
  const sleepers = (): ReturnType<typeof spawn> => spawn(process.execPath, ['-e', 'setTimeout(() => undefined, 600_000)'], { stdio: 'ignore' });
  const started: ReturnType<typeof spawn>[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'panzoto-pids-'));
  });

  afterEach(async () => {
    for (const child of started.splice(0)) child.kill('SIGKILL');
    await rm(directory, { recursive: true, force: true });
  });

  it('names the variable when a port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((listening) => taken.listen(0, '127.0.0.1', listening));
    const { port } = taken.address() as AddressInfo;
    await expect(claimPort({ name: 's3rver', port, portVariable: 'S3_LOCAL_PORT' })).rejects.toThrow(
      `port ${port} for s3rver is already in use (stop what listens there, or set S3_LOCAL_PORT to another port)`,
    );
    taken.close();
    expect(await claimPort({ name: 's3rver', port, portVariable: 'S3_LOCAL_PORT' })).toBe(port);
  });

  it('stops the process an earlier launch recorded, when it still runs', async () => {
    const orphan = sleepers();
    started.push(orphan);
    await once(orphan, 'spawn');
    await new PidFiles(directory).track('Emulator', orphan);
    const exited = once(orphan, 'exit');

    expect(await new PidFiles(directory).stopOrphan('Emulator')).toBe(orphan.pid);
    await exited;
    expect(await readdir(directory)).toEqual([]);
  });

  it('never touches a process that merely has the recorded pid now', async () => {
    const stranger = sleepers();
    started.push(stranger);
    await once(stranger, 'spawn');
    await writeFile(join(directory, 'emulator.pid.json'), JSON.stringify({ pid: stranger.pid, identity: '12345 java -jar DynamoDBLocal.jar' }));

    expect(await new PidFiles(directory).stopOrphan('Emulator')).toBeUndefined();
    expect(isRunning(stranger.pid as number)).toBe(true);
    expect(await readdir(directory)).toEqual([]);
  });
});
