import { Injectable } from '@nestjs/common';
import { ApiException } from '../common/errors/api.exception';
import { AppConfig } from '../config/app-config';
import { AES256_GCM_HKDF_1MB } from '../crypto/streaming-aead';
import { WRITE_BUFFER_BYTES } from '../storage/object-storage';

/**
 * What one decryption holds at most: the decrypted copy's write buffers, plus the ciphertext segment
 * being authenticated and the plaintext of the one before it. infra/ sizes the task from this.
 */
export const DECRYPT_MEMORY_BYTES = WRITE_BUFFER_BYTES + 2 * AES256_GCM_HKDF_1MB.ciphertextSegmentSizeBytes;

/** A decryption of a usual recording takes well under this. */
export const DECRYPT_RETRY_AFTER_SECONDS = 1;

/**
 * Bounds the decryptions running in this process, in all and per account, so that together they fit
 * the task's memory. A request beyond a bound is refused at once, never queued: 429 when the account
 * already has its share, 503 SERVER_BUSY when the process is full (another instance may have room).
 */
@Injectable()
export class DecryptSlots {
  private readonly limit: number;
  private readonly perAccount: number;
  private running = 0;
  private readonly runningByAccount = new Map<string, number>();

  constructor(config: AppConfig) {
    ({ concurrency: this.limit, concurrencyPerAccount: this.perAccount } = config.decrypt);
  }

  /** Takes a slot for the account; the function returned gives it back, once however often it is called. */
  acquire(userId: string): () => void {
    const mine = this.runningByAccount.get(userId) ?? 0;
    if (mine >= this.perAccount) {
      throw ApiException.tooManyRequests(
        DECRYPT_RETRY_AFTER_SECONDS,
        `This account already has ${this.perAccount} decryptions running; retry in ${DECRYPT_RETRY_AFTER_SECONDS} s`,
      );
    }
    if (this.running >= this.limit) {
      throw ApiException.serverBusy(`Too many decryptions are running; retry in ${DECRYPT_RETRY_AFTER_SECONDS} s`, DECRYPT_RETRY_AFTER_SECONDS);
    }
    this.running++;
    this.runningByAccount.set(userId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      const left = (this.runningByAccount.get(userId) ?? 1) - 1;
      if (left === 0) this.runningByAccount.delete(userId);
      else this.runningByAccount.set(userId, left);
    };
  }
}
