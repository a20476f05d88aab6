import { randomBytes } from 'node:crypto';
import {
  AES256_GCM_HKDF_1MB,
  ciphertextSize,
  decrypt,
  DecryptionError,
  encrypt,
  headerLength,
  NONCE_PREFIX_BYTES,
  plaintextSize,
  StreamingAeadParameters,
} from './streaming-aead';
import { PRODUCTION_VECTOR, TINK_TEST_VECTORS } from '../../test/crypto/tink-test-vectors';

describe('AES-GCM-HKDF streaming AEAD against Tink’s published test vectors', () => {
  it.each(TINK_TEST_VECTORS.map((vector) => [vector.name, vector] as const))('decrypts vector %s', async (_name, vector) => {
    const plaintext = await decrypt(vector.parameters, Buffer.from(vector.keyHex, 'hex'), vector.aad, Buffer.from(vector.ciphertextHex, 'hex'));
    expect(plaintext.equals(vector.plaintext)).toBe(true);
  });

  it.each(TINK_TEST_VECTORS.map((vector) => [vector.name, vector] as const))(
    'reproduces vector %s byte for byte from its salt and nonce prefix',
    async (_name, vector) => {
      const expected = Buffer.from(vector.ciphertextHex, 'hex');
      const saltEnd = 1 + vector.parameters.derivedKeySizeBytes;
      const ciphertext = await encrypt(vector.parameters, Buffer.from(vector.keyHex, 'hex'), vector.aad, vector.plaintext, {
        salt: expected.subarray(1, saltEnd),
        noncePrefix: expected.subarray(saltEnd, saltEnd + NONCE_PREFIX_BYTES),
      });
      expect(ciphertext.toString('hex')).toBe(vector.ciphertextHex);
      expect(ciphertext.length).toBe(ciphertextSize(vector.parameters, vector.plaintext.length));
      expect(plaintextSize(vector.parameters, ciphertext.length)).toBe(vector.plaintext.length);
    },
  );
});

describe('the production-parameter vector', () => {
  it('encrypts to exactly the documented bytes', async () => {
    const v = PRODUCTION_VECTOR;
    const ciphertext = await encrypt(AES256_GCM_HKDF_1MB, Buffer.from(v.keyHex, 'hex'), v.aad, v.plaintext, {
      salt: Buffer.from(v.saltHex, 'hex'),
      noncePrefix: Buffer.from(v.noncePrefixHex, 'hex'),
    });
    expect(ciphertext.toString('hex')).toBe(v.ciphertextHex);
    expect(ciphertext.length).toBe(69);
  });
});

describe('AES-GCM-HKDF streaming AEAD properties', () => {
  const small: StreamingAeadParameters = { keySizeBytes: 32, derivedKeySizeBytes: 32, hkdfHash: 'sha256', ciphertextSegmentSizeBytes: 128 };
  const key = randomBytes(32);
  const aad = Buffer.from('user:file');

  it('round-trips every length around segment boundaries', async () => {
    const firstSegment = small.ciphertextSegmentSizeBytes - headerLength(small) - 16;
    for (const length of [0, 1, firstSegment - 1, firstSegment, firstSegment + 1, firstSegment + 112, firstSegment + 113, 1000]) {
      const plaintext = randomBytes(length);
      const ciphertext = await encrypt(small, key, aad, plaintext);
      expect(ciphertext.length).toBe(ciphertextSize(small, length));
      expect(plaintextSize(small, ciphertext.length)).toBe(length);
      expect((await decrypt(small, key, aad, ciphertext)).equals(plaintext)).toBe(true);
    }
  });

  describe('refuses modified ciphertexts', () => {
    let plaintext: Buffer;
    let ciphertext: Buffer;
    const segment = small.ciphertextSegmentSizeBytes;
    const firstEnd = segment;

    beforeAll(async () => {
      plaintext = randomBytes(500);
      ciphertext = await encrypt(small, key, aad, plaintext);
    });

    const refused = (modified: Buffer, withKey = key, withAad = aad) =>
      expect(decrypt(small, withKey, withAad, modified)).rejects.toBeInstanceOf(DecryptionError);

    it('with any single byte flipped', async () => {
      for (let index = 0; index < ciphertext.length; index += 7) {
        const modified = Buffer.from(ciphertext);
        modified[index] ^= 0x01;
        await refused(modified);
      }
    });

    it('truncated at a segment boundary (missing last segment) or mid-segment', async () => {
      await refused(ciphertext.subarray(0, firstEnd));
      await refused(ciphertext.subarray(0, firstEnd + segment));
      await refused(ciphertext.subarray(0, ciphertext.length - 1));
      await refused(ciphertext.subarray(0, 10));
      await refused(Buffer.alloc(0));
    });

    it('with segments reordered, duplicated or with bytes appended', async () => {
      const header = ciphertext.subarray(0, headerLength(small));
      const first = ciphertext.subarray(headerLength(small), firstEnd);
      const second = ciphertext.subarray(firstEnd, firstEnd + segment);
      const third = ciphertext.subarray(firstEnd + segment, firstEnd + 2 * segment);
      const rest = ciphertext.subarray(firstEnd + 2 * segment);
      await refused(Buffer.concat([header, first, third, second, rest]));
      await refused(Buffer.concat([header, first, second, second, third, rest]));
      await refused(Buffer.concat([ciphertext, Buffer.from([0])]));
    });

    it('under another key or other associated data (another user or file)', async () => {
      await refused(ciphertext, randomBytes(32));
      await refused(ciphertext, key, Buffer.from('user:other-file'));
    });

    it('with an unknown header', async () => {
      const modified = Buffer.from(ciphertext);
      modified[0] = 0x18;
      await refused(modified);
    });
  });

  it('computes sizes for the production parameters and refuses impossible ones', () => {
    const mib = 1024 * 1024;
    expect(ciphertextSize(AES256_GCM_HKDF_1MB, 0)).toBe(40 + 16);
    expect(ciphertextSize(AES256_GCM_HKDF_1MB, mib - 56)).toBe(mib);
    expect(ciphertextSize(AES256_GCM_HKDF_1MB, mib - 55)).toBe(mib + 1 + 16);
    expect(plaintextSize(AES256_GCM_HKDF_1MB, 200 * mib)).toBe(200 * mib - 40 - 200 * 16);
    expect(() => plaintextSize(AES256_GCM_HKDF_1MB, 55)).toThrow(DecryptionError);
    expect(() => plaintextSize(AES256_GCM_HKDF_1MB, mib + 15)).toThrow(DecryptionError);
  });
});
