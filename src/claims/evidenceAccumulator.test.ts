import { describe, expect, it } from 'vitest';
import { EvidenceAccumulator } from './evidenceAccumulator.ts';

const holds = (maxError: number, tolerance: number, metric?: string) =>
  ({ kind: 'holds', outcome: { holds: true, maxError, tolerance, ...(metric ? { metric } : {}) } }) as const;

describe('EvidenceAccumulator', () => {
  it('reports the case closest to its limit for signed measures (exponent ≤ −1): −1.1, not −2', () => {
    const acc = new EvidenceAccumulator();
    for (const e of [-2, -1.1, -1.5]) acc.add(holds(e, -1, 'fitted exponent'));
    const ev = acc.evidence();
    expect(ev.maxError).toBe(-1.1);
    expect(ev.metric).toBe('fitted exponent');
    // Negative control: the plain ratio maxError/tolerance would have picked −2.
    const byRatio = [-2, -1.1, -1.5].reduce((w, e) => (e / -1 > w / -1 ? e : w));
    expect(byRatio).toBe(-2);
  });
  it('still reports the largest relative error for ordinary errors, across tolerances', () => {
    const acc = new EvidenceAccumulator();
    acc.add(holds(1e-12, 1e-9));
    acc.add(holds(5e-8, 1e-7));
    acc.add(holds(3e-10, 1e-9));
    const ev = acc.evidence();
    expect([ev.maxError, ev.tolerance]).toEqual([5e-8, 1e-7]);
  });
});
