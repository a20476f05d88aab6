/**
 * `npm run bench:decrypt`: the encrypted-audio path, measured side by side in one run.
 *  - raw node:crypto AES-256-GCM over the ciphertext's 1 MiB segments (the ceiling);
 *  - the service's end-to-end decryption of the same recording (S3 read → decrypt → S3 write) and its
 *    ratio to the ceiling;
 *  - the service process's RSS growth while it decrypts a 200 MB recording;
 *  - peak RSS growth and throughput of 1 and of 24 concurrent link-mode decryptions of one 32 MiB
 *    recording, under the default DECRYPT_CONCURRENCY and with the bound lifted to 24 (as before it
 *    existed), side by side; refused requests wait their Retry-After and try again;
 *  - GET /api/health p99 while 4 decryptions run.
 * Everything runs on 127.0.0.1 and stops by itself.
 */
import autocannon from 'autocannon';
import { ChildProcess, spawn } from 'node:child_process';
import { createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { recordingAad } from '../src/audio-files/recording-keys';
import { PanzotoClient } from '../tools/client/panzoto-client';
import { AppConfig } from '../src/config/app-config';
import { validateEnvironment } from '../src/config/environment';
import { AES256_GCM_HKDF_1MB, EncryptingStream, headerLength, TAG_BYTES } from '../src/crypto/streaming-aead';
import { provisionServiceTables } from '../src/database/provision';
import { freePort, startDynamoDbLocal } from '../tools/local/dynamodb-local';
import { startS3rverProcess } from '../tools/local/s3-local';
import { provisionServiceBucket } from '../src/storage/provision';

const MB = 1_000_000;
const BIG_BYTES = Number(process.env.BENCH_DECRYPT_MB ?? 200) * MB;
const CONCURRENT_BYTES = 20 * MB;
const BURST_BYTES = 32 * 1024 * 1024;
const BURST_SIZES = [1, 24];
const PASSWORD = 'Bench-Password-123!';

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function rssOf(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((text) => Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024);
}

/** The highest RSS of `pid` while `work` runs (sampled every 25 ms), and what `work` returned. */
async function peakRssDuring<T>(pid: number, work: () => Promise<T>): Promise<{ peak: number; result: T }> {
  let peak = await rssOf(pid);
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOf(pid));
      await sleep(25);
    }
  })();
  let result: T;
  try {
    result = await work();
  } finally {
    sampling = false;
    await sampler;
  }
  return { peak, result };
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  const chunk = 4 * 1024 * 1024;
  function* chunks(): Generator<Buffer> {
    for (let written = 0; written < bytes; written += chunk) yield randomBytes(Math.min(chunk, bytes - written));
  }
  await pipeline(chunks(), createWriteStream(path));
}

/** The ceiling: per-segment AES-256-GCM of the same ciphertext, read from memory, no framing or I/O. */
function rawDecryptSeconds(ciphertext: Buffer, userKey: Buffer, aad: Buffer): number {
  const p = AES256_GCM_HKDF_1MB;
  const header = headerLength(p);
  const salt = ciphertext.subarray(1, 1 + p.derivedKeySizeBytes);
  const prefix = ciphertext.subarray(1 + p.derivedKeySizeBytes, header);
  const started = process.hrtime.bigint();
  const key = Buffer.from(hkdfSync('sha256', userKey, salt, aad, 32));
  let offset = header;
  for (let segment = 0; offset < ciphertext.length; segment++) {
    const end = Math.min(offset + p.ciphertextSegmentSizeBytes - (segment === 0 ? header : 0), ciphertext.length);
    const nonce = Buffer.alloc(12);
    prefix.copy(nonce);
    nonce.writeUInt32BE(segment, 7);
    nonce[11] = end === ciphertext.length ? 1 : 0;
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAuthTag(ciphertext.subarray(end - TAG_BYTES, end));
    decipher.update(ciphertext.subarray(offset, end - TAG_BYTES));
    decipher.final();
    offset = end;
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function waitForHealth(url: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await sleep(100);
  }
  throw new Error('service did not start');
}

async function main(): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'panzoto-bench-decrypt-'));
  const stops: Array<() => Promise<void>> = [];
  let service: ChildProcess | undefined;
  const stopAll = async (): Promise<void> => {
    if (service && service.exitCode === null) service.kill('SIGKILL');
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void stopAll().finally(() => process.exit(130)));
  try {
    const dynamo = await startDynamoDbLocal({ port: 0 });
    stops.push(() => dynamo.stop());
    const s3 = await startS3rverProcess(join(work, 's3'));
    stops.push(() => s3.stop());
    const port = await freePort();
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      JWT_SECRET: randomBytes(48).toString('base64'),
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      S3_ENDPOINT: s3.endpoint,
      S3_BUCKET: 'bench-decrypt',
      S3_TIMEOUT_MS: '60000',
      RATE_LIMIT_IP_PER_MINUTE: '100000',
      // Each decrypt holds one unit of the account's password budget while its password is checked:
      // the concurrent runs would otherwise meet the default 10 as 429s.
      RATE_LIMIT_ACCOUNT_FAILURES: '1000',
      // One account drives every burst: the per-account bound must not stand in for the process bound measured.
      DECRYPT_CONCURRENCY_PER_ACCOUNT: '256',
      ...(process.env.MALLOC_ARENA_MAX ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX } : {}),
    };
    const config = new AppConfig(validateEnvironment(env));
    await Promise.all([provisionServiceTables(config), provisionServiceBucket(config)]);
    const base = `http://127.0.0.1:${port}`;
    /** A new service process, so that each memory figure starts from a cold process. */
    const freshService = async (extraEnv: Record<string, string> = {}): Promise<number> => {
      if (service && service.exitCode === null) {
        const exited = new Promise((resolve) => service?.once('exit', resolve));
        service.kill('SIGTERM');
        await exited;
      }
      service = spawn(process.execPath, ['dist/main.js'], { env: { ...env, ...extraEnv }, stdio: 'ignore' });
      await waitForHealth(base);
      return service.pid as number;
    };
    let pid = await freshService();

    const client = new PanzotoClient(base);
    const session = await client.register(`bench-${Date.now()}@example.com`, PASSWORD);
    const userKey = await client.unlockUserKey(session, PASSWORD);
    const decrypt = (fileId: string): Promise<Response> =>
      fetch(`${base}/api/decrypt-audio`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD, file_id: fileId }),
      });

    process.stdout.write(`uploading a ${BIG_BYTES / MB} MB recording…\n`);
    const bigPath = join(work, 'big.3gp');
    await writeRandomFile(bigPath, BIG_BYTES);
    const big = await client.uploadRecording(session, userKey, { path: bigPath });
    const plaintextHash = createHash('sha256');
    await pipeline(createReadStream(bigPath), plaintextHash);
    const expectedHash = plaintextHash.digest('hex');

    // The ceiling, on the same ciphertext (encrypted the same way, held in memory).
    const ciphertextPath = join(work, 'big.enc');
    await pipeline(
      createReadStream(bigPath),
      new EncryptingStream(AES256_GCM_HKDF_1MB, userKey, recordingAad(session.user_id, big.file_id)),
      createWriteStream(ciphertextPath),
    );
    const ciphertext = await readFile(ciphertextPath);
    const rawRuns = [0, 1, 2].map(() => rawDecryptSeconds(ciphertext, userKey, recordingAad(session.user_id, big.file_id)));

    // End to end, with the service's RSS sampled throughout.
    await sleep(1000);
    const baseline = await rssOf(pid);
    const endToEnd: number[] = [];
    let peak = baseline;
    for (let run = 0; run < 3; run++) {
      const started = process.hrtime.bigint();
      const measured = await peakRssDuring(pid, async () => {
        const answer = await decrypt(big.file_id);
        return { response: answer, body: (await answer.json()) as { download_url: string } };
      });
      endToEnd.push(Number(process.hrtime.bigint() - started) / 1e9);
      peak = Math.max(peak, measured.peak);
      const { response, body } = measured.result;
      if (response.status !== 200) throw new Error(`decrypt failed: ${response.status} ${JSON.stringify(body)}`);
      if (run === 0) {
        const check = createHash('sha256');
        await pipeline((await fetch(body.download_url)).body as unknown as NodeJS.ReadableStream, check);
        if (check.digest('hex') !== expectedHash) throw new Error('decrypted copy differs from the recording');
      }
    }

    // The same in stream mode: nothing written back to S3, the client drains the response.
    pid = await freshService();
    await sleep(1000);
    const streamBaseline = await rssOf(pid);
    const check = createHash('sha256');
    const { peak: streamPeak } = await peakRssDuring(pid, async () => {
      const response = await fetch(`${base}/api/decrypt-audio?mode=stream`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ password: PASSWORD, file_id: big.file_id }),
      });
      await pipeline(response.body as unknown as NodeJS.ReadableStream, check);
    });
    if (check.digest('hex') !== expectedHash) throw new Error('streamed plaintext differs from the recording');

    // Bursts of concurrent link-mode decryptions, each from a cold process, RSS sampled throughout.
    const burstFile = await client.uploadRecording(session, userKey, { data: randomBytes(BURST_BYTES) });
    /** Decrypts until it succeeds, waiting out each 429/503's Retry-After; returns how often it was refused. */
    const decryptPatiently = async (): Promise<number> => {
      for (let refused = 0; ; refused++) {
        const response = await decrypt(burstFile.file_id);
        await response.arrayBuffer();
        if (response.status === 200) return refused;
        if (response.status !== 429 && response.status !== 503) throw new Error(`decrypt failed: ${response.status}`);
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
      }
    };
    const burst = async (concurrent: number, extraEnv: Record<string, string> = {}) => {
      const burstPid = await freshService(extraEnv);
      await sleep(1000);
      const burstBaseline = await rssOf(burstPid);
      const started = process.hrtime.bigint();
      const { peak: burstPeak, result: refusals } = await peakRssDuring(burstPid, () =>
        Promise.all(Array.from({ length: concurrent }, decryptPatiently)),
      );
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      return {
        concurrent,
        rssGrowthMiB: Math.round((burstPeak - burstBaseline) / 2 ** 20),
        MiBps: Math.round((concurrent * BURST_BYTES) / 2 ** 20 / seconds),
        seconds: Number(seconds.toFixed(2)),
        refusedThenRetried: refusals.reduce((a, b) => a + b, 0),
      };
    };
    const bounded = [];
    for (const concurrent of BURST_SIZES) bounded.push(await burst(concurrent));
    const unbounded = await burst(Math.max(...BURST_SIZES), { DECRYPT_CONCURRENCY: String(Math.max(...BURST_SIZES)) });
    process.stdout.write(`concurrent decryptions: ${JSON.stringify({ bounded, unbounded })}\n`);

    pid = await freshService();

    // Where the time goes: the storage round trip alone (the same object read, then written), no crypto.
    const storageRuns: number[] = [];
    for (let run = 0; run < 2; run++) {
      const started = process.hrtime.bigint();
      const read = await fetch(`${s3.endpoint}/bench-decrypt/${big.s3_key}`);
      const length = Number(read.headers.get('content-length'));
      const slot = await client.call<{ upload_url: string }>('POST', '/api/audio-files/upload-url', { file_size: length }, session.token);
      await fetch(slot.upload_url, {
        method: 'PUT',
        headers: { 'content-length': String(length) },
        body: read.body,
        duplex: 'half',
      });
      storageRuns.push(Number(process.hrtime.bigint() - started) / 1e9);
    }

    // Health while 4 decryptions run.
    const small = await client.uploadRecording(session, userKey, { data: randomBytes(CONCURRENT_BYTES) });
    let decrypting = true;
    const decryptions = Promise.all(
      [0, 1, 2, 3].map(async () => {
        let count = 0;
        while (decrypting) {
          const response = await decrypt(small.file_id);
          await response.arrayBuffer();
          count++;
        }
        return count;
      }),
    );
    await sleep(500);
    const health = await autocannon({ url: `${base}/api/health`, connections: 2, duration: 10 });
    decrypting = false;
    const decryptionsDuringHealth = (await decryptions).reduce((a, b) => a + b, 0);

    const rawSeconds = median(rawRuns);
    const e2eSeconds = median(endToEnd);
    const results = {
      startedAt: new Date().toISOString(),
      machine: { cpuModel: cpus()[0]?.model, cpuCount: cpus().length, totalMemoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      recordingMB: BIG_BYTES / MB,
      rawAesGcmMBps: Math.round(BIG_BYTES / MB / rawSeconds),
      endToEndMBps: Math.round(BIG_BYTES / MB / e2eSeconds),
      endToEndOverRaw: Number((rawSeconds / e2eSeconds).toFixed(3)),
      rawRunsSeconds: rawRuns.map((s) => Number(s.toFixed(3))),
      endToEndRunsSeconds: endToEnd.map((s) => Number(s.toFixed(3))),
      storageOnlyMBps: Math.round(BIG_BYTES / MB / median(storageRuns)),
      endToEndOverStorageOnly: Number((median(storageRuns) / e2eSeconds).toFixed(3)),
      serviceRssBaselineMB: Math.round(baseline / MB),
      serviceRssGrowthMB: Math.round((peak - baseline) / MB),
      serviceRssGrowthStreamModeMB: Math.round((streamPeak - streamBaseline) / MB),
      concurrentDecryptsOf32MiB: {
        decryptConcurrency: validateEnvironment({}, { requireProductionSecrets: false }).DECRYPT_CONCURRENCY,
        bounded,
        unboundedFor24: unbounded,
        boundedOverUnboundedThroughput24: Number((bounded[bounded.length - 1].MiBps / unbounded.MiBps || 0).toFixed(2)),
      },
      healthDuring4Decrypts: {
        requestsPerSecond: Math.round(health.requests.average),
        p50ms: health.latency.p50,
        p99ms: health.latency.p99,
        non2xx: health.non2xx,
        decryptionsOf20MBCompleted: decryptionsDuringHealth,
      },
      targets: {
        endToEndOverRaw: '>= 0.5',
        serviceRssGrowthMB: '< 64',
        healthP99ms: '< 50',
        rssGrowthFor24ConcurrentMiB: '< 256',
        boundedOverUnboundedThroughput24: '>= 1',
      },
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/decrypt-latest.json', `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await stopAll();
  }
  // Sizes of what was kept are small; report where the figures went.
  process.stdout.write(`figures written to bench/results/decrypt-latest.json (${(await stat('bench/results/decrypt-latest.json')).size} bytes)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:decrypt failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
