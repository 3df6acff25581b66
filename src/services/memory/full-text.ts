import { sql } from 'kysely'
import type { Db, Dialect } from '../../store/database'
import { prefixUpperBound } from './memory-path'

/** Most words of a query used for full-text matching (a pasted page should not become 2,000 ORs). */
const MAX_QUERY_TERMS = 32

// Words too common to say anything about a chunk. PostgreSQL's `english` configuration drops
// them anyway; dropping them here too keeps both dialects matching the same chunks.
const STOPWORDS = new Set(
  ('a an and are as at be but by did do does for from had has have how i if in into is it its me my no not of on or our ' +
    'so than that the their them then there these they this to was we were what when where which who why will with you your')
    .split(' '),
)

const WORD = /[\p{L}\p{N}\p{M}]+/gu

/**
 * The words of a free-text query, lowercased, deduplicated, stopwords dropped (unless nothing
 * else is left). Only letters, digits and marks survive, so no quote, operator, column filter or
 * backslash of the query ever reaches an FTS5 or tsquery parser.
 */
export function queryTerms(query: string): string[] {
  const words = [...new Set((query.normalize('NFC').toLowerCase().match(WORD) ?? []).map((w) => w.slice(0, 64)))]
  const meaningful = words.filter((w) => !STOPWORDS.has(w))
  return (meaningful.length > 0 ? meaningful : words).slice(0, MAX_QUERY_TERMS)
}

/**
 * FTS5 query: every term as a quoted string, OR-ed, so a natural-language question matches chunks
 * with any of its words and bm25 ranks those with more (and rarer) words first. Terms hold only
 * letters, digits and marks (`queryTerms`), and `"` is doubled regardless.
 */
export const fts5Expression = (terms: string[]): string => terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' OR ')

/**
 * `websearch_to_tsquery` input: the same terms joined by its `or` operator. websearch_to_tsquery
 * never raises a syntax error, whatever the text.
 */
export const websearchExpression = (terms: string[]): string => terms.join(' or ')

export interface FullTextHit {
  chunkId: string
}

/**
 * The user's best-matching chunks by full-text rank (FTS5 bm25 with headings weighted double;
 * PostgreSQL ts_rank with headings weighted A) (best first, at most `limit`), optionally
 * only under a folder prefix (ending with `/`). Always parameterised.
 */
export async function fullTextSearch(
  db: Db,
  dialect: Dialect,
  options: { userId: string; terms: string[]; limit: number; prefix?: string | undefined },
): Promise<FullTextHit[]> {
  const { userId, terms, limit, prefix } = options
  if (terms.length === 0) return []
  // Documents are joined only to filter by folder.
  const join = prefix ? sql`join memory_documents d on d.id = c.document_id` : sql``
  const inFolder = prefix ? sql`and d.path >= ${prefix} and d.path < ${prefixUpperBound(prefix)}` : sql``
  if (dialect === 'postgres') {
    // ts_rank (term frequency, normalised by log length) rather than ts_rank_cd: the cover
    // density of an OR query says little and costs about three times as much.
    const rows = await sql<{ id: string }>`
      select c.id from memory_chunks c ${join}
      cross join websearch_to_tsquery('english', ${websearchExpression(terms)}) q
      where c.user_id = ${userId} and c.tsv @@ q ${inFolder}
      order by ts_rank(c.tsv, q, 1) desc, c.seq
      limit ${limit}`.execute(db)
    return rows.rows.map((r) => ({ chunkId: r.id }))
  }
  const rows = await sql<{ id: string }>`
    select c.id from memory_chunks_fts
    join memory_chunks c on c.seq = memory_chunks_fts.rowid ${join}
    where memory_chunks_fts match ${fts5Expression(terms)} and c.user_id = ${userId} ${inFolder}
    order by bm25(memory_chunks_fts, 2.0, 1.0), c.seq
    limit ${limit}`.execute(db)
  return rows.rows.map((r) => ({ chunkId: r.id }))
}
