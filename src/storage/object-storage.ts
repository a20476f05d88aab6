import type { Readable } from 'node:stream';
import type { DependencyCheck } from '../database/database-health.repository';

/** Part size of streamed writes (S3's minimum), and how many parts are uploaded at once. */
export const WRITE_PART_BYTES = 5 * 1024 * 1024;
export const WRITE_PARTS_IN_FLIGHT = 2;
/** The most one streamed write buffers: the parts in flight, the one being assembled and the copy that joins it. */
export const WRITE_BUFFER_BYTES = WRITE_PART_BYTES * (WRITE_PARTS_IN_FLIGHT + 2);

export interface StoredObject {
  body: Readable;
  size: number;
}

/** One object of a listing. */
export interface ObjectSummary {
  key: string;
  size: number;
  etag: string;
}

export interface WriteOptions {
  contentType: string;
}

/**
 * The bucket holding recordings (encrypted, under `users/<user_id>/`) and short-lived decrypted
 * copies (under `decrypted/<user_id>/`). Missing objects are `undefined`, never errors; an
 * unreachable store raises `DependencyUnavailableError`.
 */
export abstract class ObjectStorage {
  /** A URL that lets its holder PUT exactly this key, with exactly `contentLength` bytes, until it expires. */
  abstract presignUpload(key: string, expiresInSeconds: number, contentLength: number): Promise<string>;
  /** A URL that lets its holder GET exactly this key until it expires. */
  abstract presignDownload(key: string, expiresInSeconds: number): Promise<string>;
  /** Up to `limit` objects under `prefix`, with their sizes. */
  abstract list(prefix: string, limit: number): Promise<ObjectSummary[]>;
  /** Server-side copy; false (nothing copied) when the source is gone or no longer has `sourceEtag`. */
  abstract copy(sourceKey: string, targetKey: string, sourceEtag: string): Promise<boolean>;
  abstract read(key: string): Promise<StoredObject | undefined>;
  /** Streams `body` to `key` with server-side encryption; nothing is left at `key` if it fails. */
  abstract write(key: string, body: Readable, options: WriteOptions): Promise<void>;
  abstract delete(key: string): Promise<void>;
  /** Deletes every object under `prefix`; returns how many. */
  abstract deletePrefix(prefix: string): Promise<number>;
  /** Reaches the bucket (readiness); never throws. */
  abstract check(): Promise<DependencyCheck>;
}
