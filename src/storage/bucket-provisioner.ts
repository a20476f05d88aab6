import { CreateBucketCommand, HeadBucketCommand, PutBucketLifecycleConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { createIdempotently } from '../common/util/create-idempotently';
import { DECRYPTED_PREFIX, UNREGISTERED_UPLOAD_DAYS, UPLOADS_PREFIX } from './object-keys';

export type BucketAction = 'created-bucket' | 'set-lifecycle' | 'lifecycle-unsupported';

/**
 * For `npm run dev` and the tests (production buckets come from the infrastructure code): creates the
 * bucket when missing, expires decrypted copies after `days` and unregistered uploads after a day.
 * Emulators without lifecycle support (s3rver) are reported, not failed. Idempotent under retries
 * and concurrent runs.
 */
export async function provisionBucket(s3: S3Client, bucket: string, decryptedCopyDays: number): Promise<BucketAction[]> {
  const actions: BucketAction[] = [];
  const exists = (): Promise<boolean> =>
    s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
      () => true,
      () => false,
    );
  // A CreateBucket repeated by a retry answers BucketAlreadyOwnedByYou: the bucket counts as existing.
  const create = (): Promise<unknown> => s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (!(await exists()) && (await createIdempotently(create, exists)) === 'created') actions.push('created-bucket');
  try {
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: bucket,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'expire-decrypted-copies',
              Status: 'Enabled',
              Filter: { Prefix: DECRYPTED_PREFIX },
              Expiration: { Days: decryptedCopyDays },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
            {
              ID: 'expire-unregistered-uploads',
              Status: 'Enabled',
              Filter: { Prefix: UPLOADS_PREFIX },
              Expiration: { Days: UNREGISTERED_UPLOAD_DAYS },
            },
          ],
        },
      }),
    );
    actions.push('set-lifecycle');
  } catch (error) {
    if ((error as { name?: string }).name !== 'NotImplemented') throw error;
    actions.push('lifecycle-unsupported');
  }
  return actions;
}
