import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import { DependencyUnavailableError } from '../common/errors/domain.errors';
import { isUnavailable } from '../common/errors/transient-errors';
import { AppConfig } from '../config/app-config';
import { createS3Client } from './s3-client';
import type { DependencyCheck } from '../database/database-health.repository';
import { ObjectStorage, StoredObject, WriteOptions } from './object-storage';

const PART_SIZE_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** A missing key; a missing bucket (NoSuchBucket) is a deployment fault, answered as unavailable. */
function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === 'NoSuchBucket') return false;
  return name === 'NotFound' || name === 'NoSuchKey' || $metadata?.httpStatusCode === 404;
}

@Injectable()
export class S3ObjectStorage extends ObjectStorage {
  private readonly bucket: string;
  /** Signs URLs for the address clients use; it sends no requests, so it needs no cleanup. */
  private readonly presigner: S3Client;

  constructor(
    private readonly s3: S3Client,
    config: AppConfig,
  ) {
    super();
    this.bucket = config.storage.bucket;
    const { publicEndpoint } = config.storage;
    this.presigner = publicEndpoint ? createS3Client({ ...config.storage, endpoint: publicEndpoint }) : s3;
  }

  // Signing needs credentials, which on ECS come from the task-role endpoint: its failures are 503s too.
  async presignUpload(key: string, expiresInSeconds: number): Promise<string> {
    return (await this.call(() =>
      getSignedUrl(this.presigner, new PutObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds }),
    )) as string;
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return (await this.call(() =>
      getSignedUrl(this.presigner, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds }),
    )) as string;
  }

  async size(key: string): Promise<number | undefined> {
    const head = await this.call(() => this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })), true);
    return head?.ContentLength;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    const object = await this.call(() => this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key })), true);
    if (!object) return undefined;
    return { body: object.Body as Readable, size: object.ContentLength ?? 0 };
  }

  async write(key: string, body: Readable, { contentType }: WriteOptions): Promise<void> {
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, ServerSideEncryption: 'AES256' },
      partSize: PART_SIZE_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    try {
      await this.call(() => upload.done());
    } catch (error) {
      // A multipart upload that failed half-way is aborted by lib-storage; a single PUT never completed.
      await this.delete(key).catch(() => undefined);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.call(() => this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async deletePrefix(prefix: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page = await this.call(() =>
        this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      const keys = (page?.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        await this.call(() => this.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } })));
        deleted += keys.length;
      }
      token = page?.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  async check(): Promise<DependencyCheck> {
    try {
      await this.s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return { kind: 's3-bucket', name: this.bucket, ok: true };
    } catch (error) {
      return { kind: 's3-bucket', name: this.bucket, ok: false, error: (error as Error).name };
    }
  }

  private async call<T>(operation: () => Promise<T>, notFoundIsUndefined = false): Promise<T | undefined> {
    try {
      return await operation();
    } catch (error) {
      if (notFoundIsUndefined && isNotFound(error)) return undefined;
      if (isUnavailable(error)) throw new DependencyUnavailableError('S3', error);
      throw error;
    }
  }
}
