// BUG: "trailing" spacing is declared but the list is built the "leading" way, so a 1000-step
// model sampled in 50 steps starts at t = 980, never at the last training step 999 (the
// sample never starts from pure noise). Expected: sample.exact (samplers ddpm, ddim_inversion).
import { SamplerSubject } from '../sampler-subject.mjs';

class LeadingForTrailing extends SamplerSubject {
  spacedTimesteps(kind, n, offset, variant) {
    return super.spacedTimesteps(kind === 'trailing' ? 'leading' : kind, n, offset, variant);
  }
}

export default new LeadingForTrailing({ name: 'buggy: leading spacing where trailing is declared' });
