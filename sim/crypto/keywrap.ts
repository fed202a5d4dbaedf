// AES-256 key wrap (RFC 3394), shared by the oct-HSM KEK and the Microsoft-managed key.

import { createCipheriv, createDecipheriv, type KeyObject } from 'node:crypto';
import { CryptoError } from './chain.ts';
import { tallyCrypto } from './tally.ts';

// RFC 3394's default initial value; unwrap checks it, which is what detects a wrong key.
const RFC3394_IV = Buffer.from('A6A6A6A6A6A6A6A6', 'hex');

export function aesKeyWrap(key: KeyObject, plain: Buffer): Buffer {
  tallyCrypto('aes-256-kw.wrap', plain.length);
  const cipher = createCipheriv('id-aes256-wrap', key, RFC3394_IV);
  return Buffer.concat([cipher.update(plain), cipher.final()]);
}

export function aesKeyUnwrap(key: KeyObject, wrapped: Buffer): Buffer {
  tallyCrypto('aes-256-kw.unwrap', wrapped.length);
  try {
    const decipher = createDecipheriv('id-aes256-wrap', key, RFC3394_IV);
    return Buffer.concat([decipher.update(wrapped), decipher.final()]);
  } catch {
    throw new CryptoError('unwrap failed: not wrapped by this key, or tampered');
  }
}
