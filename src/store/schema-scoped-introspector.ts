import {
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type DatabaseMetadataOptions,
  type Dialect,
  type Kysely,
  PostgresIntrospector,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely'

/**
 * Kysely's PostgreSQL introspection (which its migrator runs at every start to find its own
 * tables) reads every schema of the database and looks some of them up by name, so it fails
 * (`schema "x" does not exist`) whenever another schema is being dropped at that moment: another
 * app's, or another test run's. This dialect wrapper restricts table introspection to the
 * current schema, by object ids only, which nothing outside can break.
 */
export function withSchemaScopedIntrospection(dialect: Dialect): Dialect {
  return {
    createDriver: () => dialect.createDriver(),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => new SchemaScopedIntrospector(db),
  }
}

interface ColumnRow {
  schema: string
  table: string
  kind: string
  column: string | null
  type: string | null
  type_schema: string | null
  not_null: boolean | null
  has_default: boolean | null
  auto_incrementing: boolean | null
  comment: string | null
}

class SchemaScopedIntrospector implements DatabaseIntrospector {
  readonly #schemas: PostgresIntrospector

  constructor(private readonly db: Kysely<any>) {
    this.#schemas = new PostgresIntrospector(db)
  }

  getSchemas(): Promise<SchemaMetadata[]> {
    return this.#schemas.getSchemas()
  }

  async getTables(options: DatabaseMetadataOptions = { withInternalKyselyTables: false }): Promise<TableMetadata[]> {
    const { rows } = await sql<ColumnRow>`
      select ns.nspname as schema, c.relname as table, c.relkind as kind,
             a.attname as column, typ.typname as type, tns.nspname as type_schema,
             a.attnotnull as not_null, a.atthasdef as has_default,
             (a.attidentity <> '' or coalesce(pg_get_expr(d.adbin, d.adrelid) like 'nextval(%', false)) as auto_incrementing,
             col_description(c.oid, a.attnum) as comment
      from pg_catalog.pg_class c
      join pg_catalog.pg_namespace ns on ns.oid = c.relnamespace
      left join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      left join pg_catalog.pg_type typ on typ.oid = a.atttypid
      left join pg_catalog.pg_namespace tns on tns.oid = typ.typnamespace
      left join pg_catalog.pg_attrdef d on d.adrelid = c.oid and d.adnum = a.attnum
      where ns.nspname = current_schema() and c.relkind in ('r', 'v', 'p')
      order by c.relname, a.attnum`.execute(this.db)
    const tables = new Map<string, { name: string; schema: string; isView: boolean; columns: TableMetadata['columns'] }>()
    for (const row of rows) {
      if (!options.withInternalKyselyTables && (row.table === 'kysely_migration' || row.table === 'kysely_migration_lock')) continue
      let table = tables.get(row.table)
      if (!table) tables.set(row.table, (table = { name: row.table, schema: row.schema, isView: row.kind === 'v', columns: [] }))
      if (row.column === null) continue
      table.columns.push({
        name: row.column,
        dataType: row.type ?? 'unknown',
        dataTypeSchema: row.type_schema ?? undefined,
        isNullable: !row.not_null,
        hasDefaultValue: row.has_default === true,
        isAutoIncrementing: row.auto_incrementing === true,
        comment: row.comment ?? undefined,
      })
    }
    return [...tables.values()]
  }

  async getMetadata(options?: DatabaseMetadataOptions): Promise<DatabaseMetadata> {
    return { tables: await this.getTables(options) }
  }
}
