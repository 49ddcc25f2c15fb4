import { CLAIM_SOURCES, type Claim, type ClaimSource } from './claim.ts';
import { InvalidArgumentError } from '../errors.ts';

export interface Selection {
  /** Exact claim ids; each must exist in `known`. */
  readonly ids?: readonly string[];
  readonly sources?: readonly string[];
  /** 1-based shard i of n: claims whose position (after the other filters) is ≡ i−1 mod n. */
  readonly shard?: { readonly index: number; readonly count: number };
}

/**
 * The claims `verify` runs: `pool` by default; `ids` pick from `known` (the
 * registry plus the controls) in the given order; `sources` filter; `shard`
 * takes every n-th. Unknown ids or sources throw InvalidArgumentError (with the
 * closest known id as a hint).
 */
export function selectClaims(pool: readonly Claim[], known: readonly Claim[], sel: Selection): Claim[] {
  let out: Claim[];
  if (sel.ids && sel.ids.length > 0) {
    out = [];
    for (const id of sel.ids) {
      const c = known.find((k) => k.id === id);
      if (!c) {
        const hint = closest(id, known.map((k) => k.id));
        throw new InvalidArgumentError('--claim', id, `unknown claim id${hint ? `; did you mean ${hint}?` : ''} (scorecheck claims lists them)`);
      }
      if (!out.includes(c)) out.push(c);
    }
  } else out = [...pool];
  if (sel.sources && sel.sources.length > 0) {
    for (const s of sel.sources) {
      if (!CLAIM_SOURCES.includes(s as ClaimSource)) throw new InvalidArgumentError('--source', s, `must be one of ${CLAIM_SOURCES.join(', ')}`);
    }
    out = out.filter((c) => sel.sources!.includes(c.source));
  }
  if (sel.shard) {
    const { index, count } = sel.shard;
    out = out.filter((_, i) => i % count === index - 1);
  }
  return out;
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
