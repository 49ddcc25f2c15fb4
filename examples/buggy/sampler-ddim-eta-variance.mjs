// BUG: DDIM's σ_t(η) uses the variance where its square root belongs:
// η·(1−ᾱ_prev)/(1−ᾱ)·(1 − ᾱ/ᾱ_prev) instead of η·√(…)·√(…). Correct at η = 0.
// Expected: sample.exact (sampler ddim_linspace, η > 0).
import { SamplerSubject } from '../sampler-subject.mjs';

class EtaVariance extends SamplerSubject {
  ddimStd(eta, a, ap) {
    return eta * ((1 - ap) / (1 - a)) * (1 - a / ap);
  }
}

export default new EtaVariance({ name: 'buggy: DDIM σ(η) without the square root' });
