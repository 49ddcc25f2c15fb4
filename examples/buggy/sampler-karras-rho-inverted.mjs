// BUG: Karras levels with the exponents swapped: (σ_max^ρ + i/(n−1)(σ_min^ρ − σ_max^ρ))^{1/ρ}
// instead of (σ_max^{1/ρ} + …)^ρ — same endpoints, wrong levels in between.
// Expected: sample.exact (samplers heun_karras, dpmpp_2m_karras).
import { SamplerSubject } from '../sampler-subject.mjs';

class RhoInverted extends SamplerSubject {
  karrasSigmas(n, lo, hi, rho) {
    return super.karrasSigmas(n, lo, hi, 1 / rho);
  }
}

export default new RhoInverted({ name: 'buggy: Karras ρ inverted' });
