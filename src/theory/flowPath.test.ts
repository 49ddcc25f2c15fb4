import { describe, expect, test } from 'vitest';
import { standardNormalMoments } from '../../properties/support/gaussianQuadrature.ts';
import { type FlowPathSpec, flowCoefficients, noiseVariance } from './flowPath.ts';

/*
 * noiseVariance against Var(x_t | x₀) of the path as defined, x_t = a x₀ + s ε + r ξ (ε, ξ iid N(0, 1)), by the
 * 3-point Gauss–Hermite tensor rule over (ε, ξ) (exact for this quadratic; properties/support/gaussianQuadrature.ts).
 */
const paths: FlowPathSpec[] = [{ kind: 'rectified' }, { kind: 'ot', sigmaMin: 0 }, { kind: 'ot', sigmaMin: 0.05 }, { kind: 'icfm', sigma: 0 }, { kind: 'icfm', sigma: 0.4 }];

describe('noiseVariance against Var(x_t | x₀) by quadrature', () => {
  for (const path of paths) {
    test(`${JSON.stringify(path)}, t ∈ {0, ¼, ½, 1}`, () => {
      for (const t of [0, 0.25, 0.5, 1]) {
        const c = flowCoefficients(path, t), x0 = 1.7;
        const { variance } = standardNormalMoments(2, (g) => c.a * x0 + c.s * g[0] + c.r * g[1]);
        expect(Math.abs(noiseVariance(c) - variance), `t = ${t}`).toBeLessThanOrEqual(1e-14 * Math.max(1, variance));
        // Negative control: dropping the independent-coupling noise r² (I-CFM with σ > 0) is rejected.
        if (c.r > 0) expect(Math.abs(c.s * c.s - variance)).toBeGreaterThan(1e-3);
      }
    });
  }
});
