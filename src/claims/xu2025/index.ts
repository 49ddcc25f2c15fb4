import type { Claim } from '../claim.ts';

/** Claims from the xu2025 seed, in registry order. */
export const xu2025Claims: readonly Claim[] = [];
