import { ApiProperty } from '@nestjs/swagger';
import { AES256_GCM_HKDF_1MB } from '../../crypto/streaming-aead';
import { userKeyAad, WrappedUserKey } from '../../crypto/user-key';
import type { User } from '../../users/user';

const RECORDING_FORMAT = 'tink/aes-gcm-hkdf-streaming';

export class StreamingParametersDto {
  @ApiProperty({ type: 'integer', example: 32, description: 'Bytes of the user key (Tink key material)' })
  key_size_bytes: number;

  @ApiProperty({ type: 'integer', example: 32 })
  derived_key_size_bytes: number;

  @ApiProperty({ example: 'SHA256' })
  hkdf_hash: string;

  @ApiProperty({ type: 'integer', example: 1048576 })
  ciphertext_segment_size_bytes: number;
}

export class KdfDto {
  @ApiProperty({ enum: ['argon2id'] })
  algorithm: 'argon2id';

  @ApiProperty({ type: 'integer', enum: [19], example: 19, description: 'Argon2 version 0x13' })
  version: 19;

  @ApiProperty({ type: 'integer', example: 19456 })
  memory_kib: number;

  @ApiProperty({ type: 'integer', example: 2 })
  iterations: number;

  @ApiProperty({ type: 'integer', example: 1 })
  parallelism: number;

  @ApiProperty({ type: 'integer', enum: [32], example: 32, description: 'Bytes of the key-encryption key' })
  key_length: 32;
}

class KeyWrappingDto {
  @ApiProperty({ example: 'AES-256-GCM' })
  algorithm: string;

  @ApiProperty({ example: 'nonce(12) || ciphertext(32) || tag(16), base64' })
  layout: string;

  @ApiProperty({ example: 'panzoto/user-key/v1:3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11' })
  associated_data: string;
}

/** Everything a client needs to turn the password into the user key (docs/encryption-format.md). */
export class EncryptionDto {
  @ApiProperty({ example: 'tink/aes-gcm-hkdf-streaming' })
  format: string;

  @ApiProperty({ type: StreamingParametersDto })
  streaming: StreamingParametersDto;

  @ApiProperty({ example: '<user_id>:<file_id>', description: 'Associated data of each recording, UTF-8' })
  associated_data: string;

  @ApiProperty({ pattern: '^[0-9a-f]{64}$', description: 'Argon2id salt of the key-encryption key (hex)' })
  key_salt: string;

  @ApiProperty({ type: KdfDto })
  kdf: KdfDto;

  @ApiProperty({ description: 'The user key wrapped under Argon2id(password, key_salt), base64' })
  wrapped_user_key: string;

  @ApiProperty({ type: 'integer', example: 1, description: 'Id of that user key; recordings record the key they are under (audio file `key_id`)' })
  key_id: number;

  @ApiProperty({ type: KeyWrappingDto })
  key_wrapping: KeyWrappingDto;
}

export function mapEncryption(user: User, userKey: WrappedUserKey): EncryptionDto {
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
