// BUG: "linspace" timesteps computed as round(i·(T−1)/(n−1)) instead of NumPy's
// round(i·step), step = (T−1)/(n−1): the two round differently where i·(T−1)/(n−1) is exactly
// k + ½ (T = 1000, n = 27, i = 13: 499.5 → 500 here, 499.49999999999994 → 499 in NumPy), so a
// port of a diffusers config visits another timestep at a few step counts only.
// Expected: sample.exact (samplers ddim_linspace, dpmpp_2m, ddpm_learned at such n).
import { SamplerSubject, roundHalfEven } from '../sampler-subject.mjs';

class LinspaceRounding extends SamplerSubject {
  spacedTimesteps(kind, n, offset, variant) {
    if (kind !== 'linspace') return super.spacedTimesteps(kind, n, offset, variant);
    const m = variant === 'multistep' ? n + 1 : n;
    const T = this.T;
    const ts = Array.from({ length: m }, (_, i) => (m === 1 ? 0 : (i * (T - 1)) / (m - 1)));
    return ts.map(variant === 'sigma' ? (x) => x : roundHalfEven).reverse().slice(0, n);
  }
}

export default new LinspaceRounding({ name: 'buggy: linspace rounding differs from NumPy' });
