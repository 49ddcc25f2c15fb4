import type { Claim } from './claim.ts';
import { liang2025Claims } from './liang2025/index.ts';
import { liyan2024Claims } from './liyan2024/index.ts';
import { xu2025Claims } from './xu2025/index.ts';
// issue 19: flow matching
import { lipman2023Claims } from './lipman2023/index.ts';
import { tong2023Claims } from './tong2023/index.ts';

/** Every claim scorecheck verifies, in report order. Ids are unique. */
export const allClaims: readonly Claim[] = [...xu2025Claims, ...liyan2024Claims, ...liang2025Claims, ...lipman2023Claims, ...tong2023Claims];

const seen = new Set<string>();
for (const c of allClaims) {
  if (seen.has(c.id)) throw new Error(`claims registry: duplicate id ${c.id}`);
  seen.add(c.id);
}

export function findClaim(id: string): Claim | undefined {
  return allClaims.find((c) => c.id === id);
}
