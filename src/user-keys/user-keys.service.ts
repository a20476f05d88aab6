import { Injectable, Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { canonicalRecoveryCode, newRecoveryCode } from '../crypto/recovery-code';
import {
  KdfParameters,
  newKeySalt,
  newUserKey,
  recoveryKeyAad,
  unwrapKey,
  unwrapUserKey,
  userKeyAad,
  weakerKdf,
  wrapKey,
  wrapUserKey,
  WrappedUserKey,
} from '../crypto/user-key';
import { Keyring, OlderUserKey, RecoveryWrap, User } from '../users/user';
import { UsersService } from '../users/users.service';
import { GateEntry, PasswordGate } from '../password-gate/password-gate';
import { PasswordHasher } from '../password-gate/password-hasher';

const RECOVERY_SALT_BYTES = 32;

/** Key id → the 32-byte user key. */
type UserKeys = Map<number, Buffer>;

interface IssuedRecovery {
  /** Shown to the user once, never stored. */
  code: string;
  recovery: RecoveryWrap;
}

/** The keyring fields of `user`, to change some and save them together (UsersService.saveKeyring). */
export function keyringOf(user: User & { userKey: WrappedUserKey }): Keyring {
  const { keySalt, keyId, olderKeys, lockedKeys, userKey, recovery } = user;
  return { keySalt, keyId, olderKeys, lockedKeys, userKey, recovery };
}

/**
 * The per-account user keys that recordings are encrypted under. Only wrapped forms are stored: under
 * Argon2id(password, key_salt), so the service can open them only while the user gives the password,
 * and under Argon2id(recovery code, recovery salt), so a forgotten password need not lose them. A
 * password change re-wraps a few values instead of re-encrypting every recording.
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

  /** A new account's first key, wrapped under its password and under a new recovery code. */
  async createWithRecovery(userId: string, password: string, keySalt: string, keyId: number): Promise<{ userKey: WrappedUserKey } & IssuedRecovery> {
    const key = newUserKey();
    const [userKey, issued] = await Promise.all([this.wrap(userId, password, keySalt, key), this.issueRecovery(userId, new Map([[keyId, key]]))]);
    return { userKey, ...issued };
  }

  /**
   * Every key of the entry's account that `password` opens, through the gate: the current key opening
   * is the proof of the password. A migrated account that has no key yet proves it with its login
   * hash and gets its key now.
   */
  async open(entry: GateEntry, password: string): Promise<UserKeys> {
    const attempt = await this.gate.admit(entry);
    const user = await this.users.activeAccount(entry.account);
    if (user.userKey) return attempt.prove(() => this.unlockAll(user, password));
    await attempt.verify(password, user);
    // ensureCurrent may give the account its key salt too: `user` is read after it.
    const current = await this.ensureCurrent(user, password);
    const keys = await this.unlockAll({ ...user, userKey: current }, password);
    if (!keys) throw new Error(`User key of ${user.id} does not open with its verified password`);
    return keys;
  }

  /** The user key, or undefined when the password is wrong (or the account has none yet). */
  async unlock(user: User, password: string, keks = this.passwordKeks(user, password)): Promise<Buffer | undefined> {
    if (!user.userKey) return undefined;
    return unwrapUserKey(await keks(user.userKey.kdf), user.userKey.wrapped, user.id);
  }

  /** Every key the password opens (the current one and the older ones), or undefined when it is wrong. */
  async unlockAll(user: User, password: string): Promise<UserKeys | undefined> {
    const keks = this.passwordKeks(user, password);
    const current = await this.unlock(user, password, keks);
    if (!current) return undefined;
    const keys: UserKeys = new Map([[user.keyId, current]]);
    for (const older of user.olderKeys) {
      const key = unwrapKey(await keks(older.kdf), older.wrapped, userKeyAad(user.id));
      if (key) keys.set(older.keyId, key);
    }
    return keys;
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
   * A new recovery code over every key the (verified) password opens, replacing the current code,
   * which stops working. Undefined when the keyring changed meanwhile (nothing was saved).
   * `onlyIfNone`: only for an account that has no code yet (offered at login to accounts from
   * before recovery codes).
   */
  async replaceRecovery(user: User, password: string, { onlyIfNone = false } = {}): Promise<string | undefined> {
    if (!user.userKey || (onlyIfNone && user.recovery)) return undefined;
    const keys = await this.unlockAll(user, password);
    if (!keys) return undefined;
    const { code, recovery } = await this.issueRecovery(user.id, keys);
    return (await this.users.saveKeyring(user, { ...keyringOf({ ...user, userKey: user.userKey }), recovery })) ? code : undefined;
  }

  /**
   * Opens with `code` the keys a reset without the code locked, wraps them under the (verified)
   * password beside the others, and issues a new recovery code over all of them (the old codes stop
   * working). `invalid` when the code opens no locked key; undefined when the keyring changed meanwhile.
   */
  async redeemRecovery(user: User, password: string, code: string): Promise<{ unlocked: number[]; code: string } | 'invalid' | undefined> {
    const keys = user.userKey && (await this.unlockAll(user, password));
    if (!keys) return undefined;
    const stillLocked: RecoveryWrap[] = [];
    const unlocked: number[] = [];
    for (const wrap of user.lockedKeys) {
      const opened = await this.openRecovery(user.id, wrap, code);
      if (!opened) {
        stillLocked.push(wrap);
        continue;
      }
      for (const [keyId, key] of opened) {
        if (keys.has(keyId)) continue;
        keys.set(keyId, key);
        unlocked.push(keyId);
      }
    }
    if (stillLocked.length === user.lockedKeys.length) return 'invalid';
    const [wrapped, issued] = await Promise.all([
      this.wrapForPassword(user.id, password, user.keySalt, keys, user.keyId),
      this.issueRecovery(user.id, keys),
    ]);
    const keyring: Keyring = { ...keyringOf({ ...user, ...wrapped }), lockedKeys: stillLocked, recovery: issued.recovery };
    return (await this.users.saveKeyring(user, keyring)) ? { unlocked: unlocked.sort((a, b) => a - b), code: issued.code } : undefined;
  }

  /**
   * The keyring after a reset with the recovery code: the same keys (`keys`, opened with the code),
   * now under the new password and a new key salt. Every recording stays readable; the code stays valid.
   */
  async keyringAfterRecoveredReset(user: User, keys: UserKeys, newPassword: string): Promise<Keyring> {
    const keySalt = newKeySalt();
    const [passwordHash, wrapped] = await Promise.all([
      this.passwords.hash(newPassword),
      this.wrapForPassword(user.id, newPassword, keySalt, keys, user.keyId),
    ]);
    return { keySalt, keyId: user.keyId, ...wrapped, recovery: user.recovery, lockedKeys: user.lockedKeys, passwordHash };
  }

  /**
   * The keyring after a reset without the code: a new user key for new recordings under a new id.
   * The old keys stay stored under the recovery code of this time (so that code unlocks them later);
   * the account has no code for the new key until its next login offers one.
   */
  async keyringAfterUnrecoveredReset(user: User, newPassword: string): Promise<Keyring> {
    const keySalt = newKeySalt();
    const usedIds = [user.keyId, ...user.olderKeys.map((key) => key.keyId), ...user.lockedKeys.flatMap((wrap) => wrap.keys.map((key) => key.keyId))];
    // A migrated account that never signed in has no key yet: its first one is made now.
    const keyId = user.userKey ? Math.max(...usedIds) + 1 : user.keyId;
    const [passwordHash, userKey] = await Promise.all([this.passwords.hash(newPassword), this.wrap(user.id, newPassword, keySalt, newUserKey())]);
    return {
      keySalt,
      keyId,
      userKey,
      olderKeys: [],
      recovery: undefined,
      lockedKeys: [...user.lockedKeys, ...(user.recovery ? [user.recovery] : [])],
      passwordHash,
    };
  }

  /** `keys` wrapped under a password and key salt: the current one as the user key, the rest as older keys. */
  async wrapForPassword(
    userId: string,
    password: string,
    keySalt: string,
    keys: UserKeys,
    currentKeyId: number,
  ): Promise<Pick<Keyring, 'userKey' | 'olderKeys'>> {
    const kdf = this.passwords.currentKdf;
    const kek = await this.passwords.deriveKey(password, Buffer.from(keySalt, 'hex'), kdf);
    const olderKeys: OlderUserKey[] = [...keys]
      .filter(([keyId]) => keyId !== currentKeyId)
      .map(([keyId, key]) => ({ keyId, wrapped: wrapKey(kek, key, userKeyAad(userId)), kdf }));
    return { userKey: { wrapped: wrapUserKey(kek, keys.get(currentKeyId) as Buffer, userId), kdf }, olderKeys };
  }

  /** A new recovery code and `keys` wrapped under it. */
  async issueRecovery(userId: string, keys: UserKeys): Promise<IssuedRecovery> {
    const code = newRecoveryCode();
    const salt = randomBytes(RECOVERY_SALT_BYTES).toString('hex');
    const kdf = this.passwords.currentKdf;
    const kek = await this.recoveryKek(canonicalRecoveryCode(code) as string, salt, kdf);
    const wrapped = [...keys].map(([keyId, key]) => ({ keyId, wrapped: wrapKey(kek, key, recoveryKeyAad(userId, keyId)) }));
    return { code, recovery: { salt, kdf, keys: wrapped } };
  }

  /** The keys `wrap` holds, or undefined when `code` is not its recovery code. */
  async openRecovery(userId: string, wrap: RecoveryWrap, code: string): Promise<UserKeys | undefined> {
    const canonical = canonicalRecoveryCode(code);
    if (!canonical) return undefined;
    const kek = await this.recoveryKek(canonical, wrap.salt, wrap.kdf);
    const keys: UserKeys = new Map();
    for (const { keyId, wrapped } of wrap.keys) {
      const key = unwrapKey(kek, wrapped, recoveryKeyAad(userId, keyId));
      if (!key) return undefined;
      keys.set(keyId, key);
    }
    return keys;
  }

  private recoveryKek(canonicalCode: string, salt: string, kdf: KdfParameters): Promise<Buffer> {
    return this.passwords.deriveKey(canonicalCode, Buffer.from(salt, 'hex'), kdf);
  }

  /** Key-encryption keys of one password, derived once per KDF parameter set (keys mostly share one). */
  private passwordKeks(user: User, password: string): (kdf: KdfParameters) => Promise<Buffer> {
    const derived = new Map<string, Promise<Buffer>>();
    return (kdf) => {
      const id = JSON.stringify(kdf);
      if (!derived.has(id)) derived.set(id, this.passwords.deriveKey(password, Buffer.from(user.keySalt, 'hex'), kdf));
      return derived.get(id) as Promise<Buffer>;
    };
  }

  private async wrap(userId: string, password: string, keySalt: string, userKey: Buffer): Promise<WrappedUserKey> {
    const kdf = this.passwords.currentKdf;
    const kek = await this.passwords.deriveKey(password, Buffer.from(keySalt, 'hex'), kdf);
    return { wrapped: wrapUserKey(kek, userKey, userId), kdf };
  }
}
