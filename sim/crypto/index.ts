// The key chain: KEK (customer, in Key Vault) -> AEK (per storage account) ->
// DEK (per block) -> AES-256-GCM; MMK and the infrastructure layer beside it.

export { AEK_BYTES, CryptoError, NEW_BUFFER, deriveDek, hkdfSha256, isZeroized, openBlock, openWithDekOf, reusedBuffer, sealBlock, zeroize, type Destination } from './chain.ts';
export { Kek, RsaKeyPool, type RsaKeyPair, type RsaPoolDer } from './kek.ts';
export { InfrastructureLayer, PlatformKey } from './platform.ts';
export { bytesFingerprint, keyFingerprint, setDigest } from './fingerprint.ts';
