const MASK = '[REDACTED]'

/**
 * Query parameters whose values are capabilities: tokens, stream tickets and signed links'
 * signatures, OAuth codes and states, keys. Matched by the name a server would decode
 * (`tic%6Bet` is `ticket`, `TOKEN` is `token`), wherever a URL appears in a line.
 */
const CAPABILITY_NAMES = new Set(['token', 'ticket', 'access_token', 'api_key', 'apikey', 'key', 'secret', 'password', 'code', 'state', 'sig', 'signature'])
const QUERY_PARAM = /([?&])([^=&#\s"'<>]+)=([^&#\s"'<>]*)/g

/**
 * A signed link carries its capability in the path: `/projects/<job>.<exp>.<cred>.<sig>/` (a
 * browse link). The job id stays readable; what follows it, however it is spelled (`.` or
 * `%2E`, `/PROJECTS/` or `/pr%6Fjects/`), is masked.
 */
const SIGNED_PATH = /(\/([^/\s?#"'<>]+)\/[0-9a-fA-F-]{36})(?:\.|%2[eE])[^/\s?#"'<>]*/g

/** What a server would read: percent-decoded and lower-cased (malformed escapes left as they are). */
function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw).toLowerCase()
  } catch {
    return raw.toLowerCase()
  }
}

/**
 * Masks every capability a URL can carry, in a path or a query, wherever URLs appear in `text`.
 * The one place that knows what is secret in a URL: the access log uses it for each request
 * line, and the redactor (console sinks, `/api/logs/events`) for every line.
 *
 * @example maskUrlCapabilities('/projects/<uuid>.1700000000.o.abc/x?ticket=1.2') // '/projects/<uuid>.[REDACTED]/x?ticket=[REDACTED]'
 */
export function maskUrlCapabilities(text: string): string {
  return text
    .replace(SIGNED_PATH, (whole, head: string, segment: string) => (decodedName(segment) === 'projects' ? `${head}.${MASK}` : whole))
    .replace(QUERY_PARAM, (whole, sep: string, name: string) => (CAPABILITY_NAMES.has(decodedName(name)) ? `${sep}${name}=${MASK}` : whole))
}
