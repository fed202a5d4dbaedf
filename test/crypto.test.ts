import { test } from 'uvu';
import * as assert from 'uvu/assert';
import crypto, { KeyObject, createHash, createHmac, hkdfSync } from 'node:crypto';
import * as fc from 'fast-check';
import { syncBuiltinESMExports } from 'node:module';
import util from 'node:util';
import type { KeyType, WrapAlgorithm } from '../sim/scenario.ts';
import { loadScenario } from '../scenarios/load.ts';
import { KeyVault } from '../sim/azure/key-vault.ts';
import { runScenario } from '../sim/world.ts';
import {
  AEK_BYTES,
  CryptoError,
  InfrastructureLayer,
  Kek,
  RsaKeyPool,
  PlatformKey,
  deriveDek,
  hkdfSha256,
  keyFingerprint,
  openBlock,
  reusedBuffer,
  sealBlock,
  zeroize,
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
  assert.ok(openBlock(unwrapped, 'ws1/2020-11-01T00/0', sealBlock(aek, 'ws1/2020-11-01T00/0', payload)).equals(payload));
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
  assert.ok(openBlock(aekAfter, 'ws1/before-rotation', before).equals(payload));
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

// ---- HKDF-SHA256 as two HMACs, against RFC 5869 and Node's hkdfSync ----

const HKDF_SEED = Number(process.env.FC_SEED ?? 20261130);
const HKDF_RUNS = Number(process.env.FC_RUNS ?? 1000);
console.log(`crypto: HKDF against hkdfSync with fast-check seed ${HKDF_SEED}, ${HKDF_RUNS} runs (FC_SEED / FC_RUNS to change)`);

const range = (from: number, to: number): Buffer => Buffer.from(Array.from({ length: to - from + 1 }, (_, i) => from + i));

test('HKDF-SHA256 gives the RFC 5869 test vectors (A.1 basic, A.2 longer inputs and outputs, A.3 empty salt and info)', () => {
  const ikm = Buffer.alloc(22, 0x0b);
  assert.is(hkdfSha256(ikm, range(0x00, 0x0c), range(0xf0, 0xf9), 42).toString('hex'), '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  assert.is(
    hkdfSha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82).toString('hex'),
    'b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87',
  );
  assert.is(hkdfSha256(ikm, Buffer.alloc(0), Buffer.alloc(0), 42).toString('hex'), '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
});

test('HKDF-SHA256 by HMAC is byte for byte hkdfSync for any key, salt, info and length', () => {
  const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
  fc.assert(
    fc.property(bytes(100), bytes(100), bytes(100), fc.integer({ min: 1, max: 300 }), (ikm, salt, info, length) => {
      const ours = hkdfSha256(ikm, salt, info, length);
      const node = Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
      return ours.equals(node);
    }),
    { seed: HKDF_SEED, numRuns: HKDF_RUNS },
  );
});

test('a DEK is HKDF-SHA256 of the AEK with the block id as salt and "cmk-sim/dek" as info', () => {
  const aek = bytes32('account aek');
  const expected = Buffer.from(hkdfSync('sha256', aek, Buffer.from('cl1/0/12/r30'), 'cmk-sim/dek', 32));
  assert.ok(deriveDek(aek, 'cl1/0/12/r30').equals(expected));
});

test('HKDF-SHA256 refuses a length of 0 or more than 255 hashes (RFC 5869)', () => {
  for (const length of [0, 255 * 32 + 1, 1.5]) assert.throws(() => hkdfSha256(Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(0), length), /HKDF-SHA256 gives 1 to 8160 bytes/);
  assert.is(hkdfSha256(Buffer.alloc(32), Buffer.alloc(0), Buffer.alloc(0), 255 * 32).length, 255 * 32);
});

test("a key's fingerprint is the HMAC of its bytes now: computed once per key, and afresh once the key is zeroed", () => {
  const fingerprintOf = (key: Buffer) => createHmac('sha256', key).update('cmk-sim/key-fingerprint').digest('hex').slice(0, 16);
  const aek = bytes32('account aek');
  const before = keyFingerprint(aek);
  assert.is(before, fingerprintOf(bytes32('account aek')));
  assert.is(keyFingerprint(aek), before);
  assert.is(keyFingerprint(Buffer.from(aek)), before, 'equal bytes, equal fingerprints');
  zeroize(aek);
  assert.is(keyFingerprint(aek), fingerprintOf(Buffer.alloc(AEK_BYTES)));
  assert.is.not(keyFingerprint(aek), before);
});

test('sealing is deterministic: the same AEK, block and payload give the same bytes, IV, tag, then ciphertext', () => {
  const aek = bytes32('account aek');
  const a = sealBlock(aek, 'ws1/0', payload);
  assert.ok(a.equals(sealBlock(aek, 'ws1/0', payload)));
  assert.is(a.length, 12 + 16 + payload.length);
  assert.not.ok(a.includes(payload.subarray(0, 16)));
});

test('sealing writes where it is told: the same bytes in a destination of their size, in a reused buffer good until its next use, and a wrong-sized destination is refused', () => {
  const aek = bytes32('account aek');
  const infra = new InfrastructureLayer(bytes32('infrastructure key'));
  const fresh = sealBlock(aek, 'ws1/0', payload);
  const slab = Buffer.alloc(4096);
  const inSlab = sealBlock(aek, 'ws1/0', payload, (bytes) => slab.subarray(100, 100 + bytes));
  assert.ok(inSlab.equals(fresh));
  assert.is(inSlab.buffer, slab.buffer);
  assert.ok(slab.subarray(100, 100 + fresh.length).equals(fresh));
  const reused = reusedBuffer();
  const first = sealBlock(aek, 'ws1/0', payload, reused);
  assert.ok(first.equals(fresh));
  const second = sealBlock(aek, 'ws1/1', payload, reused);
  assert.is(second.buffer, first.buffer, 'the same buffer again');
  assert.ok(infra.encrypt('ws1/1', second, (bytes) => slab.subarray(0, bytes)).equals(infra.encrypt('ws1/1', sealBlock(aek, 'ws1/1', payload))));
  assert.throws(() => sealBlock(aek, 'ws1/0', payload, (bytes) => Buffer.alloc(bytes - 1)), /asked for \d+ bytes/);
  assert.throws(() => infra.encrypt('ws1/0', fresh, (bytes) => Buffer.alloc(bytes + 1)), /asked for \d+ bytes/);
});

test('tampered ciphertext, tag or IV is detected, and so is a block cut short', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  throwsCryptoError(() => openBlock(aek, 'ws1/0', flip(sealed, 12 + 16 + 5)), 'ciphertext');
  throwsCryptoError(() => openBlock(aek, 'ws1/0', flip(sealed, 12)), 'tag');
  throwsCryptoError(() => openBlock(aek, 'ws1/0', flip(sealed, 0)), 'iv');
  throwsCryptoError(() => openBlock(aek, 'ws1/0', sealed.subarray(0, sealed.length - 1)), 'the last byte cut off');
  throwsCryptoError(() => openBlock(aek, 'ws1/0', sealed.subarray(0, 20)), 'shorter than an IV and a tag');
});

test('tampered associated data is detected: a block cannot be opened as another block', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  throwsCryptoError(() => openBlock(aek, 'ws1/1', sealed), 'another block id');
  throwsCryptoError(() => openBlock(aek, 'ws2/0', sealed), 'a relabelled block');
  assert.ok(openBlock(aek, 'ws1/0', sealed).equals(payload));
});

test('a wrong AEK cannot open a block', () => {
  const sealed = sealBlock(bytes32('account aek'), 'ws1/0', payload);
  throwsCryptoError(() => openBlock(bytes32('other account aek'), 'ws1/0', sealed), 'another AEK');
});

test('revoked data cannot be opened: a zeroed AEK opens nothing', () => {
  const aek = bytes32('account aek');
  const sealed = sealBlock(aek, 'ws1/0', payload);
  assert.ok(openBlock(aek, 'ws1/0', sealed).equals(payload));
  zeroize(aek);
  assert.ok(aek.equals(Buffer.alloc(AEK_BYTES)), 'zeroize fills with zeros');
  throwsCryptoError(() => openBlock(aek, 'ws1/0', sealed), 'open with the zeroed AEK');
  throwsCryptoError(() => sealBlock(aek, 'ws1/1', payload), 'seal with the zeroed AEK');
});

test('double encryption round trip: the infrastructure layer on top of the sealed block', () => {
  const aek = bytes32('account aek');
  const infra = new InfrastructureLayer(bytes32('infrastructure key'));
  const inner = sealBlock(aek, 'ws1/0', payload);
  const stored = infra.encrypt('ws1/0', inner);
  assert.is(stored.length, inner.length + 12 + 16);
  assert.ok(stored.equals(infra.encrypt('ws1/0', inner)), 'reproducible');
  assert.not.ok(stored.includes(inner.subarray(0, 16)), 'the sealed block is not visible through the layer');
  const opened = openBlock(aek, 'ws1/0', infra.decrypt('ws1/0', stored));
  assert.ok(opened.equals(payload));
  throwsCryptoError(() => infra.decrypt('ws1/1', stored), 'another block id');
  throwsCryptoError(() => infra.decrypt('ws1/0', flip(stored, 40)), 'tampered ciphertext');
  throwsCryptoError(() => infra.decrypt('ws1/0', flip(stored, 20)), 'tampered tag');
});

test('the infrastructure layer uses a different algorithm and key: one layer key cannot decrypt another', () => {
  const inner = sealBlock(bytes32('account aek'), 'ws1/0', payload);
  const stored = new InfrastructureLayer(bytes32('infrastructure key A')).encrypt('ws1/0', inner);
  throwsCryptoError(() => new InfrastructureLayer(bytes32('infrastructure key B')).decrypt('ws1/0', stored), 'another layer key');
  // The AEK's bytes as the layer key still do not open it: the layers are independent.
  throwsCryptoError(() => new InfrastructureLayer(bytes32('account aek')).decrypt('ws1/0', stored), 'the AEK as layer key');
  // Nor is the layer's output an AES-GCM sealed block under the CMK chain.
  throwsCryptoError(() => openBlock(bytes32('account aek'), 'ws1/0', stored), 'opened as a sealed block');
});

test('MMK chain round trip: a platform key wraps the MMK-AEK and blocks open with it', () => {
  const material = bytes32('mmk');
  const mmk = new PlatformKey(material);
  zeroize(material); // the key was copied
  const mmkAek = bytes32('account mmk aek');
  const wrapped = mmk.wrap(mmkAek);
  const sealed = sealBlock(mmkAek, 'ws-unlinked/0', payload);
  assert.ok(openBlock(mmk.unwrap(wrapped), 'ws-unlinked/0', sealed).equals(payload));
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

/** Where in `value` a KEK, or a key object that is not public, is reachable: paths like getKey().versions[0].kek. */
function keyMaterialIn(value: unknown, path: string, seen = new Set<unknown>(), depth = 0): string[] {
  if (value instanceof Kek) return [path];
  if (value instanceof KeyObject) return value.type === 'public' ? [] : [path];
  if (typeof value !== 'object' || value === null || Buffer.isBuffer(value) || seen.has(value) || depth > 8) return [];
  seen.add(value);
  const entries: [string, unknown][] = value instanceof Map ? [...value].map(([k, v]) => [`.get(${String(k)})`, v]) : Object.entries(value).map(([k, v]) => [Array.isArray(value) ? `[${k}]` : `.${k}`, v]);
  return entries.flatMap(([key, v]) => keyMaterialIn(v, path + key, seen, depth + 1));
}

test('Your KEK never leaves your Key Vault: nothing a vault hands out, in runs that update, rotate and follow keys, holds a KEK or its key', () => {
  const proto = KeyVault.prototype as unknown as Record<string, unknown>;
  const methods = Object.getOwnPropertyNames(proto).filter((name) => name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(proto, name)!.value === 'function');
  const originals = methods.map((name) => [name, proto[name]] as const);
  const leaks = new Set<string>();
  let inside = 0;
  for (const [name, original] of originals) {
    proto[name] = function (this: KeyVault, ...args: unknown[]) {
      inside++;
      try {
        const answer = (original as (...a: unknown[]) => unknown).apply(this, args);
        // What a call from outside the vault gets back; the vault's calls to itself keep their records.
        if (inside === 1) for (const leak of keyMaterialIn(answer, `${name}()`)) leaks.add(leak);
        return answer;
      } finally {
        inside--;
      }
    };
  }
  try {
    for (const builtin of ['rotation-done-right', 'auto-rotation-disable-old-too-soon', 'deleted-key-recovered']) runScenario(loadScenario(builtin));
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  assert.ok(methods.includes('getKey') && methods.includes('unwrapKey'), 'the vault was watched');
  assert.equal([...leaks], []);
});

test('an oct-HSM KEK copies its key bytes: zeroing the caller buffer changes nothing', () => {
  const material = bytes32('oct kek');
  const kek = Kek.generate('oct-HSM', 256, 'A256KW', material);
  const wrapped = kek.wrap(bytes32('aek'));
  zeroize(material);
  assert.ok(kek.unwrap(wrapped).equals(bytes32('aek')));
});

test.run();
