import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { DependencyCheck } from '../../src/database/database-health.repository';
import { createHash } from 'node:crypto';
import { ObjectStorage, ObjectSummary, StoredObject } from '../../src/storage/object-storage';

/** An ObjectStorage in a Map, for service tests; the S3 one is tested against s3rver. */
export class InMemoryObjectStorage extends ObjectStorage {
  readonly objects = new Map<string, Buffer>();
  reads = 0;

  async presignUpload(key: string, expiresInSeconds: number, contentLength: number): Promise<string> {
    return `memory://put/${key}?expires=${expiresInSeconds}&content-length=${contentLength}`;
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return `memory://get/${key}?expires=${expiresInSeconds}`;
  }

  async list(prefix: string, limit: number): Promise<ObjectSummary[]> {
    return [...this.objects.entries()]
      .filter(([key]) => key.startsWith(prefix))
      .slice(0, limit)
      .map(([key, data]) => ({ key, size: data.length, etag: etagOf(data) }));
  }

  async copy(sourceKey: string, targetKey: string, sourceEtag: string): Promise<boolean> {
    const data = this.objects.get(sourceKey);
    if (!data || etagOf(data) !== sourceEtag) return false;
    this.objects.set(targetKey, data);
    return true;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    this.reads++;
    const data = this.objects.get(key);
    return data ? { body: Readable.from([data]), size: data.length } : undefined;
  }

  async write(key: string, body: Readable): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    this.objects.set(key, Buffer.concat(chunks));
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix));
    keys.forEach((key) => this.objects.delete(key));
    return keys.length;
  }

  async check(): Promise<DependencyCheck> {
    return { kind: 's3-bucket', name: 'memory', ok: true };
  }

  /** A client's PUT to a URL from presignUpload; like s3rver (and unlike S3) it does not check the signed Content-Length. */
  put(url: string, data: Buffer): void {
    const { pathname } = new URL(url);
    this.objects.set(pathname.slice(1), data);
  }

  /** For assertions: the object as text. */
  async textOf(key: string): Promise<string | undefined> {
    const data = this.objects.get(key);
    return data ? text(Readable.from([data])) : undefined;
  }
}

const etagOf = (data: Buffer): string => `"${createHash('md5').update(data).digest('hex')}"`;
