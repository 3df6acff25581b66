import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'

type Entry = readonly [lower: string, name: string, value: string]

/** Base records are a few shared constants (and one per allowed origin): lower-cased once each. */
const entriesByRecord = new WeakMap<object, readonly Entry[]>()
const entriesOf = (base: Readonly<Record<string, string>>): readonly Entry[] => {
  let entries = entriesByRecord.get(base)
  if (!entries) {
    entries = Object.entries(base).map(([name, value]) => [name.toLowerCase(), name, value] as const)
    entriesByRecord.set(base, entries)
  }
  return entries
}

/**
 * Sends `base` under the headers a response is written with, in the one `writeHead` call that
 * writes them: the handler's own headers win name for name (a sandboxed file's CSP), `Vary`
 * values are joined, and a header set earlier with `setHeader` stays. Not `setHeader` for each:
 * ten calls, each validating and lower-casing a name that node:http checks again on the way out,
 * were ~2 us of every request (bench: `http`).
 */
export function putHeadersUnder(res: ServerResponse, base: Readonly<Record<string, string>>): void {
  const slot = res as Slotted
  slot[BASE] = base
  slot[WRITE_HEAD] = res.writeHead as WriteHead
  res.writeHead = writeHeadOverBase as ServerResponse['writeHead']
}

type WriteHead = (this: ServerResponse, ...args: unknown[]) => ServerResponse
const BASE = Symbol('base headers')
const WRITE_HEAD = Symbol('writeHead under the base headers')
type Slotted = ServerResponse & { [BASE]?: Readonly<Record<string, string>>; [WRITE_HEAD]?: WriteHead }

// One function for every response (the base and the wrapped writeHead are on the response): a
// closure per request cost more than the calls it saves.
function writeHeadOverBase(this: Slotted, status: number, ...rest: unknown[]): ServerResponse {
  const writeHead = this[WRITE_HEAD]!
  const base = entriesOf(this[BASE]!)
  this.writeHead = writeHead as ServerResponse['writeHead']
  const reason = typeof rest[0] === 'string' ? rest[0] : undefined
  const given = reason === undefined ? rest[0] : rest[1]
  if (Array.isArray(given)) {
    // Raw [name, value, ...] pairs (nothing here sends them): the slow way, same outcome.
    for (const [lower, name, value] of base) if (!this.hasHeader(lower)) this.setHeader(name, value)
    return writeHead.call(this, status, ...rest)
  }
  const headers = over(base, given as OutgoingHttpHeaders | undefined, this.getHeaderNames())
  return reason === undefined ? writeHead.call(this, status, headers) : writeHead.call(this, status, reason, headers)
}

function over(base: readonly Entry[], given: OutgoingHttpHeaders | undefined, earlier: readonly string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {}
  const named: string[] = []
  let vary: string | undefined
  for (const name in given) {
    const lower = name.toLowerCase()
    named.push(lower)
    if (lower === 'vary') vary = name
    headers[name] = given[name]
  }
  for (const [lower, name, value] of base) {
    if (earlier.length > 0 && earlier.includes(lower)) continue
    if (!named.includes(lower)) headers[name] = value
    else if (lower === 'vary' && vary !== undefined) headers[vary] = joinVary(value, String(headers[vary]))
  }
  return headers
}

/** `Vary` with the base's names first, each name once (a stream that wrote its own names them too). */
function joinVary(base: string, own: string): string {
  const names = own.split(',').map((name) => name.trim().toLowerCase())
  const missing = base.split(',').map((name) => name.trim()).filter((name) => !names.includes(name.toLowerCase()))
  return missing.length > 0 ? `${missing.join(', ')}, ${own}` : own
}
