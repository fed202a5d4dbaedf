// The customer's Key Encryption Key. Lives only inside the Key Vault actor.
// Its private or secret material sits in a #private field and nothing hands it
// out: the model's rule is that no function outside Key Vault returns it, and
// the easiest way to keep that true is that no function at all does.

import {
  constants,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  type KeyObject,
} from 'node:crypto';
import { inspect } from 'node:util';
import type { KeyType, WrapAlgorithm } from '../scenario.ts';
import { AEK_BYTES, CryptoError, assertLiveAek } from './chain.ts';
import { aesKeyUnwrap, aesKeyWrap } from './keywrap.ts';
import { tallyCrypto } from './tally.ts';

const RSA_SIZES: readonly number[] = [2048, 3072, 4096];
const OCT_BITS = 256;

export interface RsaKeyPair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

function generateRsaPair(sizeBits: number): RsaKeyPair {
  tallyCrypto('rsa.keygen', sizeBits);
  return generateKeyPairSync('rsa', { modulusLength: sizeBits });
}

/**
 * RSA pairs kept for the later runs of one process (a sweep's thread). RSA
 * keygen, about a quarter of a second, is most of a short run, and it cannot
 * be seeded, so nothing a run reports depends on the pair's bytes. The n-th
 * RSA key a run creates of a size is the n-th pair of that size: within a run
 * every key is its own; only separate runs share.
 */
export class RsaKeyPool {
  private readonly bySize = new Map<number, RsaKeyPair[]>();

  /** A pool that starts with the pairs of another process's pool, as its toDer() wrote them (KeyObjects do not cross processes). */
  static fromDer(exported: readonly RsaPoolDer[]): RsaKeyPool {
    const pool = new RsaKeyPool();
    for (const { sizeBits, pkcs8 } of exported) {
      pool.bySize.set(
        sizeBits,
        pkcs8.map((der) => {
          const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
          return { privateKey, publicKey: createPublicKey(privateKey) };
        }),
      );
    }
    return pool;
  }

  pair(sizeBits: number, n: number): RsaKeyPair {
    let pairs = this.bySize.get(sizeBits);
    if (pairs === undefined) this.bySize.set(sizeBits, (pairs = []));
    while (pairs.length <= n) pairs.push(generateRsaPair(sizeBits));
    return pairs[n]!;
  }

  /** Makes the first `count` pairs of this size now, before any run asks. */
  fill(sizeBits: number, count: number): void {
    if (count > 0) this.pair(sizeBits, count - 1);
  }

  /** Every pair made so far, by size, as PKCS#8 DER private keys (each holds its public key). */
  toDer(): RsaPoolDer[] {
    return [...this.bySize].map(([sizeBits, pairs]) => ({ sizeBits, pkcs8: pairs.map((pair) => pair.privateKey.export({ format: 'der', type: 'pkcs8' })) }));
  }
}

/** The pairs of one size in an RsaKeyPool, in the form that crosses to another process. */
export interface RsaPoolDer {
  sizeBits: number;
  pkcs8: Uint8Array[];
}

type Material =
  | { readonly kind: 'rsa'; readonly publicKey: KeyObject; readonly privateKey: KeyObject; readonly oaepHash: 'sha256' | 'sha1' }
  | { readonly kind: 'oct'; readonly secret: KeyObject };

export class Kek {
  readonly kty: KeyType;
  readonly sizeBits: number;
  readonly algorithm: WrapAlgorithm;
  readonly #material: Material;

  private constructor(kty: KeyType, sizeBits: number, algorithm: WrapAlgorithm, material: Material) {
    this.kty = kty;
    this.sizeBits = sizeBits;
    this.algorithm = algorithm;
    this.#material = material;
  }

  /**
   * RSA keys come from Node's CSPRNG (keygen cannot be seeded), or from a pair
   * the caller generated (a sweep's RsaKeyPool); oct-HSM keys take their 32
   * bytes from the caller so a seeded run reproduces them. The bytes are
   * copied: the caller's buffer can be zeroed afterwards.
   */
  static generate(kty: KeyType, sizeBits: number, algorithm: WrapAlgorithm, material?: Buffer | RsaKeyPair): Kek {
    const what = `Kek.generate(${kty}, ${sizeBits}, ${algorithm})`;
    if (kty === 'oct-HSM') {
      if (algorithm !== 'A256KW') throw new Error(`${what}: oct-HSM keys wrap with A256KW only`);
      if (sizeBits !== OCT_BITS) throw new Error(`${what}: oct-HSM keys are ${OCT_BITS} bits`);
      if (!Buffer.isBuffer(material) || material.length !== OCT_BITS / 8) throw new Error(`${what}: needs ${OCT_BITS / 8} bytes of key material`);
      return new Kek(kty, sizeBits, algorithm, { kind: 'oct', secret: createSecretKey(material) });
    }
    if (algorithm === 'A256KW') throw new Error(`${what}: RSA keys wrap with RSA-OAEP-256 or RSA-OAEP, not A256KW`);
    if (!RSA_SIZES.includes(sizeBits)) throw new Error(`${what}: RSA keys are ${RSA_SIZES.join(', ')} bits`);
    if (Buffer.isBuffer(material)) throw new Error(`${what}: key material is for oct-HSM keys only`);
    if (material !== undefined && material.privateKey.asymmetricKeyDetails?.modulusLength !== sizeBits) throw new Error(`${what}: the given pair is not ${sizeBits} bits`);
    const { publicKey, privateKey } = material ?? generateRsaPair(sizeBits);
    const oaepHash = algorithm === 'RSA-OAEP-256' ? 'sha256' : 'sha1';
    return new Kek(kty, sizeBits, algorithm, { kind: 'rsa', publicKey, privateKey, oaepHash });
  }

  wrap(aek: Buffer): Buffer {
    assertLiveAek(aek);
    const m = this.#material;
    if (m.kind === 'oct') return aesKeyWrap(m.secret, aek);
    tallyCrypto(m.oaepHash === 'sha256' ? 'rsa-oaep-sha256.wrap' : 'rsa-oaep-sha1.wrap', this.sizeBits);
    return publicEncrypt({ key: m.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: m.oaepHash }, aek);
  }

  /** Throws CryptoError when `wrapped` was not wrapped by this key (or was tampered). */
  unwrap(wrapped: Buffer): Buffer {
    const m = this.#material;
    let aek: Buffer;
    if (m.kind === 'oct') {
      aek = aesKeyUnwrap(m.secret, wrapped);
    } else {
      tallyCrypto(m.oaepHash === 'sha256' ? 'rsa-oaep-sha256.unwrap' : 'rsa-oaep-sha1.unwrap', this.sizeBits);
      try {
        aek = privateDecrypt({ key: m.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: m.oaepHash }, wrapped);
      } catch {
        throw new CryptoError(`unwrap failed: not wrapped by this ${this.kty} key, or tampered`);
      }
    }
    if (aek.length !== AEK_BYTES) throw new CryptoError(`unwrap gave ${aek.length} bytes, not an AEK`);
    return aek;
  }

  // Pinned rather than left to the defaults, so what is printed or serialised
  // cannot grow to include the material if a Node version starts showing #fields.
  toJSON(): { kty: KeyType; sizeBits: number; algorithm: WrapAlgorithm } {
    return { kty: this.kty, sizeBits: this.sizeBits, algorithm: this.algorithm };
  }

  [inspect.custom](): string {
    return `Kek { kty: '${this.kty}', sizeBits: ${this.sizeBits}, algorithm: '${this.algorithm}' }`;
  }
}
