// Microsoft-managed keys (MMK) and the infrastructure layer of double encryption.
// Both keys are platform secrets: their bytes come from the caller (seeded, so
// reproducible) and are kept only in #private fields.

import { createCipheriv, createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { AEK_BYTES, CryptoError, NEW_BUFFER, assertLiveAek, hkdfSha256, written, zeroize, type Destination } from './chain.ts';
import { aesKeyUnwrap, aesKeyWrap } from './keywrap.ts';
import { tallyCrypto } from './tally.ts';

const PLATFORM_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

function assertKeyBytes(what: string, material: Buffer): void {
  if (material.length !== PLATFORM_KEY_BYTES) throw new Error(`${what}: needs ${PLATFORM_KEY_BYTES} bytes, got ${material.length}`);
}

/** The MMK KEK: wraps an account's MMK-AEK the way an oct-HSM KEK wraps a CMK AEK. */
export class PlatformKey {
  readonly #key: KeyObject;

  constructor(material: Buffer) {
    assertKeyBytes('PlatformKey', material);
    this.#key = createSecretKey(Buffer.from(material));
  }

  wrap(aek: Buffer): Buffer {
    assertLiveAek(aek);
    return aesKeyWrap(this.#key, aek);
  }

  unwrap(wrapped: Buffer): Buffer {
    const aek = aesKeyUnwrap(this.#key, wrapped);
    if (aek.length !== AEK_BYTES) throw new CryptoError(`unwrap gave ${aek.length} bytes, not an AEK`);
    return aek;
  }

  [inspect.custom](): string {
    return 'PlatformKey {}';
  }
}

/**
 * Double encryption: a second layer over the sealed block, with a different
 * algorithm (ChaCha20-Poly1305, not AES-GCM) and an independent platform key,
 * so a break of either layer alone exposes nothing.
 */
export class InfrastructureLayer {
  readonly #encKey: KeyObject;
  readonly #nonceKey: KeyObject;

  constructor(material: Buffer) {
    assertKeyBytes('InfrastructureLayer', material);
    // Two subkeys, so the key that makes nonces is never the key that encrypts.
    this.#encKey = InfrastructureLayer.#subkey(material, 'cmk-sim/infra/key');
    this.#nonceKey = InfrastructureLayer.#subkey(material, 'cmk-sim/infra/nonce');
  }

  static #subkey(material: Buffer, info: string): KeyObject {
    const bytes = hkdfSha256(material, Buffer.alloc(0), Buffer.from(info, 'utf8'), PLATFORM_KEY_BYTES);
    try {
      return createSecretKey(bytes);
    } finally {
      zeroize(bytes);
    }
  }

  // One infrastructure key covers every block, and a block id can be written
  // more than once (say under MMK, then again under CMK), so a nonce from the
  // block id alone could repeat. The nonce is instead a PRF of block id and data:
  // reproducible without a seed, and it repeats only for identical input, which
  // gives identical output and reveals nothing but that equality.
  #nonce(id: Buffer, data: Buffer): Buffer {
    const idLength = Buffer.alloc(4);
    idLength.writeUInt32BE(id.length); // so (id, data) boundaries cannot shift
    tallyCrypto('hmac-sha256', idLength.length + id.length + data.length);
    return createHmac('sha256', this.#nonceKey).update(idLength).update(id).update(data).digest().subarray(0, NONCE_BYTES);
  }

  /** nonce | tag | ciphertext, with the block id as associated data, written where `into` says. */
  encrypt(blockId: string, data: Buffer, into: Destination = NEW_BUFFER): Buffer {
    const id = Buffer.from(blockId, 'utf8');
    const nonce = this.#nonce(id, data);
    const cipher = createCipheriv('chacha20-poly1305', this.#encKey, nonce, { authTagLength: TAG_BYTES });
    // plaintextLength only matters for CCM; @types/node requires it for ChaCha20-Poly1305 too.
    cipher.setAAD(id, { plaintextLength: data.length });
    tallyCrypto('chacha20-poly1305.seal', data.length, id.length);
    const ciphertext = cipher.update(data);
    // A stream cipher: everything came out of update().
    if (cipher.final().length !== 0) throw new Error('internal: ChaCha20-Poly1305 held back ciphertext until final()');
    return written(into, [nonce, cipher.getAuthTag(), ciphertext]);
  }

  decrypt(blockId: string, data: Buffer): Buffer {
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new CryptoError(`block ${blockId}: too short for the infrastructure layer`);
    try {
      const decipher = createDecipheriv('chacha20-poly1305', this.#encKey, data.subarray(0, NONCE_BYTES), {
        authTagLength: TAG_BYTES,
      });
      const ciphertext = data.subarray(NONCE_BYTES + TAG_BYTES);
      const id = Buffer.from(blockId, 'utf8');
      decipher.setAAD(id, { plaintextLength: ciphertext.length });
      decipher.setAuthTag(data.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
      tallyCrypto('chacha20-poly1305.open', ciphertext.length, id.length);
      const plain = decipher.update(ciphertext);
      try {
        decipher.final();
      } catch (err) {
        zeroize(plain); // unauthenticated bytes must not survive
        throw err;
      }
      return plain;
    } catch {
      throw new CryptoError(`block ${blockId}: infrastructure layer failed: wrong key, tampered, or another block`);
    }
  }

  [inspect.custom](): string {
    return 'InfrastructureLayer {}';
  }
}
