import { AES256_GCM_HKDF_1MB } from '../crypto/streaming-aead';
import { userKeyAad, WrappedUserKey } from '../crypto/user-key';
import type { User } from '../users/user';
import type { EncryptionDto } from './dto/encryption.dto';

export const RECORDING_FORMAT = 'tink/aes-gcm-hkdf-streaming';

export function encryptionInfo(user: User, userKey: WrappedUserKey): EncryptionDto {
  return {
    format: RECORDING_FORMAT,
    streaming: {
      key_size_bytes: AES256_GCM_HKDF_1MB.keySizeBytes,
      derived_key_size_bytes: AES256_GCM_HKDF_1MB.derivedKeySizeBytes,
      hkdf_hash: AES256_GCM_HKDF_1MB.hkdfHash.toUpperCase(),
      ciphertext_segment_size_bytes: AES256_GCM_HKDF_1MB.ciphertextSegmentSizeBytes,
    },
    associated_data: '<user_id>:<file_id>',
    key_salt: user.keySalt,
    kdf: { ...userKey.kdf },
    wrapped_user_key: userKey.wrapped,
    key_id: user.keyId,
    key_wrapping: {
      algorithm: 'AES-256-GCM',
      layout: 'nonce(12) || ciphertext(32) || tag(16), base64',
      associated_data: userKeyAad(user.id).toString(),
    },
  };
}
