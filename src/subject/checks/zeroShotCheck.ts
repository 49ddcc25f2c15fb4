import fc from 'fast-check';
import type { Parameterization } from '../../diffusion/parameterization.ts';
import type { AffineModel, DeclaredOps } from '../protocol.ts';
import { expectedZeroShot } from '../oracle.ts';
import { readBatch } from '../responseShape.ts';
import { MAX_CASE_DIM, affineModel, batchOf, caseCoordinates, cut, cutModel, simpleVector, timestep } from './caseArbitraries.ts';
import { type SubjectCheck, compareBatch } from './checkDefinition.ts';

export interface ZeroShotCase {
  readonly d: number;
  readonly H: number[][];
  readonly sigmaY: number;
  readonly samples: readonly { xt: number[]; y: number[]; z: number[]; t: number }[];
  readonly model: AffineModel;
}

/**
 * A d × d upper-triangular H with diagonal entries in {±1, ±2}: its leading p rows, cut to
 * any d′ ≥ p columns, have full row rank p. Shrinks to 2I, not I: a row-orthonormal H has
 * Hᵀ = H† and would hide exactly the bugs this check is for.
 */
export function fullRowRankH(d: number): fc.Arbitrary<number[][]> {
  return fc
    .record({
      diag: fc.array(fc.constantFrom(2, 1, -2, -1), { minLength: d, maxLength: d }),
      rest: fc.array(simpleVector(d, 1), { minLength: d, maxLength: d }),
    })
    .map(({ diag, rest }) => rest.map((row, i) => row.map((v, j) => (j === i ? diag[i] : j < i ? 0 : v))));
}

/**
 * One zero-shot step for y = H x_0 + n, n ~ N(0, σ_y² I), supplied noise z:
 * x_{t−1} = (x_t + β_t g)/√α_t + σ_t z, g = (I − H†H) ŝ(x_t) + f(x_t) with
 * DDNM f = (√ᾱ_t H†y − H†H x_t)/(1−ᾱ_t) or BO-DDNM f* = Σ_{t|0,y}⁻¹(√ᾱ_t H†y − H†H x_t),
 * Σ_{t|0,y} = ᾱ_t σ_y² H†H†ᵀ + (1−ᾱ_t) I (MATH.md §4; Liang et al. 2025 Thm 3); σ_y = 0 and > 0.
 */
export const zeroShotCheck: SubjectCheck<ZeroShotCase> = {
  id: 'zero_shot_step.kernel',
  op: 'zero_shot_step',
  title: 'zero-shot step = DDNM / BO-DDNM kernel with supplied noise',
  kind: 'exact',
  assertionsPerCase: 0,
  defaultRuns: 40,
  unavailable: (ctx) => (ctx.schedule.schedule.T < 2 ? 'schedule has T = 1: no t ≥ 2' : undefined),
  cases: (ctx) =>
    fc
      .record({
        coords: caseCoordinates(),
        p: fc.integer({ min: 1, max: MAX_CASE_DIM }),
        H: fullRowRankH(MAX_CASE_DIM),
        sigmaY: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 8 }).map((k) => k / 4)),
        samples: batchOf(fc.record({ xt: simpleVector(MAX_CASE_DIM), y: simpleVector(MAX_CASE_DIM), z: simpleVector(MAX_CASE_DIM), t: timestep(ctx.schedule.schedule.T, 2) })),
        model: affineModel(MAX_CASE_DIM),
      })
      .map(({ coords, p: pRaw, H, sigmaY, samples, model }) => {
        const rows = coords.slice(0, Math.min(pRaw, coords.length));
        return {
          d: coords.length,
          // A principal-row selection of an upper-triangular H with nonzero diagonal: still full row rank.
          H: rows.map((r) => cut(H[r], coords)),
          sigmaY,
          samples: samples.map((s) => ({ xt: cut(s.xt, coords), y: cut(s.y, rows), z: cut(s.z, coords), t: s.t })),
          model: cutModel(model, coords),
        };
      }),
  async run(ctx, c) {
    const decl = ctx.hello.ops.zero_shot_step as NonNullable<DeclaredOps['zero_shot_step']>;
    const p = ctx.hello.parameterization as Parameterization;
    const { schedule, toSubject } = ctx.schedule;
    const args = {
      xt: c.samples.map((s) => s.xt),
      t: c.samples.map((s) => toSubject(s.t)),
      z: c.samples.map((s) => s.z),
      model: c.model,
      H: c.H,
      y: c.samples.map((s) => s.y),
      sigma_y: c.sigmaY,
    };
    const { id, result } = await ctx.subject.call('zero_shot_step', args);
    const got = readBatch(result, { op: 'zero_shot_step', requestId: id }, 'x_prev', c.samples.length, c.d);
    const exp = c.samples.map((s) =>
      expectedZeroShot(schedule, s.t, decl.variance, decl.variant, p, c.model, { H: c.H, y: s.y, sigmaY: c.sigmaY }, s.xt, s.z),
    );
    const cmp = compareBatch(got, exp.map((e) => e.xPrev), exp.map((e) => e.scale), ctx.rtol);
    const i = cmp.at[0];
    return {
      holds: cmp.ok,
      float32Multiple: cmp.float32Multiple,
      requestId: id,
      op: 'zero_shot_step',
      inputs: { xt: c.samples[i].xt, y: c.samples[i].y, z: c.samples[i].z, t: toSubject(c.samples[i].t), H: c.H, sigma_y: c.sigmaY, model: c.model },
      expected: { x_prev: Array.from(exp[i].xPrev), mean: Array.from(exp[i].mean), std: exp[i].std },
      got: { x_prev: Array.from(got[i]) },
      maxError: cmp.maxError,
      tolerance: cmp.tolerance,
      note: cmp.ok ? undefined : `sample ${i}, coordinate ${cmp.at[1]}; declared ${decl.variant}, variance ${decl.variance}, σ_y = ${c.sigmaY}`,
    };
  },
  size: (c) => ({ d: c.d, batch: c.samples.length }),
};
