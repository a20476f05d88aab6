import { ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAddressInUse, LocalServer, PortInUseError } from '../../src/common/util/port-in-use';

/** Resolves to `port` (0: any free one) once it is known to be free on 127.0.0.1; rejects with EADDRINUSE when taken. */
export async function freePort(port = 0): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Resolves once `server.port` is free on 127.0.0.1 (0: any free port, returned); PortInUseError otherwise. */
export async function claimPort(server: LocalServer): Promise<number> {
  return freePort(server.port).catch((error: unknown) => {
    throw isAddressInUse(error) ? new PortInUseError(server) : error;
  });
}

interface PidRecord {
  pid: number;
  /** What identifies the process beyond its pid, which the system may give to another process later. */
  identity: string;
}

/**
 * The kernel's start time of the process and its command line: equal only for the same process. Linux
 * reads /proc; elsewhere (macOS) `ps` gives the same facts. Undefined when no such process runs.
 */
function processIdentity(pid: number): string | undefined {
  try {
    if (existsSync('/proc')) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      return `${startTime} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
    }
    return execFileSync('ps', ['-o', 'lstart=,args=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function terminate(pid: number, graceMs: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      return;
    }
    await sleep(100);
  }
}

/**
 * One pid file per server started by a launcher that can itself be killed without a chance to clean
 * up (SIGKILL): the next launch finds the orphan and stops it, so its port is free again. A pid file
 * whose process is gone, or whose pid now belongs to another process, is simply removed.
 */
export class PidFiles {
  constructor(private readonly directory: string) {}

  private path(name: string): string {
    return join(this.directory, `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.pid.json`);
  }

  /**
   * Records a server's process right after it started, and stops it when this process exits by any
   * means but SIGKILL (which the next launch's `stopOrphan` covers).
   */
  async track(name: string, child: ChildProcess): Promise<void> {
    await this.record(name, child.pid as number);
    process.once('exit', () => {
      child.kill('SIGTERM');
      this.remove(name);
    });
  }

  private async record(name: string, pid: number): Promise<void> {
    const identity = processIdentity(pid);
    if (identity === undefined) return;
    await mkdir(this.directory, { recursive: true });
    await writeFile(this.path(name), JSON.stringify({ pid, identity } satisfies PidRecord));
  }

  /** Synchronous, for a process's 'exit' handler. */
  private remove(name: string): void {
    rmSync(this.path(name), { force: true });
  }

  /** Stops the process a previous launch recorded under `name` if it still runs; resolves to its pid then. */
  async stopOrphan(name: string, graceMs = 5000): Promise<number | undefined> {
    const text = await readFile(this.path(name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    const recorded = JSON.parse(text) as PidRecord;
    const orphan = processIdentity(recorded.pid) === recorded.identity;
    if (orphan) await terminate(recorded.pid, graceMs);
    this.remove(name);
    return orphan ? recorded.pid : undefined;
  }
}
