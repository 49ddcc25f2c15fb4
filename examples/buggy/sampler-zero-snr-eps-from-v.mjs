// BUG: with zero terminal SNR (ᾱ_T = 0) and a v-prediction network, x̂₀ is computed the
// ε-prediction way, (x − √(1−ᾱ) ε̂)/√ᾱ, with ᾱ clamped to 1e-12 to avoid dividing by zero —
// at the first (terminal) step ε̂ = x exactly, so x̂₀ = 0 instead of −v̂.
// Expected: sample.exact (samplers ddim, ddpm; trailing spacing starts at the terminal step).
import { SamplerSubject, lin } from '../sampler-subject.mjs';

class EpsFromV extends SamplerSubject {
  predictX0Eps(out, x, a, param) {
    if (param !== 'v') return super.predictX0Eps(out, x, a, param);
    const eps = lin([Math.sqrt(a), out], [Math.sqrt(1 - a), x]);
    const ac = Math.max(a, 1e-12);
    return [lin([1 / Math.sqrt(ac), x], [-Math.sqrt(1 - a) / Math.sqrt(ac), eps]), eps];
  }
}

export default new EpsFromV({
  name: 'buggy: zero terminal SNR, x̂₀ via ε from v',
  parameterization: 'v',
  zeroTerminalSnr: true,
  samplers: {
    ddim: { family: 'ddim', eta: 0, spacing: 'trailing' },
    ddpm: { family: 'ddpm', variance: 'beta_tilde', spacing: 'trailing' },
  },
});
