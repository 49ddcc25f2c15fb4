import fc from 'fast-check';

/**
 * One seed for the whole property suite, so a CI run is reproducible:
 * SCORECHECK_SEED=<n> npm test replays it; a failure prints fast-check's
 * seed and path as well. The default is fixed; vary it to explore.
 */
const seed = Number(process.env.SCORECHECK_SEED ?? 20261122);
if (!Number.isInteger(seed)) throw new Error(`SCORECHECK_SEED must be an integer, got ${process.env.SCORECHECK_SEED}`);
fc.configureGlobal({ seed, verbose: 1 });
