import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/**
 * Tink's AES-GCM-HKDF streaming AEAD (docs/encryption-format.md), byte-compatible with Tink's
 * `AesGcmHkdfStreamingKey`. Streams are processed one ciphertext segment at a time, so memory stays
 * at about two segments whatever the file size.
 */
export interface StreamingAeadParameters {
  /** Length of the input key material (the user key). */
  keySizeBytes: number;
  /** AES key length derived per file with HKDF (16 or 32); also the salt length. */
  derivedKeySizeBytes: 16 | 32;
  hkdfHash: 'sha1' | 'sha256' | 'sha512';
  ciphertextSegmentSizeBytes: number;
}

/** The production parameters: Tink's AES256_GCM_HKDF_1MB template. */
export const AES256_GCM_HKDF_1MB: StreamingAeadParameters = {
  keySizeBytes: 32,
  derivedKeySizeBytes: 32,
  hkdfHash: 'sha256',
  ciphertextSegmentSizeBytes: 1024 * 1024,
};

export const NONCE_PREFIX_BYTES = 7;
export const TAG_BYTES = 16;
const NONCE_BYTES = 12;

export class DecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecryptionError';
  }
}

export function headerLength(parameters: StreamingAeadParameters): number {
  return 1 + parameters.derivedKeySizeBytes + NONCE_PREFIX_BYTES;
}

function plaintextSegmentSize(parameters: StreamingAeadParameters, segment: number): number {
  const overhead = TAG_BYTES + (segment === 0 ? headerLength(parameters) : 0);
  return parameters.ciphertextSegmentSizeBytes - overhead;
}

/** Size of the ciphertext of a plaintext of `size` bytes. */
export function ciphertextSize(parameters: StreamingAeadParameters, size: number): number {
  const first = plaintextSegmentSize(parameters, 0);
  const other = plaintextSegmentSize(parameters, 1);
  const segments = size <= first ? 1 : 1 + Math.ceil((size - first) / other);
  return headerLength(parameters) + size + segments * TAG_BYTES;
}

/** Size of the plaintext inside a ciphertext of `size` bytes; throws when no ciphertext has that size. */
export function plaintextSize(parameters: StreamingAeadParameters, size: number): number {
  const header = headerLength(parameters);
  const body = size - header;
  const firstSegment = parameters.ciphertextSegmentSizeBytes - header;
  if (body < TAG_BYTES) throw new DecryptionError('Ciphertext is too short');
  if (body <= firstSegment) return body - TAG_BYTES;
  const rest = body - firstSegment;
  const full = Math.floor(rest / parameters.ciphertextSegmentSizeBytes);
  const partial = rest % parameters.ciphertextSegmentSizeBytes;
  if (partial > 0 && partial < TAG_BYTES) throw new DecryptionError('Ciphertext ends inside a segment tag');
  const segments = 1 + full + (partial > 0 ? 1 : 0);
  return body - segments * TAG_BYTES;
}

function deriveSegmentKey(parameters: StreamingAeadParameters, key: Buffer, salt: Buffer, aad: Buffer): Buffer {
  if (key.length !== parameters.keySizeBytes) throw new RangeError(`key must be ${parameters.keySizeBytes} bytes`);
  return Buffer.from(hkdfSync(parameters.hkdfHash, key, salt, aad, parameters.derivedKeySizeBytes));
}

function segmentNonce(noncePrefix: Buffer, segment: number, last: boolean): Buffer {
  if (segment > 0xffffffff) throw new RangeError('Too many segments');
  const nonce = Buffer.alloc(NONCE_BYTES);
  noncePrefix.copy(nonce, 0);
  nonce.writeUInt32BE(segment, NONCE_PREFIX_BYTES);
  nonce[NONCE_BYTES - 1] = last ? 1 : 0;
  return nonce;
}

function cipherName(parameters: StreamingAeadParameters): 'aes-128-gcm' | 'aes-256-gcm' {
  return parameters.derivedKeySizeBytes === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
}

/** Collects stream chunks and hands out exact-length pieces without re-copying the whole backlog. */
class ByteQueue {
  private chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(count: number): Buffer {
    const out = Buffer.allocUnsafe(count);
    let filled = 0;
    while (filled < count) {
      const head = this.chunks[0];
      const used = Math.min(head.length, count - filled);
      head.copy(out, filled, 0, used);
      filled += used;
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
    }
    this.length -= count;
    return out;
  }

  /** Hands the first `count` bytes to `consume` piece by piece (no copy), then drops them. */
  drain(count: number, consume: (piece: Buffer) => void): void {
    let left = count;
    while (left > 0) {
      const head = this.chunks[0];
      const used = Math.min(head.length, left);
      consume(used === head.length ? head : head.subarray(0, used));
      if (used === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(used);
      left -= used;
    }
    this.length -= count;
  }

  peek(index: number): number {
    let offset = index;
    for (const chunk of this.chunks) {
      if (offset < chunk.length) return chunk[offset];
      offset -= chunk.length;
    }
    throw new RangeError('peek past end');
  }
}

interface EncryptOptions {
  /** Fixed salt and nonce prefix: for test vectors only. */
  salt?: Buffer;
  noncePrefix?: Buffer;
}

/** Plaintext in, Tink ciphertext out. */
export class EncryptingStream extends Transform {
  private readonly queue = new ByteQueue();
  private readonly key: Buffer;
  private readonly header: Buffer;
  private readonly noncePrefix: Buffer;
  private segment = 0;
  private headerSent = false;

  constructor(
    private readonly parameters: StreamingAeadParameters,
    key: Buffer,
    aad: Buffer,
    options: EncryptOptions = {},
  ) {
    super();
    const salt = options.salt ?? randomBytes(parameters.derivedKeySizeBytes);
    this.noncePrefix = options.noncePrefix ?? randomBytes(NONCE_PREFIX_BYTES);
    this.key = deriveSegmentKey(parameters, key, salt, aad);
    this.header = Buffer.concat([Buffer.from([headerLength(parameters)]), salt, this.noncePrefix]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sendHeader();
    this.queue.push(chunk);
    // A full segment is only sealed once more data shows it is not the last one (as Tink does).
    while (this.queue.length > plaintextSegmentSize(this.parameters, this.segment)) {
      this.push(this.seal(this.queue.take(plaintextSegmentSize(this.parameters, this.segment)), false));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.sendHeader();
    this.push(this.seal(this.queue.take(this.queue.length), true));
    callback();
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header);
  }

  private seal(plaintext: Buffer, last: boolean): Buffer {
    const cipher = createCipheriv(cipherName(this.parameters), this.key, segmentNonce(this.noncePrefix, this.segment++, last));
    return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  }
}

/**
 * Tink ciphertext in, plaintext out. Every segment is authenticated before its plaintext is pushed;
 * a wrong key or associated data, a changed byte, reordered, duplicated or missing segments, or a
 * truncated end all fail with `DecryptionError`.
 */
export class DecryptingStream extends Transform {
  private readonly queue = new ByteQueue();
  private key?: Buffer;
  private noncePrefix?: Buffer;
  private segment = 0;

  constructor(
    private readonly parameters: StreamingAeadParameters,
    private readonly ikm: Buffer,
    private readonly aad: Buffer,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.queue.push(chunk);
      if (!this.key && !this.readHeader()) return callback();
      // Keep at least one byte beyond a segment in hand: only the end of the stream marks the last one.
      while (this.queue.length > this.ciphertextSegmentLength()) {
        for (const piece of this.open(this.ciphertextSegmentLength(), false)) this.push(piece);
      }
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      if (!this.key && !this.readHeader()) throw new DecryptionError('Ciphertext is shorter than its header');
      if (this.queue.length < TAG_BYTES) throw new DecryptionError('Ciphertext is truncated');
      for (const piece of this.open(this.queue.length, true)) this.push(piece);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  private ciphertextSegmentLength(): number {
    const header = this.segment === 0 ? headerLength(this.parameters) : 0;
    return this.parameters.ciphertextSegmentSizeBytes - header;
  }

  private readHeader(): boolean {
    const expected = headerLength(this.parameters);
    if (this.queue.length < 1) return false;
    if (this.queue.peek(0) !== expected) throw new DecryptionError('Unknown ciphertext header');
    if (this.queue.length < expected) return false;
    const header = this.queue.take(expected);
    const salt = header.subarray(1, 1 + this.parameters.derivedKeySizeBytes);
    this.noncePrefix = header.subarray(1 + this.parameters.derivedKeySizeBytes);
    this.key = deriveSegmentKey(this.parameters, this.ikm, salt, this.aad);
    return true;
  }

  /**
   * Decrypts the next `length` queued bytes as one segment, feeding them to the cipher as they lie in
   * the queue (no copy), and returns the plaintext pieces only once the segment's tag has verified.
   */
  private open(length: number, last: boolean): Buffer[] {
    if (length < TAG_BYTES) throw new DecryptionError('Ciphertext segment is truncated');
    const decipher = createDecipheriv(
      cipherName(this.parameters),
      this.key as Buffer,
      segmentNonce(this.noncePrefix as Buffer, this.segment++, last),
    );
    const pieces: Buffer[] = [];
    this.queue.drain(length - TAG_BYTES, (piece) => pieces.push(decipher.update(piece)));
    decipher.setAuthTag(this.queue.take(TAG_BYTES));
    try {
      pieces.push(decipher.final());
    } catch {
      throw new DecryptionError('Ciphertext segment failed authentication');
    }
    return pieces.filter((piece) => piece.length > 0);
  }
}

async function collect(stream: Transform, input: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  stream.end(input);
  await done;
  return Buffer.concat(chunks);
}

/** Whole-buffer helpers, for small inputs and tests. */
export function encrypt(parameters: StreamingAeadParameters, key: Buffer, aad: Buffer, plaintext: Buffer, options?: EncryptOptions): Promise<Buffer> {
  return collect(new EncryptingStream(parameters, key, aad, options), plaintext);
}

export function decrypt(parameters: StreamingAeadParameters, key: Buffer, aad: Buffer, ciphertext: Buffer): Promise<Buffer> {
  return collect(new DecryptingStream(parameters, key, aad), ciphertext);
}
