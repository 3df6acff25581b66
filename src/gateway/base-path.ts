/** `'/agent/'` -> `'/agent'`, `'/'` or none -> `''`; anything but plain path segments is refused. */
export function normalizeBasePath(path: string | undefined): string {
  const trimmed = (path ?? '').replace(/\/+$/, '')
  if (trimmed !== '' && !/^(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+$/.test(trimmed)) {
    throw new Error(`basePath must be a URL path such as '/agent', not ${JSON.stringify(path)}`)
  }
  return trimmed
}
