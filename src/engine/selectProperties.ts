import { InvalidArgumentError } from '../errors.ts';

/**
 * Properties matching the patterns, in the order of `known`: an exact id, a prefix
 * (`xu2025.vincent` or `xu2025.vincent.`), or a glob with `*` (any run of characters)
 * and `?` (one character). A pattern that matches nothing is an error naming it (with
 * the closest id as a hint): a typo must not select nothing and pass.
 */
export function selectByPatterns<P extends { readonly id: string }>(known: readonly P[], patterns: readonly string[], field: string): P[] {
  const picked = new Set<P>();
  for (const pat of patterns) {
    const hits = known.filter((p) => matches(p.id, pat));
    if (hits.length === 0) {
      const hint = closest(pat, known.map((k) => k.id));
      throw new InvalidArgumentError(field, pat, `matches no id${hint ? `; did you mean ${hint}?` : ''}`);
    }
    for (const h of hits) picked.add(h);
  }
  return known.filter((p) => picked.has(p));
}

export function matches(id: string, pattern: string): boolean {
  if (pattern === id) return true;
  if (/[*?]/.test(pattern)) {
    const re = new RegExp(`^${pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`);
    return re.test(id);
  }
  const prefix = pattern.endsWith('.') ? pattern : `${pattern}.`;
  return id.startsWith(prefix);
}

/** 1-based shard i of n: the items whose position is ≡ i − 1 (mod n). */
export function shardOf<T>(items: readonly T[], shard: { readonly index: number; readonly count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/** Parses `i/n` with 1 ≤ i ≤ n. */
export function parseShard(s: string): { index: number; count: number } | null {
  const m = /^(\d+)\/(\d+)$/.exec(s.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const count = Number(m[2]);
  return count >= 1 && index >= 1 && index <= count ? { index, count } : null;
}

function closest(id: string, ids: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of ids) {
    const d = editDistance(id, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(3, Math.floor(id.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}
