import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { AppConfig } from '../config/app-config';
import { createS3Client } from './s3-client';

interface ListedObject {
  key: string;
  size: number;
  lastModified?: Date;
}

/** For `npm run dev:s3-ls`: every object of the configured bucket under `prefix`, page by page. */
export async function* listBucket(config: AppConfig, prefix = ''): AsyncGenerator<ListedObject> {
  const s3 = createS3Client(config.storage);
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: config.storage.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key) yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
}
