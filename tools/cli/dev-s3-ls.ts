import { Logger } from '@nestjs/common';
import { AppConfig } from '../../src/config/app-config';
import { validateEnvironment } from '../../src/config/environment';
import { listBucket } from '../../src/storage/bucket-listing';
import { loadDotEnv } from '../../src/config/load-env';

/**
 * `npm run dev:s3-ls [-- <prefix>]`: the objects `npm run dev` stored, one line each (size in bytes,
 * time, key): recordings under users/<user_id>/, decrypted copies under decrypted/<user_id>/.
 */
async function main(): Promise<void> {
  loadDotEnv();
  process.env.S3_ENDPOINT ??= `http://127.0.0.1:${process.env.S3_LOCAL_PORT ?? 4569}`;
  const config = new AppConfig(validateEnvironment(process.env, { requireProductionSecrets: false }));
  let count = 0;
  for await (const object of listBucket(config, process.argv[2] ?? '')) {
    count += 1;
    process.stdout.write(`${String(object.size).padStart(12)}  ${object.lastModified?.toISOString() ?? '-'}  ${object.key}\n`);
  }
  process.stdout.write(`${count} object(s) in ${config.storage.bucket} at ${config.storage.endpoint}\n`);
}

main().catch((error: unknown) => {
  new Logger('dev:s3-ls').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
