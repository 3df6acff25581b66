// bun:sqlite, as far as this adapter and Kysely's SqliteDialect use it. https://bun.sh/docs/api/sqlite
declare module 'bun:sqlite' {
  export class Database {
    constructor(filename: string, options?: { create?: boolean; readwrite?: boolean; strict?: boolean })
    exec(sql: string): void
    prepare(sql: string): {
      readonly reader: boolean
      all(...parameters: unknown[]): unknown[]
      run(...parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint }
      iterate(...parameters: unknown[]): IterableIterator<unknown>
    }
    close(): void
  }
}
