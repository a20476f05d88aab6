import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../tools/local/dynamodb-local';
import { ServiceProcess, startForked } from './processes';

export const REPLAYING_READY_PATH = '/replaying-dynamodb/ready';

/** Requests since replaying began: answered from what was recorded, or forwarded to DynamoDB Local. */
export interface ReplayCounts {
  replayed: number;
  forwarded: number;
}

function ask<T>(child: ChildProcess, message: string): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as T));
    child.send(message);
  });
}

/** bench/replaying-dynamodb.ts in its own process, in front of `upstream`, forwarding everything for now. */
export async function startReplayingDynamoDb(upstream: string): Promise<ServiceProcess> {
  const port = await freePort();
  return startForked({
    script: join(__dirname, '..', 'replaying-dynamodb.js'),
    args: [upstream, String(port)],
    port,
    readyPath: REPLAYING_READY_PATH,
    env: { PATH: process.env.PATH },
  });
}

/** From now on, Queries answered before are answered again without DynamoDB Local; returns how many it kept. */
export async function replayFromNowOn(endpoint: ServiceProcess): Promise<number> {
  return (await ask<{ recorded: number }>(endpoint.child, 'replay')).recorded;
}

export function replayCounts(endpoint: ServiceProcess): Promise<ReplayCounts> {
  return ask<ReplayCounts>(endpoint.child, 'report');
}
