import type { StreamingAeadParameters } from '../../src/crypto/streaming-aead';

/**
 * Tink's published known-answer vectors for AES-GCM-HKDF streaming AEAD, as listed in tink-java's
 * `streamingaead/internal/testing/AesGcmHkdfStreamingTestUtil.java` (test vectors 0 to 7). They use
 * small segments so that multi-segment cases stay short; the format is the same at 1 MiB.
 */
export interface TinkTestVector {
  name: string;
  parameters: StreamingAeadParameters;
  keyHex: string;
  plaintext: Buffer;
  aad: Buffer;
  ciphertextHex: string;
}

const KEY_16 = '6eb56cdc726dfbe5d57f2fcdc6e9345b';
const KEY_32 = '00112233445566778899aabbccddeeff6eb56cdc726dfbe5d57f2fcdc6e9345b';
const empty = Buffer.alloc(0);

export const TINK_TEST_VECTORS: TinkTestVector[] = [
  {
    name: '0: three segments, SHA-1, 16-byte key',
    parameters: { keySizeBytes: 16, derivedKeySizeBytes: 16, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_16,
    plaintext: Buffer.from('This is a fairly long plaintext. It is of the exact length to create three output blocks. '),
    aad: Buffer.from('aad'),
    ciphertextHex:
      '18' +
      '93b3af5e14ab378d065addfc8484da64' +
      '2c0862877baea8' +
      'db92d9c77406a406168478821c4298eab3e6d531277f4c1a051714faebcaefcbca7b7be05e9445ea' +
      'a0bb2904153398a25084dd80ae0edcd1c3079fcea2cd3770630ee36f7539207b8ec9d754956d486b71cdf989f0ed6fba6779b63558be0a66e668df14e1603cd2' +
      'af8944844078345286d0b292e772e7190775c51a0f83e40c0b75821027e7e538e111',
  },
  {
    name: '1: empty plaintext and aad, SHA-1',
    parameters: { keySizeBytes: 16, derivedKeySizeBytes: 16, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_16,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '18ec99b2c3884194023bd41bb9bff309205354c750fa0cb3c0d02609abf71f88eaeaa48d7deca27f',
  },
  {
    name: '2: empty, SHA-256',
    parameters: { keySizeBytes: 16, derivedKeySizeBytes: 16, hkdfHash: 'sha256', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_16,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '18be78bce0cab6fd38a9041eea8ab0ffc4cf17e3c00b661d3927f5f79069f41a210fedc40b25648c',
  },
  {
    name: '3: empty, SHA-512',
    parameters: { keySizeBytes: 16, derivedKeySizeBytes: 16, hkdfHash: 'sha512', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_16,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '18fec8139ccb406e0f140d7e2bcc41e1b899bc1b121574cc31d1c78ed2ca1cdf324665b8dce21095',
  },
  {
    name: '4: empty, 32-byte key',
    parameters: { keySizeBytes: 32, derivedKeySizeBytes: 16, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_32,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '180880e85a24207a7b72cefde26306ed09d7d76e58104b751d005a3ffd72dd6151f0d9c8ccf163f7',
  },
  {
    name: '5: empty, 32-byte derived key',
    parameters: { keySizeBytes: 32, derivedKeySizeBytes: 32, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 64 },
    keyHex: KEY_32,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '28fae780c70a82d1256c8303a1261ac6a98cf557b4e173967a62f3c149517ba5b2431da93b3c6e90f508b34dc14bfda59bab05681c6ad3fa',
  },
  {
    name: '6: empty, 128-byte segments',
    parameters: { keySizeBytes: 32, derivedKeySizeBytes: 32, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 128 },
    keyHex: KEY_32,
    plaintext: empty,
    aad: empty,
    ciphertextHex: '28fae780c70a82d1256c8303a1261ac6a98cf557b4e173967a62f3c149517ba5b2431da93b3c6e90f508b34dc14bfda59bab05681c6ad3fa',
  },
  {
    name: '7: 120-byte segments, 40-byte header, binary aad',
    parameters: { keySizeBytes: 32, derivedKeySizeBytes: 32, hkdfHash: 'sha1', ciphertextSegmentSizeBytes: 120 },
    keyHex: KEY_32,
    plaintext: Buffer.from('BLOCK 1.BLOCK 2.BLOCK 3.BLOCK 4.BLOCK 5.BLOCK 6.BLOCK 7.BLOCK 8.'),
    aad: Buffer.from([0, 1, 2, 3]),
    ciphertextHex:
      '28782994617714a80fa085e15051a16854522330d6d0f26c049b2192f09cdd98b2eb90c753bfff277a29e54fa4afb15d648c28477eb07f012535c767f5fdce24ffffae318480c1d37357d6d3c511159318afa09ef38aa3f5456fd7817c5c02dd6e1a7fef174c8bd24e38b5982ac105497c0101ac5581fe5b',
  },
];

/**
 * A vector at the production parameters (docs/encryption-format.md, section 4): made by this
 * implementation and decrypted by the independent WebCrypto one in the tests.
 */
export const PRODUCTION_VECTOR = {
  keyHex: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  aad: Buffer.from('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11:9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d'),
  saltHex: '202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f',
  noncePrefixHex: 'a0a1a2a3a4a5a6',
  plaintext: Buffer.from('hello panzoto'),
  ciphertextHex:
    '28202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3fa0a1a2a3a4a5a6' + '0440a8c1ebdaf079642254e259bac95163262a8623d0e6f3bb43048cdd',
};

/** Argon2id KEK vector: the client's key derivation must give exactly this. */
export const KEK_VECTOR = {
  password: 'SecurePassword123!',
  keySaltHex: '11'.repeat(32),
  kdf: { algorithm: 'argon2id', version: 19, memory_kib: 19456, iterations: 2, parallelism: 1, key_length: 32 } as const,
  kekHex: '66e8498ea1a369f6cead8ea0cf94d801284dae481853d320ac73ff1e54b8ed61',
};
