import { webcrypto } from 'node:crypto';

/**
 * A second, independent implementation of the recording format (docs/encryption-format.md), written
 * only from that document with WebCrypto (`crypto.subtle`), the API a browser or React Native client
 * would use. Whole-buffer, not streaming: it exists to cross-check the service's implementation.
 */
const subtle = webcrypto.subtle;
const HASHES = { sha1: 'SHA-1', sha256: 'SHA-256', sha512: 'SHA-512' } as const;

export interface FormatParameters {
  keySizeBytes: number;
  derivedKeySizeBytes: number;
  hkdfHash: keyof typeof HASHES;
  ciphertextSegmentSizeBytes: number;
}

async function segmentKey(p: FormatParameters, ikm: Uint8Array, salt: Uint8Array, aad: Uint8Array): Promise<webcrypto.CryptoKey> {
  const base = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits']);
  const bits = await subtle.deriveBits({ name: 'HKDF', hash: HASHES[p.hkdfHash], salt, info: aad }, base, p.derivedKeySizeBytes * 8);
  return subtle.importKey('raw', bits, 'AES-GCM', false, ['encrypt', 'decrypt']);
}

function nonce(prefix: Uint8Array, index: number, last: boolean): Uint8Array {
  const out = new Uint8Array(12);
  out.set(prefix, 0);
  new DataView(out.buffer).setUint32(7, index, false);
  out[11] = last ? 1 : 0;
  return out;
}

export async function webEncrypt(p: FormatParameters, ikm: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Buffer> {
  const headerLength = 1 + p.derivedKeySizeBytes + 7;
  const salt = webcrypto.getRandomValues(new Uint8Array(p.derivedKeySizeBytes));
  const prefix = webcrypto.getRandomValues(new Uint8Array(7));
  const key = await segmentKey(p, ikm, salt, aad);
  const parts: Uint8Array[] = [Uint8Array.of(headerLength), salt, prefix];
  let offset = 0;
  let index = 0;
  for (;;) {
    const size = p.ciphertextSegmentSizeBytes - 16 - (index === 0 ? headerLength : 0);
    const end = Math.min(offset + size, plaintext.length);
    const last = end === plaintext.length;
    const sealed = await subtle.encrypt({ name: 'AES-GCM', iv: nonce(prefix, index, last), tagLength: 128 }, key, plaintext.subarray(offset, end));
    parts.push(new Uint8Array(sealed));
    offset = end;
    index++;
    if (last) break;
  }
  return Buffer.concat(parts);
}

export async function webDecrypt(p: FormatParameters, ikm: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Buffer> {
  const headerLength = 1 + p.derivedKeySizeBytes + 7;
  if (ciphertext[0] !== headerLength) throw new Error('bad header');
  const salt = ciphertext.subarray(1, 1 + p.derivedKeySizeBytes);
  const prefix = ciphertext.subarray(1 + p.derivedKeySizeBytes, headerLength);
  const key = await segmentKey(p, ikm, salt, aad);
  const parts: Uint8Array[] = [];
  let offset = headerLength;
  let index = 0;
  while (offset < ciphertext.length || index === 0) {
    const size = p.ciphertextSegmentSizeBytes - (index === 0 ? headerLength : 0);
    const end = Math.min(offset + size, ciphertext.length);
    const last = end === ciphertext.length;
    const opened = await subtle.decrypt({ name: 'AES-GCM', iv: nonce(prefix, index, last), tagLength: 128 }, key, ciphertext.subarray(offset, end));
    parts.push(new Uint8Array(opened));
    offset = end;
    index++;
  }
  return Buffer.concat(parts);
}
