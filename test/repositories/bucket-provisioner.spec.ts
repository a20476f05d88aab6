import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createS3Client } from '../../src/storage/s3-client';
import { provisionBucket } from '../../src/storage/bucket-provisioner';
import { loseFirstAnswers } from '../support/lost-answers';
import { isolatedTables } from '../support/test-app';

describe('provisionBucket (s3rver)', () => {
  it('counts a bucket that a retried CreateBucket already made as existing', async () => {
    const config = await isolatedTables({}, false);
    const s3 = createS3Client(config.storage);
    const lost = loseFirstAnswers(s3, ['CreateBucketCommand']);
    const bucket = `retried-${randomUUID().slice(0, 8)}`;
    try {
      const actions = await provisionBucket(s3, bucket, 1);
      expect(lost).toEqual(['CreateBucketCommand']);
      expect(actions).not.toContain('created-bucket');
      await expect(s3.send(new HeadBucketCommand({ Bucket: bucket }))).resolves.toBeDefined();
      expect(await provisionBucket(s3, bucket, 1)).not.toContain('created-bucket');
    } finally {
      s3.destroy();
    }
  });

  it('creates a missing bucket once', async () => {
    const config = await isolatedTables({}, false);
    const s3 = createS3Client(config.storage);
    try {
      expect(await provisionBucket(s3, `fresh-${randomUUID().slice(0, 8)}`, 1)).toContain('created-bucket');
    } finally {
      s3.destroy();
    }
  });
});
