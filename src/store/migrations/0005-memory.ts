import { type Kysely, sql } from 'kysely'
import type { Dialect } from '../database'

/**
 * The memory workspace: documents, their chunks, and the full-text index over chunks (FTS5
 * external-content table kept in sync by triggers on SQLite; a generated tsvector with a GIN
 * index on PostgreSQL). Paths use byte order on both dialects so prefix range scans and sorting
 * agree.
 */
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const pg = dialect === 'postgres'
  await db.schema
    .createTable('memory_documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('path', pg ? sql`text collate "C"` : 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('memory_documents_user_path_idx').on('memory_documents').columns(['user_id', 'path']).unique().execute()

  await db.schema
    .createTable('memory_chunks')
    .addColumn('seq', pg ? sql`bigint generated always as identity` : 'integer', (c) =>
      pg ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('document_id', 'text', (c) => c.notNull().references('memory_documents.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('ordinal', 'integer', (c) => c.notNull())
    .addColumn('heading', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('start_offset', 'integer', (c) => c.notNull())
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('embedding', pg ? 'bytea' : 'blob')
    .addColumn('embedding_model', 'text')
    .addColumn('embedded_at', 'text')
    .execute()
  await db.schema.createIndex('memory_chunks_document_idx').on('memory_chunks').columns(['document_id', 'ordinal']).execute()
  // Covers the vector cache's change check (count, sum of seq, latest embedded_at per user and model).
  await db.schema.createIndex('memory_chunks_user_model_idx').on('memory_chunks').columns(['user_id', 'embedding_model', 'embedded_at']).execute()

  if (pg) {
    await sql`alter table memory_chunks add column tsv tsvector generated always as (
      setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', content), 'B')
    ) stored`.execute(db)
    await sql`create index memory_chunks_tsv_idx on memory_chunks using gin (tsv)`.execute(db)
    return
  }
  await sql`create virtual table memory_chunks_fts using fts5(
    heading, content, content='memory_chunks', content_rowid='seq',
    tokenize='porter unicode61 remove_diacritics 2'
  )`.execute(db)
  await sql`create trigger memory_chunks_fts_insert after insert on memory_chunks begin
    insert into memory_chunks_fts(rowid, heading, content) values (new.seq, new.heading, new.content);
  end`.execute(db)
  await sql`create trigger memory_chunks_fts_delete after delete on memory_chunks begin
    insert into memory_chunks_fts(memory_chunks_fts, rowid, heading, content) values ('delete', old.seq, old.heading, old.content);
  end`.execute(db)
  await sql`create trigger memory_chunks_fts_update after update of heading, content on memory_chunks begin
    insert into memory_chunks_fts(memory_chunks_fts, rowid, heading, content) values ('delete', old.seq, old.heading, old.content);
    insert into memory_chunks_fts(rowid, heading, content) values (new.seq, new.heading, new.content);
  end`.execute(db)
}
