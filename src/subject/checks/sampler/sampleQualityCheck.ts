import fc from 'fast-check';
import type { Figure } from '../../../engine/figure.ts';
import { type Outcome, limitMargin } from '../../../engine/outcome.ts';
import type { Property } from '../../../engine/property.ts';
import {
  type BlockLaw, type SampleShape, type SamplerProgram, type SamplerSpec, blockKL, dataLawAt, declarationVariants, exactGaussianNetwork,
  limitBlockLaw, limitMap, loopTolerance, planSampler, runSampler, runSamplerValue, samplerData,
} from '../../../diffusion/samplers/index.ts';
import type { Matrix } from '../../../linalg/index.ts';
import { fitPowerLaw } from '../../../numerics/powerLawFit.ts';
import { decodeSampleResult, encodeSampleArgs } from '../../samplerProtocol.ts';
import { SubjectReplyError } from '../../subjectError.ts';
import { isStochastic } from './sampleRequest.ts';
import { smallShapes } from './sampleExactCheck.ts';
import { samplerCheckId } from './samplerCheckId.ts';
import { type SamplerCheckContext, contextOf, requestFor, validStepCounts } from './samplerCheckContext.ts';

/**
 * `sample.quality` (per declared generation sampler; MATH.md §5.5, Liang et al.'s W_oracle
 * measured): with the exact network of Gaussian data, the law of the subject's final sample is
 * read off its loop by probing (the loop is affine: 1 + C probes of x_init, C per noisy step), at
 * a ladder of step counts. Reported: KL to the data, KL to the continuous limit of the same loop,
 * the fitted order of both the subject and the declared sampler (and the family's nominal order),
 * and what the nearby spacings / final-step choices would cost. Fails when a probe differs from the
 * declared sampler beyond rounding, or the subject's order falls 0.25 below the declared sampler's.
 */
export interface QualityCase {
  /** log10 of the data's channel variances, on a grid of 1/2 from −2 to 1. */
  readonly logVariances: readonly number[];
  /** Rotation angle of the channel covariance (radians / π/12). */
  readonly angle: number;
  readonly mean: readonly number[];
}

export const ORDER_SLACK = 0.25;
const LADDER = 5;

/**
 * The case's channel covariance Σ = R diag(10^logVariances) Rᵀ, R a Givens rotation by angle·π/12 in
 * channels 0 and 1 (so Σ's eigenvalues are the case's variances). With one channel there is nothing to
 * rotate: Σ = λ₀ (a truncated rotation would give cos²θ·λ₀, zero at θ = π/2).
 */
export function qualityCaseCovariance(c: QualityCase, C: number): Matrix {
  const lam = c.logVariances.slice(0, C).map((l) => 10 ** l);
  const out = new Float64Array(C * C);
  const th = C >= 2 ? (c.angle * Math.PI) / 12 : 0, co = Math.cos(th), si = Math.sin(th);
  const R = (i: number, j: number) => (i === j ? (i < 2 ? co : 1) : i === 0 && j === 1 ? -si : i === 1 && j === 0 ? si : 0);
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) {
    let acc = 0;
    for (let k = 0; k < C; k++) acc += R(i, k) * lam[k] * R(j, k);
    out[i * C + j] = acc;
  }
  return { rows: C, cols: C, data: out };
}

/** The data mean of an image: the case's channel means plus a fixed spatial pattern (so pixels differ). */
function meanField(mean: readonly number[], shape: SampleShape): Float64Array {
  const out = new Float64Array(shape.size);
  for (let c = 0; c < shape.C; c++) for (let p = 0; p < shape.P; p++) out[c * shape.P + p] = mean[c] + 0.5 * Math.sin(0.37 * p + 1.3 * c);
  return out;
}

/** Step counts of the ladder: geometric, ending at the largest valid count ≤ cap. */
export function stepLadder(valid: readonly number[], cap: number): number[] {
  const usable = valid.filter((n) => n <= cap);
  if (usable.length === 0) return [];
  const hi = usable[usable.length - 1];
  const picks = new Set<number>();
  for (let k = LADDER - 1; k >= 0; k--) {
    const want = hi / 2 ** k;
    let best = usable[0];
    for (const n of usable) if (Math.abs(Math.log(n / want)) < Math.abs(Math.log(best / want))) best = n;
    picks.add(best);
  }
  return [...picks].sort((a, b) => a - b);
}

/** Probe batch: x_init = 0, e_1..e_C; then, per noisy step k and channel j, x_init = 0 with z_k = e_j. */
function probes(C: number, noisy: readonly number[], steps: number): { xInit: Float64Array[]; noises?: Float64Array[][] } {
  const xInit = [new Float64Array(C), ...Array.from({ length: C }, (_, j) => Float64Array.from({ length: C }, (_, i) => (i === j ? 1 : 0)))];
  if (noisy.length === 0) return { xInit };
  const B = 1 + C + noisy.length * C;
  for (let k = 0; k < noisy.length * C; k++) xInit.push(new Float64Array(C));
  const noises = Array.from({ length: steps }, () => Array.from({ length: B }, () => new Float64Array(C)));
  noisy.forEach((step, q) => {
    for (let j = 0; j < C; j++) noises[step][1 + C + q * C + j][j] = 1;
  });
  return { xInit, noises };
}

/** The law N(h, FFᵀ + Σ G Gᵀ) from the probe outputs (x_init ~ N(0, I), noises N(0, I)). */
function lawFromProbes(out: readonly Float64Array[], C: number): BlockLaw {
  const h = out[0];
  const cov = new Float64Array(C * C);
  for (let p = 1; p < out.length; p++) for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) cov[i * C + j] += (out[p][i] - h[i]) * (out[p][j] - h[j]);
  return { mean: Float64Array.from(h), cov: { rows: C, cols: C, data: cov } };
}

function order(ns: readonly number[], kl: readonly number[]): number | undefined {
  const pts = ns.map((n, i) => [n, kl[i]] as const).filter(([, v]) => v > 1e-13);
  if (pts.length < 3) return undefined;
  return -fitPowerLaw(pts.map(([n]) => n), pts.map(([, v]) => v)).exponent / 2;
}

export function sampleQualityProperty(ctx: SamplerCheckContext, name: string, spec: SamplerSpec): Property<QualityCase> | undefined {
  if (spec.family === 'ddim_inversion' || ('clip' in spec && spec.clip)) return undefined;
  const sctx = contextOf(ctx, spec);
  const shape: SampleShape = smallShapes(ctx).filter((s) => s.P === 1).pop() ?? smallShapes(ctx)[0];
  const C = shape.C;
  // With a declared image shape, the mean field is also read at that shape (a zero-noise request at
  // the two ends of the ladder): exactness and the KL to the data then cover every pixel (MATH.md §5.5).
  const big = ctx.sampler.sampleShape;
  const fieldShape = big && big.size > shape.size && big.C === C ? big : shape;
  const stochastic = isStochastic(spec);
  const ladder = stepLadder(validStepCounts(spec, sctx, stochastic ? 64 : 128), stochastic ? 64 : 128);
  if (ladder.length < 3) return undefined;
  const nominal = spec.family === 'heun' || spec.family === 'dpmpp_2m' || spec.family === 'flow_heun' ? 2 : 1;
  const costVariants = declarationVariants({ ...spec, parameterization: sctx.parameterization, networkTime: sctx.networkTime })
    .filter((v) => /^(spacing|steps_offset|final_alpha|final_sigma|lower_order|grid|shift)/.test(v.label));
  return {
    id: samplerCheckId('sample.quality', name),
    statement: `with the exact Gaussian network, the "${name}" loop's final law is the declared sampler's, and its measured order is not below it`,
    expected: 'holds',
    defaultRuns: 2,
    assertionsPerCase: 0,
    cases: () => fc.record({
      logVariances: fc.array(fc.integer({ min: -4, max: 2 }).map((k) => k / 2), { minLength: C, maxLength: C }),
      angle: fc.integer({ min: 0, max: 11 }),
      mean: fc.array(fc.integer({ min: -8, max: 8 }).map((k) => k / 4), { minLength: C, maxLength: C }),
    }),
    async check(c): Promise<Outcome> {
      const data = samplerData(shape, qualityCaseCovariance(c, C), c.mean);
      const field = fieldShape === shape ? data : samplerData(fieldShape, data.channelCov, meanField(c.mean, fieldShape));
      const rows: { n: number; klSubject: number; klOracle: number; klSubjectData: number; klOracleData: number }[] = [];
      const imageKL: { n: number; subject: number; declared: number }[] = [];
      let worst = 0, worstAt = '', lastId = 0;
      const costs: Record<string, number[]> = {};
      const kl = (p: BlockLaw, q: BlockLaw) => {
        try {
          return blockKL(p, q, C);
        } catch {
          return Infinity; // a degenerate law (zero variance in some direction)
        }
      };
      for (const n of ladder) {
        const req = requestFor(spec, ctx.table, n, 7, 0.5);
        const program: SamplerProgram = planSampler(spec, sctx, req);
        const learned = spec.family === 'ddpm' && spec.variance === 'learned_range' ? 0 : undefined;
        const network = exactGaussianNetwork(data, sctx.parameterization, program.taus.map((tau, i) => ({ tau, level: program.callLevels[i] })), spec.sigmaData, learned);
        const noisy = program.noiseSteps.flatMap((u, k) => (u ? [k] : []));
        const pr = probes(C, noisy, n);
        const expected = pr.xInit.map((x, b) => runSampler(program, network, x, (pr.noises ?? []).map((z) => z[b])));
        const args = encodeSampleArgs({ sampler: name, numInferenceSteps: n, timesteps: req.timesteps, eta: req.eta, shape, xInit: pr.xInit, noises: pr.noises ?? (stochastic ? Array.from({ length: n }, () => pr.xInit.map(() => new Float64Array(C))) : undefined), network }, ctx.sampler.binaryArrays);
        let out: Float64Array[];
        try {
          const { id, result } = await ctx.subject.call('sample', args);
          lastId = id;
          out = decodeSampleResult(result, pr.xInit.length, shape).xFinal;
        } catch (e) {
          if (e instanceof SubjectReplyError) return { holds: false, margin: 1, requestId: e.ref.requestId, op: 'sample', note: `sampler ${name}, n = ${n}: the subject answered with an error: ${e.reply}` };
          if (e instanceof Error && e.name === 'InvalidArgumentError') return { holds: false, margin: 1, op: 'sample', note: `sampler ${name}, n = ${n}: ${e.message}` };
          throw e;
        }
        expected.forEach((e, b) => e.xFinal.forEach((v, i) => {
          const r = Math.abs(out[b][i] - v) / loopTolerance(e, i, ctx.rtol);
          if (r > worst) [worst, worstAt] = [r, `n = ${n}, probe ${b}, coordinate ${i}: got ${out[b][i]}, expected ${v}`];
        }));
        const subjectLaw = lawFromProbes(out, C);
        const oracleLaw = lawFromProbes(expected.map((e) => e.xFinal), C);
        const end = program.levels[n];
        // The image-sized mean field at the two ends of the ladder (the law's covariance is per pixel).
        if (field !== data && (n === ladder[0] || n === ladder[ladder.length - 1])) {
          const fnet = exactGaussianNetwork(field, sctx.parameterization, program.taus.map((tau, i) => ({ tau, level: program.callLevels[i] })), spec.sigmaData, learned);
          const zero = new Float64Array(fieldShape.size);
          const zs = program.noiseSteps.map(() => zero);
          const e = runSampler(program, fnet, zero, zs);
          const fargs = encodeSampleArgs({ sampler: name, numInferenceSteps: n, timesteps: req.timesteps, eta: req.eta, shape: fieldShape, xInit: [zero], noises: stochastic || noisy.length ? Array.from({ length: n }, () => [zero]) : undefined, network: fnet }, ctx.sampler.binaryArrays);
          let mean: Float64Array;
          try {
            const { id, result } = await ctx.subject.call('sample', fargs);
            lastId = id;
            mean = decodeSampleResult(result, 1, fieldShape).xFinal[0];
          } catch (err) {
            if (err instanceof SubjectReplyError) return { holds: false, margin: 1, requestId: err.ref.requestId, op: 'sample', note: `sampler ${name}, n = ${n}, shape [${fieldShape.dims}]: the subject answered with an error: ${err.reply}` };
            throw err;
          }
          e.xFinal.forEach((v, i) => {
            const r = Math.abs(mean[i] - v) / loopTolerance(e, i, ctx.rtol);
            if (r > worst) [worst, worstAt] = [r, `n = ${n}, mean field at shape [${fieldShape.dims}], entry ${i}: got ${mean[i]}, expected ${v}`];
          });
          imageKL.push({ n, subject: kl({ mean, cov: subjectLaw.cov }, dataLawAt(field, end.a, end.s)), declared: kl({ mean: e.xFinal, cov: oracleLaw.cov }, dataLawAt(field, end.a, end.s)) });
        }
        const limit = limitBlockLaw(data, limitMap(data.channelCov, program.levels[0], end, program.eta), program.initScale);
        const target = dataLawAt(data, end.a, end.s);
        rows.push({ n, klSubject: kl(subjectLaw, limit), klOracle: kl(oracleLaw, limit), klSubjectData: kl(subjectLaw, target), klOracleData: kl(oracleLaw, target) });
        for (const v of costVariants) {
          try {
            const vp = planSampler(v.spec, sctx, req);
            const vn = exactGaussianNetwork(data, sctx.parameterization, vp.taus.map((tau, i) => ({ tau, level: vp.callLevels[i] })), spec.sigmaData, learned);
            const vnoisy = vp.noiseSteps.flatMap((u, k) => (u ? [k] : []));
            const vpr = probes(C, vnoisy, n);
            const law = lawFromProbes(vpr.xInit.map((x, b) => runSamplerValue(vp, vn, x, (vpr.noises ?? []).map((z) => z[b]))), C);
            const ve = vp.levels[n];
            (costs[v.label] ??= []).push(kl(law, dataLawAt(data, ve.a, ve.s)));
          } catch {
            // a variant this request cannot run
          }
        }
      }
      const ns = rows.map((r) => r.n);
      const pSubject = order(ns, rows.map((r) => r.klSubject));
      const pOracle = order(ns, rows.map((r) => r.klOracle));
      const exact = worst <= 1;
      const orderOk = pSubject === undefined || pOracle === undefined || pSubject >= pOracle - ORDER_SLACK;
      const orderMargin = pSubject === undefined || pOracle === undefined ? -1 : (pOracle - ORDER_SLACK - pSubject) / ORDER_SLACK;
      const notes: string[] = [];
      if (!exact) notes.push(`a probe differs from the declared sampler beyond rounding (${worstAt})`);
      if (!orderOk) notes.push(`measured order ${pSubject?.toFixed(2)} is below the declared sampler's ${pOracle?.toFixed(2)}`);
      if (pOracle !== undefined && pOracle < nominal - ORDER_SLACK) notes.push(`the declared ${spec.family} measures order ${pOracle.toFixed(2)} on this grid, below the family's ${nominal}`);
      const outcome: Outcome = {
        holds: exact && orderOk,
        margin: Math.max(limitMargin(worst, 1), orderMargin),
        maxError: worst,
        tolerance: 1,
        metric: `probe error / rounding tolerance; measured order ${pSubject?.toFixed(2) ?? 'n/a'} (declared sampler ${pOracle?.toFixed(2) ?? 'n/a'}, family ${nominal})`,
        requestId: lastId,
        op: 'sample',
        quantities: {
          steps: ns,
          kl_to_data: rows.map((r) => r.klSubjectData),
          kl_to_limit: rows.map((r) => r.klSubject),
          declared_kl_to_data: rows.map((r) => r.klOracleData),
          declared_kl_to_limit: rows.map((r) => r.klOracle),
          order: pSubject ?? 'n/a',
          declared_order: pOracle ?? 'n/a',
          family_order: nominal,
          // What nearby spacings / final-step choices would cost (declared-sampler oracle, one pixel of the data).
          ...Object.fromEntries(Object.entries(costs).filter(([, v]) => v.length === ns.length).map(([k, v]) => [`kl_to_data if ${k}`, v])),
          ...(imageKL.length ? { image_steps: imageKL.map((r) => r.n), image_kl_to_data: imageKL.map((r) => r.subject), declared_image_kl_to_data: imageKL.map((r) => r.declared) } : {}),
        },
        ...(notes.length ? { note: `sampler ${name}: ${notes.join('; ')}` } : {}),
      };
      const figure = samplerQualityFigure(samplerCheckId('sample.quality', name), outcome);
      return figure ? { ...outcome, figures: [figure] } : outcome;
    },
    describeCase: (c) => ({ sampler: name, variances: c.logVariances.map((l) => 10 ** l), angle: c.angle, mean: c.mean, steps: ladder }),
    size: () => ({ d: fieldShape.size, steps: ladder[ladder.length - 1] }),
  };
}

/** The HTML report's figure for a quality outcome: KL against steps, subject and declared sampler, log–log. */
export function samplerQualityFigure(id: string, o: Outcome): Figure | undefined {
  const q = o.quantities;
  if (!q || !Array.isArray(q.steps)) return undefined;
  const ns = q.steps as number[];
  const series = (label: string, key: string, style: 'line' | 'points' = 'line') => {
    const v = q[key] as number[] | undefined;
    return v ? [{ name: label, style, points: ns.map((n, i) => [n, v[i]] as const).filter(([, y]) => y > 0 && Number.isFinite(y)) }] : [];
  };
  const extra = Object.keys(q).filter((k) => k.startsWith('kl_to_data if ')).flatMap((k) => series(`declared sampler ${k.slice('kl_to_data '.length)} (one pixel)`, k));
  return {
    id: `${id}-kl`,
    title: `${id}: KL of the final sample against steps`,
    xLabel: 'number of steps n',
    yLabel: 'KL (nats)',
    logX: true,
    logY: true,
    series: [
      ...series('subject: KL to the data', 'kl_to_data', 'points'),
      ...series('subject: KL to the continuous limit', 'kl_to_limit', 'points'),
      ...series('declared sampler: KL to the data', 'declared_kl_to_data'),
      ...series('declared sampler: KL to the limit', 'declared_kl_to_limit'),
      ...extra,
    ],
    caption: `measured order ${typeof q.order === 'number' ? q.order.toFixed(2) : 'n/a'} (declared sampler ${typeof q.declared_order === 'number' ? q.declared_order.toFixed(2) : 'n/a'}, family ${q.family_order}); KL ∝ n^(−2·order).`,
  };
}
