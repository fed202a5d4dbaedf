import { test } from 'uvu';
import * as assert from 'uvu/assert';
import crypto, { KeyObject, createHash } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import util from 'node:util';
import type { KeyType, WrapAlgorithm } from '../sim/scenario.ts';
import {
  AEK_BYTES,
  CryptoError,
  InfrastructureLayer,
  Kek,
  RsaKeyPool,
  PlatformKey,
  deriveDek,
  openBlock,
  sealBlock,
  sealedBytes,
  sealedFromBytes,
  zeroize,
  type SealedBlock,
} from '../sim/crypto/index.ts';

/** 32 reproducible bytes named by a label (an AEK, an oct key, a platform key). */
const bytes32 = (label: string): Buffer => createHash('sha256').update(label).digest();
const payload = Buffer.from('{"TimeGenerated":"2020-11-01T00:00:00Z","Computer":"web-01"}');

function throwsCryptoError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, CryptoError, `${what}: ${String(err)}`);
    return;
  }
  assert.unreachable(`${what}: did not throw`);
}

function flip(buf: Buffer, index = 0): Buffer {
  const copy = Buffer.from(buf);
  copy[index] = (copy[index] ?? 0) ^ 0x01;
  return copy;
}

function roundTrip(kek: Kek): void {
  const aek = bytes32('account aek');
  const wrapped = kek.wrap(aek);
  assert.not.ok(wrapped.includes(aek), 'the wrapped AEK does not contain the AEK');
  const unwrapped = kek.unwrap(wrapped);
  assert.ok(unwrapped.equals(aek));
  assert.ok(openBlock(unwrapped, sealBlock(aek, 'ws1/2020-11-01T00/0', payload)).equals(payload));
}

test('round trip: an RSA-2048 KEK wraps and unwraps the AEK with RSA-OAEP-256', () => {
  roundTrip(Kek.generate('RSA', 2048, 'RSA-OAEP-256'));
});

test('round trip: an RSA-2048 KEK wraps and unwraps the AEK with RSA-OAEP', () => {
  roundTrip(Kek.generate('RSA', 2048, 'RSA-OAEP'));
});

test('round trip: an RSA-3072 KEK wraps and unwraps the AEK with RSA-OAEP-256', () => {
  const kek = Kek.generate('RSA-HSM', 3072, 'RSA-OAEP-256');
  assert.is(kek.wrap(bytes32('aek')).length, 3072 / 8);
  roundTrip(kek);
});

test('round trip: an oct-HSM KEK wraps and unwraps the AEK with A256KW', () => {
  roundTrip(Kek.generate('oct-HSM', 256, 'A256KW', bytes32('oct kek')));
});

test('A256KW is the RFC 3394 key wrap (test vector 4.6: 256-bit key data with a 256-bit KEK)', () => {
  const kek = Kek.generate('oct-HSM', 256, 'A256KW', Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex'));
  const keyData = Buffer.from('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', 'hex');
  const expected = '28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21';
  assert.is(kek.wrap(keyData).toString('hex').toUpperCase(), expected);
});

test('invalid key type, size and wrap algorithm combinations are rejected', () => {
  const invalid: Array<[KeyType, number, WrapAlgorithm, Buffer?]> = [
    ['RSA', 2048, 'A256KW'],
    ['RSA-HSM', 2048, 'A256KW'],
    ['RSA', 1024, 'RSA-OAEP-256'],
    ['RSA', 2048, 'RSA-OAEP-256', bytes32('not for RSA')],
    ['oct-HSM', 256, 'RSA-OAEP-256', bytes32('k')],
    ['oct-HSM', 256, 'RSA-OAEP', bytes32('k')],
    ['oct-HSM', 128, 'A256KW', bytes32('k').subarray(0, 16)],
    ['oct-HSM', 256, 'A256KW'],
    ['oct-HSM', 256, 'A256KW', bytes32('k').subarray(0, 16)],
  ];
  for (const [kty, size, alg, material] of invalid) {
    assert.throws(() => Kek.generate(kty, size, alg, material), /Kek\.generate/, `${kty} ${size} ${alg}`);
  }
});

test('rotation re-wraps the AEK with the new KEK version: blocks sealed before still open with the unwrapped AEK', () => {
  const v1 = Kek.generate('RSA', 2048, 'RSA-OAEP-256');
  const v2 = Kek.generate('RSA', 2048, 'RSA-OAEP-256');
  const aek = v1.unwrap(v1.wrap(bytes32('account aek')));
  const before = sealBlock(aek, 'ws1/before-rotation', payload);

  const rewrapped = v2.wrap(v1.unwrap(v1.wrap(aek)));
  const aekAfter = v2.unwrap(rewrapped);

  assert.ok(aekAfter.equals(aek), 'the AEK is unchanged by rotation');
  assert.ok(openBlock(aekAfter, before).equals(payload));
  throwsCryptoError(() => v1.unwrap(rewrapped), 'the old version cannot unwrap the re-wrapped AEK');
});

test('a sweep pool hands a run distinct RSA pairs and the next run the same ones; a pooled pair wraps like a fresh one', () => {
  const pool = new RsaKeyPool();
  const first = pool.pair(2048, 0);
  assert.is(pool.pair(2048, 0), first, 'the n-th key of the next run reuses the n-th pair');
  assert.is.not(pool.pair(2048, 1), first, 'a second key in one run is a key of its own');
  const v1 = Kek.generate('RSA', 2048, 'RSA-OAEP-256', first);
  const v2 = Kek.generate('RSA', 2048, 'RSA-OAEP-256', pool.pair(2048, 1));
  roundTrip(v1);
  throwsCryptoError(() => v2.unwrap(v1.wrap(bytes32('account aek'))), 'the two versions of a run are different keys');
  assert.throws(() => Kek.generate('RSA', 3072, 'RSA-OAEP-256', first), /not 3072 bits/);
  assert.throws(() => Kek.generate('oct-HSM', 256, 'A256KW', first), /needs 32 bytes/);
});

test('a wrong KEK cannot unwrap the AEK', () => {
  const aek = bytes32('account aek');
  const rsaA = Kek.generate('RSA', 2048, 'RSA-OAEP-256');
  const rsaB = Kek.generate('RSA', 2048, 'RSA-OAEP-256');
  const octA = Kek.generate('oct-HSM', 256, 'A256KW', bytes32('oct a'));
  const octB = Kek.generate('oct-HSM', 256, 'A256KW', bytes32('oct b'));
  throwsCryptoError(() => rsaB.unwrap(rsaA.wrap(aek)), 'another RSA key');
  throwsCryptoError(() => octB.unwrap(octA.wrap(aek)), 'another oct key');
  throwsCryptoError(() => octA.unwrap(rsaA.wrap(aek)), 'an oct key on RSA-wrapped bytes');
  throwsCryptoError(() => rsaA.unwrap(octA.wrap(aek)), 'an RSA key on A256KW-wrapped bytes');
  throwsCryptoError(() => rsaA.unwrap(flip(rsaA.wrap(aek), 7)), 'tampered RSA-wrapped bytes');
  throwsCryptoError(() => octA.unwrap(flip(octA.wrap(aek), 7)), 'tampered A256KW-wrapped bytes');
});

test('each block has its own DEK, derived the same way every time', () => {
  const aek = bytes32('account aek');
  const dek = deriveDek(aek, 'ws1/0');
  assert.is(dek.length, 32);
  assert.ok(dek.equals(deriveDek(aek, 'ws1/0')));
  assert.not.ok(dek.equals(deriveDek(aek, 'ws1/1')));
  assert.not.ok(dek.equals(deriveDek(bytes32('other aek'), 'ws1/0')));
});

test('sealing is deterministic: the same AEK, block and payload give the same bytes', () => {
  const aek = bytes32('account aek');
  const a = sealBlock(aek, 'ws1/0', payload);
  const b = sealBlock(aek, 'ws1/0', payload);
  assert.ok(sealedBytes(a).equals(sealedBytes(b)));
  assert.is(a.iv.length, 12);
  assert.is(a.tag.length, 16);
  assert.not.ok(a.ciphertext.includes(payload.subarray(0, 16)));
});

test('tampered ciphertext, tag or IV is detected', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  throwsCryptoError(() => openBlock(aek, { ...sealed, ciphertext: flip(sealed.ciphertext, 5) }), 'ciphertext');
  throwsCryptoError(() => openBlock(aek, { ...sealed, tag: flip(sealed.tag) }), 'tag');
  throwsCryptoError(() => openBlock(aek, { ...sealed, tag: sealed.tag.subarray(0, 8) }), 'truncated tag');
  throwsCryptoError(() => openBlock(aek, { ...sealed, iv: flip(sealed.iv) }), 'iv');
});

test('tampered associated data is detected: a block cannot be opened as another block', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  throwsCryptoError(() => openBlock(aek, sealed, 'ws1/1'), 'another block id');
  const relabelled: SealedBlock = { ...sealed, blockId: 'ws2/0' };
  throwsCryptoError(() => openBlock(aek, relabelled), 'a relabelled block');
  assert.ok(openBlock(aek, sealed, 'ws1/0').equals(payload));
});

test('a wrong AEK cannot open a block', () => {
  const sealed = sealBlock(bytes32('account aek'), 'ws1/0', payload);
  throwsCryptoError(() => openBlock(bytes32('other account aek'), sealed), 'another AEK');
});

test('revoked data cannot be opened: a zeroed AEK opens nothing', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  assert.ok(openBlock(aek, sealed).equals(payload));
  zeroize(aek);
  assert.ok(aek.equals(Buffer.alloc(AEK_BYTES)), 'zeroize fills with zeros');
  throwsCryptoError(() => openBlock(aek, sealed), 'open with the zeroed AEK');
  throwsCryptoError(() => sealBlock(aek, 'ws1/1', payload), 'seal with the zeroed AEK');
});

test('a sealed block survives its byte form', () => {
  const aek = bytes32('account aek');
  const bytes = sealedBytes(sealBlock(aek, 'ws1/0', payload));
  assert.ok(openBlock(aek, sealedFromBytes('ws1/0', bytes)).equals(payload));
  throwsCryptoError(() => sealedFromBytes('ws1/0', bytes.subarray(0, 20)), 'too short');
});

test('double encryption round trip: the infrastructure layer on top of the sealed block', () => {
  const aek = bytes32('account aek');
  const infra = new InfrastructureLayer(bytes32('infrastructure key'));
  const inner = sealedBytes(sealBlock(aek, 'ws1/0', payload));
  const stored = infra.encrypt('ws1/0', inner);
  assert.is(stored.length, inner.length + 12 + 16);
  assert.ok(stored.equals(infra.encrypt('ws1/0', inner)), 'reproducible');
  assert.not.ok(stored.includes(inner.subarray(0, 16)), 'the sealed block is not visible through the layer');
  const opened = openBlock(aek, sealedFromBytes('ws1/0', infra.decrypt('ws1/0', stored)));
  assert.ok(opened.equals(payload));
  throwsCryptoError(() => infra.decrypt('ws1/1', stored), 'another block id');
  throwsCryptoError(() => infra.decrypt('ws1/0', flip(stored, 40)), 'tampered ciphertext');
  throwsCryptoError(() => infra.decrypt('ws1/0', flip(stored, 20)), 'tampered tag');
});

test('the infrastructure layer uses a different algorithm and key: one layer key cannot decrypt another', () => {
  const inner = sealedBytes(sealBlock(bytes32('account aek'), 'ws1/0', payload));
  const stored = new InfrastructureLayer(bytes32('infrastructure key A')).encrypt('ws1/0', inner);
  throwsCryptoError(() => new InfrastructureLayer(bytes32('infrastructure key B')).decrypt('ws1/0', stored), 'another layer key');
  // The AEK's bytes as the layer key still do not open it: the layers are independent.
  throwsCryptoError(() => new InfrastructureLayer(bytes32('account aek')).decrypt('ws1/0', stored), 'the AEK as layer key');
  // Nor is the layer's output an AES-GCM sealed block under the CMK chain.
  throwsCryptoError(() => openBlock(bytes32('account aek'), sealedFromBytes('ws1/0', stored)), 'opened as a sealed block');
});

test('MMK chain round trip: a platform key wraps the MMK-AEK and blocks open with it', () => {
  const material = bytes32('mmk');
  const mmk = new PlatformKey(material);
  zeroize(material); // the key was copied
  const mmkAek = bytes32('account mmk aek');
  const wrapped = mmk.wrap(mmkAek);
  const sealed = sealBlock(mmkAek, 'ws-unlinked/0', payload);
  assert.ok(openBlock(mmk.unwrap(wrapped), sealed).equals(payload));
  throwsCryptoError(() => new PlatformKey(bytes32('another mmk')).unwrap(wrapped), 'another platform key');
});

// ---- "Your KEK never leaves your Key Vault" ----

/**
 * Runs Kek.generate while watching node:crypto's generateKeyPairSync, so the test
 * learns the RSA key it made without any accessor in production code.
 */
function generateWatchingKeygen(kty: KeyType, size: number, alg: WrapAlgorithm): { kek: Kek; privateKey: KeyObject } {
  const original = crypto.generateKeyPairSync;
  let privateKey: KeyObject | undefined;
  const spy = (...args: unknown[]): unknown => {
    const pair = (original as (...a: unknown[]) => { privateKey: KeyObject })(...args);
    privateKey = pair.privateKey;
    return pair;
  };
  (crypto as { generateKeyPairSync: unknown }).generateKeyPairSync = spy;
  syncBuiltinESMExports();
  try {
    const kek = Kek.generate(kty, size, alg);
    if (privateKey === undefined) throw new Error('Kek.generate did not call generateKeyPairSync');
    return { kek, privateKey };
  } finally {
    crypto.generateKeyPairSync = original;
    syncBuiltinESMExports();
  }
}

/** The private material of an RSA key in every raw form: d, p, q, dp, dq, qi and the DER. */
function rsaSecrets(privateKey: KeyObject): Buffer[] {
  const jwk = privateKey.export({ format: 'jwk' });
  const parts = [jwk.d, jwk.p, jwk.q, jwk.dp, jwk.dq, jwk.qi].map((p) => Buffer.from(p ?? '', 'base64url'));
  return [...parts, privateKey.export({ format: 'der', type: 'pkcs8' })];
}

/** Everything a Kek shows: own and prototype properties, getters, every method's result, JSON and inspect. */
function everythingShown(kek: Kek): unknown[] {
  const aek = bytes32('leak test aek');
  const wrapped = kek.wrap(aek);
  const validInput: Record<string, unknown[]> = { wrap: [aek], unwrap: [wrapped] };
  const shown: unknown[] = [
    JSON.stringify(kek),
    util.inspect(kek, { showHidden: true, depth: Infinity, getters: true }),
    String(kek),
    Object.entries(kek),
  ];
  for (const holder of [kek, Object.getPrototypeOf(kek) as object]) {
    for (const key of Reflect.ownKeys(holder)) {
      if (key === 'constructor') continue;
      const desc = Object.getOwnPropertyDescriptor(holder, key)!;
      if (desc.get) shown.push(desc.get.call(kek));
      else if (typeof desc.value !== 'function') shown.push(desc.value);
      else {
        const fn = desc.value as (...a: unknown[]) => unknown;
        const args = validInput[String(key)] ?? [];
        assert.ok(args.length >= fn.length, `Kek.${String(key)} is new: give it valid input in this test`);
        shown.push(fn.apply(kek, args));
      }
    }
  }
  return shown;
}

function assertNothingShowsSecrets(kek: Kek, secrets: Buffer[]): void {
  for (const value of everythingShown(kek)) {
    if (value instanceof KeyObject) assert.is(value.type, 'public', 'a private or secret KeyObject is handed out');
    const raw = Buffer.isBuffer(value) ? value : undefined;
    const text =
      typeof value === 'string' ? value : util.inspect(value, { showHidden: true, depth: Infinity, maxArrayLength: Infinity });
    assert.not.ok(/PRIVATE KEY/.test(text), 'a PEM private key is shown');
    for (const secret of secrets) {
      assert.not.ok(raw?.includes(secret), 'the material is returned as bytes');
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        assert.not.ok(text.includes(secret.toString(encoding)), `the material is shown in ${encoding}`);
      }
    }
  }
}

for (const kty of ['RSA', 'RSA-HSM'] as const) {
  test(`Your KEK never leaves your Key Vault: nothing a ${kty} KEK shows contains its private key`, () => {
    const { kek, privateKey } = generateWatchingKeygen(kty, 2048, 'RSA-OAEP-256');
    const secrets = rsaSecrets(privateKey);
    assert.ok(privateKey.asymmetricKeyDetails?.modulusLength === 2048);
    assertNothingShowsSecrets(kek, secrets);
    // The watched key is the Kek's own: what it wraps, this key unwraps.
    const aek = bytes32('aek');
    const unwrapped = crypto.privateDecrypt({ key: privateKey, oaepHash: 'sha256' }, kek.wrap(aek));
    assert.ok(unwrapped.equals(aek));
  });
}

test('Your KEK never leaves your Key Vault: nothing an oct-HSM KEK shows contains its key bytes', () => {
  const material = bytes32('oct kek');
  const kek = Kek.generate('oct-HSM', 256, 'A256KW', Buffer.from(material));
  assertNothingShowsSecrets(kek, [material]);
});

test('an oct-HSM KEK copies its key bytes: zeroing the caller buffer changes nothing', () => {
  const material = bytes32('oct kek');
  const kek = Kek.generate('oct-HSM', 256, 'A256KW', material);
  const wrapped = kek.wrap(bytes32('aek'));
  zeroize(material);
  assert.ok(kek.unwrap(wrapped).equals(bytes32('aek')));
});

test.run();
