import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { DependencyCheck } from '../../src/database/database-health.repository';
import { ObjectStorage, StoredObject, WriteOptions } from '../../src/storage/object-storage';

/** An ObjectStorage in a Map, for service tests; the S3 one is tested against s3rver. */
export class InMemoryObjectStorage extends ObjectStorage {
  readonly objects = new Map<string, Buffer>();
  reads = 0;

  async presignUpload(key: string, expiresInSeconds: number): Promise<string> {
    return `memory://put/${key}?expires=${expiresInSeconds}`;
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return `memory://get/${key}?expires=${expiresInSeconds}`;
  }

  async size(key: string): Promise<number | undefined> {
    return this.objects.get(key)?.length;
  }

  async read(key: string): Promise<StoredObject | undefined> {
    this.reads++;
    const data = this.objects.get(key);
    return data ? { body: Readable.from([data]), size: data.length } : undefined;
  }

  async write(key: string, body: Readable, _options: WriteOptions): Promise<void> {
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

  /** For assertions: the object as text. */
  async textOf(key: string): Promise<string | undefined> {
    const data = this.objects.get(key);
    return data ? text(Readable.from([data])) : undefined;
  }
}
