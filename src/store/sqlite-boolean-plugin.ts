import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely'

/**
 * SQLite has no boolean type and its drivers refuse JS booleans as parameters. This plugin binds
 * booleans as 1/0 and turns the named boolean columns back into booleans in results, so
 * repositories see the same values on SQLite and PostgreSQL.
 */
export class SqliteBooleanPlugin implements KyselyPlugin {
  readonly #transformer = new BooleanParams()
  constructor(private readonly booleanColumns: ReadonlySet<string>) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node)
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const rows = args.result.rows
    if (rows.length === 0) return args.result
    const present = Object.keys(rows[0]!).filter((key) => this.booleanColumns.has(key))
    if (present.length === 0) return args.result
    for (const row of rows) {
      for (const key of present) {
        const value = row[key]
        if (value === 0 || value === 1) row[key] = value === 1
      }
    }
    return args.result
  }
}

const toSqlite = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value)

class BooleanParams extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    return typeof node.value === 'boolean' ? { ...node, value: toSqlite(node.value) } : super.transformValue(node)
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return node.values.some((v) => typeof v === 'boolean') ? { ...node, values: node.values.map(toSqlite) } : node
  }
}
