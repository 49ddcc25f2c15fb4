/**
 * Mixture prior, zero-shot samplers: MMD² of each sampler's final law to the posterior against T
 * (MATH.md §4.2). The bimodal default problem of src/claims/liang2025/mixture.ts.
 *
 *   npx tsx bench/liang2025-mixture.ts [samples=32768] [sigmaY=0.5]
 */
import { defaultMixtureProblem } from '../src/claims/liang2025/mixture.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { DEFAULT_SAMPLER_MMD, POSTERIOR_SAMPLER_KINDS, samplerMmd } from '../src/theory/zeroShotSamplerMmd.ts';

const samples = Number(process.argv[2] ?? 32768);
const sigmaY = Number(process.argv[3] ?? 0.5);
const { prior, problem, post } = defaultMixtureProblem(sigmaY);
console.log(`# bimodal prior d = 2, H = [0 1], σ_y = ${sigmaY}, ${samples} draws per cell, block ${DEFAULT_SAMPLER_MMD.blockSize}, seed 1; ${new Date().toISOString()}`);
console.log(['T', ...POSTERIOR_SAMPLER_KINDS.map((k) => `${k} MMD² ± SE`), 'seconds'].join(' | '));
for (const T of [10, 25, 100, 400]) {
  const t0 = performance.now();
  const cells = POSTERIOR_SAMPLER_KINDS.map((k) => {
    const e = samplerMmd(k, prior, problem, post, scaledLinearSchedule(T), { ...DEFAULT_SAMPLER_MMD, samples, seed: 1 });
    return `${e.mean.toExponential(2)} ± ${e.stderr.toExponential(1)}`;
  });
  console.log([T, ...cells, ((performance.now() - t0) / 1000).toFixed(1)].join(' | '));
}
