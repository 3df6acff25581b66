import { fromHex, toHex } from './crypto'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const VERSION = 'v1'

/**
 * AES-256-GCM under a master key, with WebCrypto only. Each value gets its own key, derived by
 * HKDF-SHA256 from the master key and a random 16-byte salt, and a random 12-byte IV; the owner
 * and name are bound in as additional data, so a ciphertext copied to another row (or user)
 * fails to decrypt instead of leaking. Stored as `v1.<salt>.<iv>.<ciphertext+tag>` (base64url).
 */
export class SecretCipher {
  readonly #master: CryptoKey

  private constructor(
    master: CryptoKey,
    /** Names the master key in stored rows, so a wrong key is reported as such. */
    readonly keyId: string,
  ) {
    this.#master = master
  }

  /** A 64+ hex-digit key is used as bytes; any other string (32+ characters) as its UTF-8. */
  static async create(masterKey: string): Promise<SecretCipher> {
    if (masterKey.length < 32) throw new Error('the master key must be at least 32 characters')
    const material = /^(?:[0-9a-fA-F]{2}){32,}$/.test(masterKey) ? new Uint8Array(fromHex(masterKey)) : encoder.encode(masterKey)
    const master = await crypto.subtle.importKey('raw', material, 'HKDF', false, ['deriveKey', 'deriveBits'])
    const idBits = await crypto.subtle.deriveBits(
      { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('gateway/secrets/key-id') },
      master,
      64,
    )
    return new SecretCipher(master, toHex(new Uint8Array(idBits)))
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const salt = crypto.getRandomValues(new Uint8Array(16))
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const key = await this.#key(salt, ['encrypt'])
    const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(context) }, key, encoder.encode(plaintext))
    return [VERSION, b64url(salt), b64url(iv), b64url(new Uint8Array(sealed))].join('.')
  }

  /** Throws when the blob was not sealed by this key for this context (tampered, moved, wrong key). */
  async decrypt(blob: string, context: string): Promise<string> {
    const [version, salt, iv, sealed] = blob.split('.')
    if (version !== VERSION || !salt || !iv || !sealed) throw new Error('unknown secret format')
    const key = await this.#key(fromB64url(salt), ['decrypt'])
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromB64url(iv), additionalData: encoder.encode(context) },
      key,
      fromB64url(sealed),
    )
    return decoder.decode(plain)
  }

  #key(salt: Uint8Array<ArrayBuffer>, usages: KeyUsage[]): Promise<CryptoKey> {
    return crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt, info: encoder.encode('gateway/secrets/aes-gcm') },
      this.#master,
      { name: 'AES-GCM', length: 256 },
      false,
      usages,
    )
  }
}

function b64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const out = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i)
  return out
}
