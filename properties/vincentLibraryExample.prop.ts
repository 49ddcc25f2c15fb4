import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as scorecheck from '../src/index.ts';

// The example in docs/library.md must run and print DSM, ESM and C_t with DSM − ESM = C_t.
describe('docs/library.md example', () => {
  test('runs against the public API and satisfies DSM − ESM = C_t', () => {
    const md = readFileSync(new URL('../docs/library.md', import.meta.url), 'utf8');
    const code = md.match(/```ts\n([\s\S]*?)```/)![1];
    const body = code.replace(/^import .*$/m, '').replace(/console\.log\((.*)\);.*$/m, 'return [$1];');
    const names = ['AffineScoreModel', 'Gaussian', 'dsmAffine', 'esmAffine', 'fromRows', 'vincentConstant', 'vpLevel'] as const;
    const run = new Function(...names, body) as (...a: unknown[]) => [number, number, number];
    const [dsm, esm, C] = run(...names.map((n) => (scorecheck as Record<string, unknown>)[n]));
    expect(code).toMatch(/from 'scorecheck'/);
    expect(Math.abs(dsm - esm - C)).toBeLessThanOrEqual(1e-9 * Math.max(dsm, esm, C));
    expect(C).toBeGreaterThan(0);
  });
});
