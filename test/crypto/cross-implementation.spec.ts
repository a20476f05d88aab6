import { randomBytes } from 'node:crypto';
import { AES256_GCM_HKDF_1MB, decrypt, encrypt, StreamingAeadParameters } from '../../src/crypto/streaming-aead';
import { PRODUCTION_VECTOR, TINK_TEST_VECTORS } from './tink-test-vectors';
import { webDecrypt, webEncrypt } from '../support/webcrypto-tink-streaming';

describe('the service’s streaming AEAD and an independent WebCrypto implementation agree', () => {
  const small: StreamingAeadParameters = { keySizeBytes: 32, derivedKeySizeBytes: 32, hkdfHash: 'sha256', ciphertextSegmentSizeBytes: 256 };
  const aad = Buffer.from('3f0c1e0e-7f5e-4a53-9a53-2f1a0b7b9c11:9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d');

  it('WebCrypto reads Tink’s test vectors', async () => {
    for (const vector of TINK_TEST_VECTORS) {
      const plaintext = await webDecrypt(vector.parameters, Buffer.from(vector.keyHex, 'hex'), vector.aad, Buffer.from(vector.ciphertextHex, 'hex'));
      expect(plaintext.equals(vector.plaintext)).toBe(true);
    }
  });

  it('WebCrypto reads the production-parameter vector', async () => {
    const v = PRODUCTION_VECTOR;
    const plaintext = await webDecrypt(AES256_GCM_HKDF_1MB, Buffer.from(v.keyHex, 'hex'), v.aad, Buffer.from(v.ciphertextHex, 'hex'));
    expect(plaintext.equals(v.plaintext)).toBe(true);
  });

  it.each([0, 1, 199, 200, 201, 1000, 5000])('service → WebCrypto and WebCrypto → service for %i bytes', async (length) => {
    const key = randomBytes(32);
    const plaintext = randomBytes(length);
    const fromService = await encrypt(small, key, aad, plaintext);
    expect((await webDecrypt(small, key, aad, fromService)).equals(plaintext)).toBe(true);
    const fromWeb = await webEncrypt(small, key, aad, plaintext);
    expect((await decrypt(small, key, aad, fromWeb)).equals(plaintext)).toBe(true);
  });

  it('agrees at the production parameters across a 1 MiB segment boundary', async () => {
    const key = randomBytes(32);
    const plaintext = randomBytes(1024 * 1024 + 4321);
    const fromService = await encrypt(AES256_GCM_HKDF_1MB, key, aad, plaintext);
    expect((await webDecrypt(AES256_GCM_HKDF_1MB, key, aad, fromService)).equals(plaintext)).toBe(true);
    const fromWeb = await webEncrypt(AES256_GCM_HKDF_1MB, key, aad, plaintext);
    expect((await decrypt(AES256_GCM_HKDF_1MB, key, aad, fromWeb)).equals(plaintext)).toBe(true);
  });
});
