/** A multipart body of files (and text fields), as a browser's FormData would send it. */
export function form(files: Array<{ name: string; data: Uint8Array | string; type?: string }>, fields: Record<string, string> = {}): FormData {
  const body = new FormData()
  for (const [key, value] of Object.entries(fields)) body.set(key, value)
  // The declared type is whatever the client claims; the gateway never reads it.
  for (const f of files) body.append('file', new Blob([typeof f.data === 'string' ? f.data : new Uint8Array(f.data)], { type: f.type ?? 'application/octet-stream' }), f.name)
  return body
}

export const post = (body: FormData | string, headers: Record<string, string> = {}): RequestInit => ({ method: 'POST', body, headers })
