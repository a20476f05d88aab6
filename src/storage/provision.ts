import type { AppConfig } from '../config/app-config';
import { BucketAction, provisionBucket } from './bucket-provisioner';
import { createS3Client } from './s3-client';

/** Creates the configured bucket when missing (local S3 servers: dev and tests). */
export async function provisionServiceBucket(config: AppConfig): Promise<BucketAction[]> {
  const s3 = createS3Client(config.storage);
  try {
    return await provisionBucket(s3, config.storage.bucket, Math.ceil(config.storage.decryptedCopyTtlHours / 24));
  } finally {
    s3.destroy();
  }
}
