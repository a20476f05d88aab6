import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { AppConfig } from '../config/app-config';
import { Semaphore } from '../common/util/semaphore';
import { deriveKeyEncryptionKey, type KdfParameters } from '../crypto/user-key';

/**
 * Argon2id hashing and verification. Work runs on libuv's thread pool, never on the event loop; the
 * semaphore keeps a login burst from taking every core away from other requests.
 */
@Injectable()
export class PasswordHasher implements OnModuleInit {
  private readonly slots: Semaphore;
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };
  /** Verified against when an account does not exist, so that case costs the same as a wrong password. */
  private dummyHash: string;

  /** The parameters new key-encryption keys are derived with (the same cost as login hashes). */
  readonly currentKdf: KdfParameters;

  constructor(config: AppConfig) {
    const { memoryKiB, timeCost, parallelism, concurrency } = config.passwordHashing;
    this.slots = new Semaphore(concurrency);
    this.options = { type: argon2.argon2id, memoryCost: memoryKiB, timeCost, parallelism };
    this.currentKdf = {
      algorithm: 'argon2id',
      version: 19,
      memory_kib: memoryKiB,
      iterations: timeCost,
      parallelism,
      key_length: 32,
    };
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('dummy password that never matches an account');
  }

  hash(password: string): Promise<string> {
    return this.slots.run(async () => inPhcOrder(await argon2.hash(password, this.options)));
  }

  /** A 32-byte key-encryption key: raw Argon2id output over the password and the account's key salt. */
  deriveKey(password: string, salt: Buffer, kdf: KdfParameters): Promise<Buffer> {
    return this.slots.run(() => deriveKeyEncryptionKey(password, salt, kdf));
  }

  /**
   * True when `hash` is cheaper to attack than today's parameters make it (another algorithm, less
   * memory or fewer iterations); it is then replaced at login. Stronger hashes are kept as they are.
   */
  needsRehash(hash: string): boolean {
    // Parameters in any order: argon2 0.45 writes m,p,t; the PHC form (and other libraries) m,t,p.
    const parameters = /^\$argon2id\$v=19\$([^$]+)\$/.exec(hash)?.[1];
    if (!parameters) return true;
    const { m, t } = Object.fromEntries(parameters.split(',').map((pair) => pair.split('='))) as Record<string, string | undefined>;
    return !(Number(m) >= this.options.memoryCost && Number(t) >= this.options.timeCost);
  }

  /** `hash` undefined means "no such account": a full verification still runs and fails. */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const matched = await this.slots.run(async () => {
      try {
        return await argon2.verify(hash ?? this.dummyHash, password);
      } catch {
        return false;
      }
    });
    return matched && hash !== undefined;
  }
}

/**
 * argon2 0.45 writes the parameters as `m=…,p=…,t=…` (ranisalt/node-argon2#559); the PHC string format
 * and the reference implementation (libargon2, so argon2-cffi of the Flask system) accept only m,t,p.
 */
function inPhcOrder(hash: string): string {
  return hash.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, (_match, m: string, p: string, t: string) => `$m=${m},t=${t},p=${p}$`);
}
