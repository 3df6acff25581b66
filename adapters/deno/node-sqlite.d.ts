// node:sqlite as Deno (and Node >= 22.5) implement it, as far as this adapter uses it.
// https://nodejs.org/api/sqlite.html
declare module 'node:sqlite' {
  export class StatementSync {
    all(...parameters: unknown[]): unknown[]
    run(...parameters: unknown[]): { changes: number | bigint; lastInsertRowid: number | bigint }
    iterate(...parameters: unknown[]): IterableIterator<unknown>
    columns(): unknown[]
  }
  export class DatabaseSync {
    constructor(path: string)
    exec(sql: string): void
    prepare(sql: string): StatementSync
    close(): void
  }
}
