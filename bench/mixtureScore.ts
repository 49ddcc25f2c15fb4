/**
 * Mixture-score guidance in the DDPM sampler: allocating `score(x)` against `scoreInto(x, out)`
 * (the hot path of liang2025.mixture.*), in sample-steps per second.
 *
 *   npx tsx bench/mixtureScore.ts
 */
import os from 'node:os';
import { marginal } from '../src/diffusion/forward.ts';
import { vpLevel } from '../src/diffusion/noiseLevel.ts';
import { type Guidance, sampleReverse } from '../src/diffusion/reverseSampler.ts';
import { scaledLinearSchedule } from '../src/diffusion/schedule.ts';
import { Gaussian } from '../src/gaussian/gaussian.ts';
import { GaussianMixture } from '../src/gaussian/mixture.ts';
import { fromRows } from '../src/linalg/index.ts';
import { createRng } from '../src/mc/rng.ts';

const T = 100, n = 16384;
const s = scaledLinearSchedule(T);
function guidance(mix: GaussianMixture, allocating: boolean): Guidance {
  const cache = new Map<number, GaussianMixture>();
  return (x, t) => {
    let q = cache.get(t);
    if (!q) cache.set(t, (q = marginal(mix, vpLevel(s.alphaBar(t)))));
    return allocating ? q.score(x) : q.scoreInto(x, new Float64Array(x.length));
  };
}
console.log(`# ${new Date().toISOString()} · ${os.cpus()[0]?.model ?? '?'} × ${os.cpus().length} · Node ${process.version} · load ${os.loadavg()[0].toFixed(2)}`);
console.log('d | K | score (M sample-steps/s) | scoreInto (M sample-steps/s) | speed-up');
for (const [d, K] of [[2, 2], [2, 4], [8, 3]] as const) {
  const comps = Array.from({ length: K }, (_, k) => new Gaussian(Array.from({ length: d }, (_, i) => (k - K / 2) + 0.1 * i), fromRows(Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 0.5 + 0.1 * k : 0.05))))));
  const mix = new GaussianMixture(Array(K).fill(1 / K), comps);
  const rate = (allocating: boolean) => {
    sampleReverse(s, guidance(mix, allocating), { variance: 'seed', dim: d, samples: 512, rng: createRng(0) }); // warm-up
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      sampleReverse(s, guidance(mix, allocating), { variance: 'seed', dim: d, samples: n, rng: createRng(r) });
      best = Math.min(best, performance.now() - t0);
    }
    return (n * T) / (best * 1e3);
  };
  const a = rate(true), b = rate(false);
  console.log(`${d} | ${K} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(1)}×`);
}
