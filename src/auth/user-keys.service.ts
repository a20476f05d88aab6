import { Injectable, Logger } from '@nestjs/common';
import { newKeySalt, newUserKey, unwrapUserKey, weakerKdf, wrapUserKey, WrappedUserKey } from '../crypto/user-key';
import type { User } from '../users/user';
import { UsersService } from '../users/users.service';
import { GateEntry, PasswordGate } from './password-gate/password-gate';
import { PasswordHasher } from './password-hasher';

/**
 * The per-account user key that recordings are encrypted under. Only its wrapped form is stored: the
 * wrapping key is Argon2id(password, key_salt), so the service can open it only while the user gives
 * the password, and a password change re-wraps one value instead of re-encrypting every recording.
 */
@Injectable()
export class UserKeysService {
  private readonly logger = new Logger(UserKeysService.name);

  constructor(
    private readonly passwords: PasswordHasher,
    private readonly users: UsersService,
    private readonly gate: PasswordGate,
  ) {}

  /** A fresh user key for a new account, wrapped under its password. */
  async create(userId: string, password: string, keySalt: string): Promise<WrappedUserKey> {
    return this.wrap(userId, password, keySalt, newUserKey());
  }

  /**
   * The user key of the entry's account, opened with `password` through the gate: the key opening is
   * the proof of the password. A migrated account that has no key yet proves it with its login hash
   * and gets its key now.
   */
  async open(entry: GateEntry, password: string): Promise<Buffer> {
    const attempt = await this.gate.admit(entry);
    const user = await this.users.activeAccount(entry.account);
    if (user.userKey) return attempt.prove(() => this.unlock(user, password));
    await attempt.verify(password, user);
    // ensureCurrent may give the account its key salt too: `user` is read after it.
    const current = await this.ensureCurrent(user, password);
    const userKey = await this.unlock({ ...user, userKey: current }, password);
    if (!userKey) throw new Error(`User key of ${user.id} does not open with its verified password`);
    return userKey;
  }

  /** The user key, or undefined when the password is wrong (or the account has none yet). */
  private async unlock(user: User, password: string): Promise<Buffer | undefined> {
    if (!user.userKey) return undefined;
    const kek = await this.passwords.deriveKey(password, Buffer.from(user.keySalt, 'hex'), user.userKey.kdf);
    return unwrapUserKey(kek, user.userKey.wrapped, user.id);
  }

  /**
   * After a verified login: gives a migrated account its first user key (and a key salt, if it came
   * without one), and re-wraps an older key whose KDF parameters are below the current ones.
   * Returns the key the client should use; `user.keySalt` is then the salt that goes with it.
   */
  async ensureCurrent(user: User, password: string): Promise<WrappedUserKey> {
    const current = user.userKey;
    if (current && !weakerKdf(current.kdf, this.passwords.currentKdf)) return current;
    if (!current && !user.keySalt) return this.firstKeyWithFreshSalt(user, password);
    const userKey = current ? await this.unlock(user, password) : newUserKey();
    if (!userKey) {
      // The password was verified against the login hash, so the stored wrapped key is inconsistent.
      this.logger.error({ userId: user.id }, 'Wrapped user key does not open with the verified password');
      return current as WrappedUserKey;
    }
    const replacement = await this.wrap(user.id, password, user.keySalt, userKey);
    if (await this.users.replaceUserKey(user.id, replacement, current)) return replacement;
    // A concurrent login replaced it first: that one is the key now.
    return (await this.users.getById(user.id)).userKey as WrappedUserKey;
  }

  /** A migrated account whose key salt was NULL (it protected nothing) gets a fresh one with its first key. */
  private async firstKeyWithFreshSalt(user: User, password: string): Promise<WrappedUserKey> {
    const keySalt = newKeySalt();
    const userKey = await this.wrap(user.id, password, keySalt, newUserKey());
    if (await this.users.replaceUserKey(user.id, userKey, undefined, keySalt)) {
      user.keySalt = keySalt;
      return userKey;
    }
    // A concurrent login gave it a salt and key first: those are the account's now.
    const stored = await this.users.getById(user.id);
    user.keySalt = stored.keySalt;
    return stored.userKey as WrappedUserKey;
  }

  /**
   * The same user key, wrapped under a new password and key salt: every recording stays readable.
   * Undefined when `currentPassword` does not open the current key.
   */
  async rewrap(user: User, currentPassword: string, newPassword: string, newKeySalt: string): Promise<WrappedUserKey | undefined> {
    const userKey = user.userKey ? await this.unlock(user, currentPassword) : newUserKey();
    return userKey ? this.wrap(user.id, newPassword, newKeySalt, userKey) : undefined;
  }

  private async wrap(userId: string, password: string, keySalt: string, userKey: Buffer): Promise<WrappedUserKey> {
    const kdf = this.passwords.currentKdf;
    const kek = await this.passwords.deriveKey(password, Buffer.from(keySalt, 'hex'), kdf);
    return { wrapped: wrapUserKey(kek, userKey, userId), kdf };
  }
}
