import type { Claim } from '../claim.ts';

/** Claims from the liyan2024 seed, in registry order. */
export const liyan2024Claims: readonly Claim[] = [];
