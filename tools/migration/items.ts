import type { AudioFile } from '../../src/audio-files/audio-file';
import { toAudioFileItem, toS3KeyClaimItem } from '../../src/audio-files/audio-file.item';
import type { User } from '../../src/users/user';
import { toEmailClaimItem, toUserItem } from '../../src/users/user.item';

export type Item = Record<string, unknown>;

/** Drops undefined attributes, as the service's document client does when it marshals an item. */
function defined(item: object): Item {
  return Object.fromEntries(Object.entries(item).filter(([, value]) => value !== undefined));
}

/**
 * The two items the service writes for an account (`DynamoDbUsersRepository.create`): the user item
 * and the email claim, from the service's own codec. A migrated account has no user key yet,
 * and an account without a key salt no `key_salt` (its first login adds both).
 */
export function userItems(user: User): { record: Item; claim: Item } {
  const record = defined(toUserItem({ ...user, userKey: undefined }));
  if (!user.keySalt) delete record.key_salt;
  return {
    record,
    claim: defined(toEmailClaimItem(user.email, user.id, user.createdAt)),
  };
}

/** The two items the service writes for an audio file (`DynamoDbAudioFilesRepository.create`). */
export function audioFileItems(file: AudioFile): { record: Item; claim: Item } {
  return {
    record: defined(toAudioFileItem(file)),
    claim: defined(toS3KeyClaimItem(file)),
  };
}

/**
 * Attributes the service may add to a user after migration: the user key and a missing key salt (made
 * at first login), the recovery code's wrapping (offered then), the keys a reset adds, and the email's
 * verification.
 */
const USER_ATTRIBUTES_ADDED_LATER = new Set([
  'wrapped_user_key',
  'user_key_kdf',
  'key_salt',
  'user_key_id',
  'older_user_keys',
  'recovery',
  'locked_keys',
  'keyring_version',
  'email_verified',
]);

/**
 * Names of the attributes in which `actual` (read from DynamoDB) differs from `expected`: a missing
 * or different value, or an attribute the migration would not write (except what the service adds
 * to accounts later).
 */
export function differingAttributes(expected: Item, actual: Item, kind: 'user' | 'audio_file' | 'claim'): string[] {
  const names = new Set([...Object.keys(expected), ...Object.keys(actual)]);
  return [...names]
    .filter((name) => !(kind === 'user' && USER_ATTRIBUTES_ADDED_LATER.has(name) && !(name in expected)))
    .filter((name) => expected[name] !== actual[name])
    .sort();
}

/** Where the stored record and claim differ from the ones the migration would write (claim attributes prefixed). */
export function storedDifferences(
  expected: { record: Item; claim: Item },
  record: Item | undefined,
  claim: Item | undefined,
  kind: 'user' | 'audio_file',
): string[] {
  return [
    ...(record ? differingAttributes(expected.record, record, kind) : []),
    ...(claim ? differingAttributes(expected.claim, claim, 'claim').map((name) => `claim.${name}`) : []),
  ];
}
