// The CMK data chain below the KEK: AEK -> per-block DEK -> AES-256-GCM sealed
// block. Pure functions of their inputs, so the simulator stays reproducible:
// the same AEK, block id and payload always give the same bytes.

import { createCipheriv, createDecipheriv, createHash, hkdfSync } from 'node:crypto';

export const AEK_BYTES = 32;
const DEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DEK_INFO = 'cmk-sim/dek';
const IV_DOMAIN = 'cmk-sim/iv\0';

/** An integrity or key failure: wrong key, tampered bytes, revoked (zeroed) AEK. */
export class CryptoError extends Error {
  override name = 'CryptoError';
}

export interface SealedBlock {
  readonly blockId: string;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function zeroize(buf: Buffer): void {
  buf.fill(0);
}

/**
 * Checks an AEK before use. An evicted AEK is zeroed in place, and a caller still
 * holding that buffer must fail loudly rather than seal new data under the
 * well-known all-zero key.
 */
export function assertLiveAek(aek: Buffer): void {
  if (aek.length !== AEK_BYTES) throw new Error(`an AEK is ${AEK_BYTES} bytes, got ${aek.length}`);
  if (aek.every((b) => b === 0)) throw new CryptoError('the AEK has been zeroized (evicted or revoked)');
}

function assertBlockId(blockId: string): void {
  // An empty salt would make HKDF fall back to a zero salt shared by every such block.
  if (blockId.length === 0) throw new Error('a block id must not be empty');
}

export function deriveDek(aek: Buffer, blockId: string): Buffer {
  assertLiveAek(aek);
  assertBlockId(blockId);
  return Buffer.from(hkdfSync('sha256', aek, Buffer.from(blockId, 'utf8'), DEK_INFO, DEK_BYTES));
}

// A fixed IV per block id is safe because every DEK is unique to (AEK, block id)
// and seals exactly one payload, so no (key, IV) pair is ever used twice.
// That holds only while a block id is sealed once per AEK: re-sealing the same
// id with a different payload under the same AEK would reuse the nonce.
function blockIv(blockId: string): Buffer {
  return createHash('sha256').update(IV_DOMAIN).update(blockId, 'utf8').digest().subarray(0, IV_BYTES);
}

export function sealBlock(aek: Buffer, blockId: string, payload: Buffer): SealedBlock {
  const dek = deriveDek(aek, blockId);
  try {
    const iv = blockIv(blockId);
    const cipher = createCipheriv('aes-256-gcm', dek, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(blockId, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(payload), cipher.final()]);
    return Object.freeze({ blockId, iv, ciphertext, tag: cipher.getAuthTag() });
  } finally {
    zeroize(dek);
  }
}

/** `blockId` defaults to the sealed one; passing the id the caller expects binds the block to it. */
export function openBlock(aek: Buffer, sealed: SealedBlock, blockId: string = sealed.blockId): Buffer {
  const dek = deriveDek(aek, blockId);
  try {
    // An explicit tag length, or Node would accept a truncated tag.
    const decipher = createDecipheriv('aes-256-gcm', dek, sealed.iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(blockId, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    const plain = decipher.update(sealed.ciphertext);
    try {
      decipher.final();
    } catch (err) {
      // update() hands out plaintext before the tag is checked; it must not survive.
      zeroize(plain);
      throw err;
    }
    return plain;
  } catch {
    throw new CryptoError(`block ${blockId} cannot be opened: wrong key, tampered, or another block`);
  } finally {
    zeroize(dek);
  }
}

/** iv | tag | ciphertext: the form the infrastructure layer encrypts again. */
export function sealedBytes(sealed: SealedBlock): Buffer {
  if (sealed.iv.length !== IV_BYTES || sealed.tag.length !== TAG_BYTES) {
    throw new Error(`a sealed block has a ${IV_BYTES}-byte IV and a ${TAG_BYTES}-byte tag`);
  }
  return Buffer.concat([sealed.iv, sealed.tag, sealed.ciphertext]);
}

export function sealedFromBytes(blockId: string, bytes: Buffer): SealedBlock {
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new CryptoError(`block ${blockId}: too short to be a sealed block`);
  // Copies, so the result does not change if the caller reuses or zeroes `bytes`.
  return Object.freeze({
    blockId,
    iv: Buffer.from(bytes.subarray(0, IV_BYTES)),
    tag: Buffer.from(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES)),
    ciphertext: Buffer.from(bytes.subarray(IV_BYTES + TAG_BYTES)),
  });
}
