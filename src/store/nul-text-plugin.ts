import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely'
import { badRequest } from '../lib/errors'

/**
 * PostgreSQL `text` cannot hold U+0000 (it fails the whole statement with a driver error, which
 * would surface as a 500), while SQLite stores it. Refusing such text on both dialects, as bad
 * input (400 `invalid_text`), keeps them behaving alike. JSON columns are unaffected:
 * `JSON.stringify` writes the character as the escape `\u0000`.
 */
export class NulTextPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    scan(args.node)
    return args.node
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result
  }
}

/** Walks the (frozen, plain-object) operation tree without copying it, checking every bound value. */
function scan(node: unknown): void {
  if (node === null || typeof node !== 'object') return
  if (Array.isArray(node)) {
    for (const item of node) scan(item)
    return
  }
  const kind = (node as { kind?: unknown }).kind
  if (kind === 'ValueNode') return check((node as { value: unknown }).value)
  if (kind === 'PrimitiveValueListNode') {
    for (const value of (node as { values: readonly unknown[] }).values) check(value)
    return
  }
  for (const key in node) scan((node as Record<string, unknown>)[key])
}

function check(value: unknown): void {
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw badRequest('invalid_text', 'Text must not contain the NUL character (U+0000)')
  }
}
