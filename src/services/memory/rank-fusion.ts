/** RRF constant: damps the weight of the very top ranks (Cormack et al. 2009; the original's k). */
const RRF_K = 60

export interface FusedHit {
  id: string
  /** Normalised: the best hit scores 1.0. */
  score: number
  /** 1-based rank in each input ranking, null when absent from it. */
  ranks: Array<number | null>
}

/**
 * Reciprocal rank fusion: `score(d) = sum over rankings of 1 / (k + rank(d))`, 1-based ranks,
 * normalised by the best score. An item found by several rankings beats one found by a single
 * ranking at the same positions. Ties keep the first ranking's order, then the id.
 */
export function reciprocalRankFusion(rankings: ReadonlyArray<readonly string[]>, k = RRF_K): FusedHit[] {
  const hits = new Map<string, FusedHit>()
  rankings.forEach((ranking, which) => {
    ranking.forEach((id, index) => {
      let hit = hits.get(id)
      if (!hit) {
        hit = { id, score: 0, ranks: rankings.map(() => null) }
        hits.set(id, hit)
      }
      if (hit.ranks[which] !== null) return // a ranking lists an id once; ignore repeats
      hit.ranks[which] = index + 1
      hit.score += 1 / (k + index + 1)
    })
  })
  const fused = [...hits.values()]
  const top = Math.max(0, ...fused.map((h) => h.score))
  for (const hit of fused) hit.score = top > 0 ? hit.score / top : 0
  const firstRank = (h: FusedHit) => h.ranks.find((r) => r !== null) ?? Number.POSITIVE_INFINITY
  return fused.sort((a, b) => b.score - a.score || firstRank(a) - firstRank(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
