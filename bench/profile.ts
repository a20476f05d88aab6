/**
 * `npm run bench:profile`: where the service's CPU goes per request. The built service runs under
 * `node --cpu-prof` against DynamoDB Local (and s3rver), once per scenario (GET /api/health, then the
 * list of 20 files), loaded by autocannon; the profile's samples are then added up by package (or by
 * source file for the service's own code) and divided by the number of requests served.
 * Prints the top costs in microseconds of CPU per request; writes the profiles to dist-bench/profiles/.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { AppConfig } from '../src/config/app-config';
import { validateEnvironment } from '../src/config/environment';
import { provisionServiceTables } from '../src/database/provision';
import { freePort, startDynamoDbLocal } from '../tools/local/dynamodb-local';
import { startS3rverProcess } from '../tools/local/s3-local';
import { provisionServiceBucket } from '../src/storage/provision';
import { api, seedAudioFiles } from './lib/api-client';
import { CpuMeter } from './lib/cpu';
import { httpLoad, HttpLoad } from './lib/http-load';
import { Cleanup, startService } from './lib/processes';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const ROOT = resolve(__dirname, '..', '..');
const PROFILE_DIR = join(ROOT, 'dist-bench', 'profiles');
const durationSeconds = Number(process.env.BENCH_DURATION_S || 10);
const logLevel = process.env.BENCH_LOG_LEVEL || 'info';
const TOP = Number(process.env.PROFILE_TOP || 12);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds of CLOCK_MONOTONIC, the clock of process.hrtime in this process too. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** The package a frame belongs to, the service's own source file, a Node internal module, or a V8 pseudo-frame. */
function categoryOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:').replace(/\/.*$/, '');
  const dist = url.indexOf('/dist/');
  return dist >= 0 ? `service: ${url.slice(dist + '/dist/'.length)}` : url;
}

/** Self time (µs) per category and per function, from the samples taken between `fromUs` and `toUs`. */
function selfTimes(
  profile: CpuProfile,
  fromUs: number,
  toUs: number,
): { byCategory: Map<string, number>; byFunction: Map<string, number>; totalUs: number } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalUs = 0;
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const node = nodes.get(id);
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < fromUs || at > toUs || !node || node.callFrame.functionName === '(idle)') return;
    totalUs += delta;
    const { url, functionName, lineNumber } = node.callFrame;
    const category = categoryOf(url, functionName);
    byCategory.set(category, (byCategory.get(category) ?? 0) + delta);
    const fn = `${functionName || '(anonymous)'} ${category}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + delta);
  });
  return { byCategory, byFunction, totalUs };
}

/**
 * Sampled time is wall time on the main thread, which on a loaded machine includes time the process
 * waited for a core: each entry's share of the samples is applied to the CPU the process really used.
 */
function top(map: Map<string, number>, cpuUsPerRequest: number, count: number, totalUs: number): string {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(
      ([name, us]) =>
        `  ${((us / totalUs) * cpuUsPerRequest).toFixed(1).padStart(7)} µs  ${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${name}`,
    )
    .join('\n');
}

async function main(): Promise<void> {
  const cleanup = new Cleanup();
  try {
    rmSync(PROFILE_DIR, { recursive: true, force: true });
    mkdirSync(PROFILE_DIR, { recursive: true });
    const dynamo = await startDynamoDbLocal({ port: 0 });
    cleanup.add('DynamoDB Local', () => dynamo.stop());
    const directory = await mkdtemp(join(os.tmpdir(), 'panzoto-profile-s3-'));
    cleanup.add('s3rver data', () => rm(directory, { recursive: true, force: true }));
    const s3 = await startS3rverProcess(directory);
    cleanup.add('s3rver', () => s3.stop());
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      LOG_LEVEL: logLevel,
      JWT_SECRET: randomBytes(48).toString('base64'),
      AWS_REGION: 'us-east-1',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      USERS_TABLE: 'profile-users',
      AUDIO_FILES_TABLE: 'profile-audio-files',
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'panzoto-profile',
      SHUTDOWN_GRACE_MS: '2000',
      RATE_LIMIT_IP_PER_MINUTE: '100000',
    };
    const config = new AppConfig(validateEnvironment({ ...env }));
    await provisionServiceTables(config);
    await provisionServiceBucket(config);

    const user = { email: `profile-${randomBytes(6).toString('hex')}@example.com`, password: `Profile-${randomBytes(12).toString('base64url')}` };
    let token = '';
    const scenarios: Array<{ name: string; load: (baseUrl: string) => HttpLoad }> = [
      { name: 'health', load: (baseUrl) => ({ url: `${baseUrl}/api/health`, connections: 10, durationSeconds }) },
      {
        name: 'list',
        load: (baseUrl) => ({
          url: `${baseUrl}/api/user/audio-files?limit=20`,
          connections: 10,
          durationSeconds,
          headers: { authorization: `Bearer ${token}` },
        }),
      },
    ];
    for (const scenario of scenarios) {
      const dir = join(PROFILE_DIR, scenario.name);
      const port = await freePort();
      const service = await startService({
        entry: join(ROOT, 'dist', 'main.js'),
        nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
        env: { ...env, PORT: String(port) },
        port,
        logFile: join(PROFILE_DIR, `${scenario.name}.log`),
        healthPath: '/api/health',
      });
      cleanup.add(scenario.name, () => service.stop());
      if (scenario.name === 'list') {
        const registered = await api<{ token: string; user_id: string }>(service.baseUrl, 'POST', '/api/register', user);
        token = registered.token;
        await seedAudioFiles(service.baseUrl, { token, userId: registered.user_id }, 20);
      }
      const load = scenario.load(service.baseUrl);
      // Long enough for DynamoDB Local's JIT too (the list's Query): see the bench's JVM warm-up.
      await httpLoad({ ...load, durationSeconds: scenario.name === 'list' ? 15 : 3 });
      const meter = new CpuMeter({ service: service.child.pid });
      const fromUs = monotonicUs();
      const { result, cpu } = await meter.measure(() => httpLoad(load));
      const toUs = monotonicUs();
      await service.stop();
      const [file] = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const { byCategory, byFunction, totalUs } = selfTimes(profile, fromUs, toUs);
      const cpuUsPerRequest = (cpu.service * 10_000) / result.requestsPerSecond;
      process.stdout.write(
        `\n${scenario.name}: ${result.requests} requests in ${durationSeconds} s (${Math.round(result.requestsPerSecond)} req/s, ` +
          `non-2xx ${result.non2xx}); service CPU ${cpu.service} % of a core = ${cpuUsPerRequest.toFixed(1)} µs per request ` +
          `(neighbours ${(cpu.other ?? 0) + (cpu.steal ?? 0)} %)\n` +
          `by package (self time: µs of CPU per request, share of the samples):\n${top(byCategory, cpuUsPerRequest, TOP, totalUs)}\n` +
          `by function:\n${top(byFunction, cpuUsPerRequest, TOP, totalUs)}\n`,
      );
    }
  } finally {
    await cleanup.runAll();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
