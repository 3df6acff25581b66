const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Encodes a vector for storage: L2-normalised (so cosine similarity is a dot product) float32,
 * little-endian, as bytes (BLOB on SQLite, bytea on PostgreSQL). Returns undefined for a vector
 * that cannot be normalised (empty, zero or not finite).
 */
export function encodeVector(values: ArrayLike<number>): Uint8Array | undefined {
  let norm = 0
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!
    if (!Number.isFinite(x)) return undefined
    norm += x * x
  }
  norm = Math.sqrt(norm)
  if (values.length === 0 || norm === 0) return undefined
  const bytes = new Uint8Array(values.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]! / norm, true)
  return bytes
}

/** Decodes stored bytes into a fresh (aligned) Float32Array. */
export function decodeVector(bytes: Uint8Array): Float32Array {
  const n = bytes.byteLength >> 2
  // Copy: drivers hand out Buffers that are views into a shared pool (Buffer#slice does not copy).
  if (LITTLE_ENDIAN) return new Float32Array(new Uint8Array(bytes.subarray(0, n * 4)).buffer)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

/** L2-normalised copy of a query vector (undefined when it cannot be normalised). */
export function normalized(values: ArrayLike<number>): Float32Array | undefined {
  const bytes = encodeVector(values)
  return bytes && decodeVector(bytes)
}
