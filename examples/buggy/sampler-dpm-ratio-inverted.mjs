// BUG: DPM-Solver++(2M) uses r = h_i / h_{i−1} where r = h_{i−1} / h_i belongs, so the
// multistep extrapolation of D is to the wrong point wherever the λ-steps are not uniform.
// Expected: sample.exact (samplers dpmpp_2m, dpmpp_2m_karras).
import { SamplerSubject } from '../sampler-subject.mjs';

class RatioInverted extends SamplerSubject {
  dpmStepRatio(lam, i) {
    return 1 / super.dpmStepRatio(lam, i);
  }
}

export default new RatioInverted({ name: 'buggy: DPM-Solver++(2M) step ratio inverted' });
