import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../src/index.ts';

/**
 * The public surface of `import … from 'scorecheck'` is pinned: fixtures/public-api.json lists
 * every runtime export (values; types are compiled away) and those of the `arb` and `samplers` namespaces. A change
 * to the surface is deliberate: update the file in the same commit
 * (`node -e` snippet in the failure message) and say so in the changelog of the commit.
 */
const pinned = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'public-api.json'), 'utf8')) as { top: string[]; arb: string[]; samplers: string[] };

describe('public API', () => {
  it('matches the pinned list (top level and the arb namespace)', () => {
    const top = Object.keys(api).sort();
    const arb = Object.keys(api.arb).sort();
    const samplers = Object.keys(api.samplers).sort();
    const hint = 'regenerate: npx tsx -e "import * as a from \'./src/index.ts\'; console.log(JSON.stringify({ top: Object.keys(a).sort(), arb: Object.keys(a.arb).sort(), samplers: Object.keys(a.samplers).sort() }, null, 2))" > fixtures/public-api.json';
    expect(top, hint).toEqual(pinned.top);
    expect(arb, hint).toEqual(pinned.arb);
    expect(samplers, hint).toEqual(pinned.samplers);
  });

  it('keeps internals out: no test-suite budget, no check plumbing, arbitraries only under arb', () => {
    const top = new Set(Object.keys(api));
    for (const internal of ['MC_ASSERTION_PLAN', 'perAssertionFalseAlarm', 'unanswerable', 'compareBatch', 'requireFinite', 'gaussianOfDim', 'spdMatrix']) expect(top.has(internal), internal).toBe(false);
    expect(typeof api.arb.spdMatrix).toBe('function');
  });
});
