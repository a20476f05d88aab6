import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
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
import { ObjectStorage, ObjectSummary, StoredObject, WRITE_PART_BYTES, WRITE_PARTS_IN_FLIGHT, WriteOptions } from './object-storage';

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
  // The Content-Length header is signed (X-Amz-SignedHeaders), so S3 refuses a body of another size.
  async presignUpload(key: string, expiresInSeconds: number, contentLength: number): Promise<string> {
    return (await this.call(() =>
      getSignedUrl(this.presigner, new PutObjectCommand({ Bucket: this.bucket, Key: key, ContentLength: contentLength }), {
        expiresIn: expiresInSeconds,
      }),
    )) as string;
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return (await this.call(() =>
      getSignedUrl(this.presigner, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds }),
    )) as string;
  }

  async list(prefix: string, limit: number): Promise<ObjectSummary[]> {
    const page = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: limit })));
    return (page?.Contents ?? []).flatMap(({ Key, Size, ETag }) => (Key && ETag ? [{ key: Key, size: Size ?? 0, etag: ETag }] : []));
  }

  async copy(sourceKey: string, targetKey: string, sourceEtag: string): Promise<boolean> {
    const copied = await this.call(
      () =>
        this.s3.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: targetKey,
            CopySource: `${this.bucket}/${encodeURIComponent(sourceKey).replace(/%2F/g, '/')}`,
            CopySourceIfMatch: sourceEtag,
            ServerSideEncryption: 'AES256',
          }),
        ),
      true,
    ).catch((error: unknown) => {
      if ((error as { name?: string }).name === 'PreconditionFailed') return undefined;
      throw error;
    });
    return copied !== undefined;
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
      partSize: WRITE_PART_BYTES,
      queueSize: WRITE_PARTS_IN_FLIGHT,
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
      const page = await this.call(() => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })));
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
