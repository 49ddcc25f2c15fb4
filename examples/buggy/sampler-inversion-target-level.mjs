// BUG: DDIM inversion reads x̂₀ from the network output at the *target* level ᾱ[u_i] instead
// of the level x is at (the two ᾱ of the step swapped). Expected: sample.exact (ddim_inversion).
import { SamplerSubject } from '../sampler-subject.mjs';

class InversionTargetLevel extends SamplerSubject {
  inversionSourceAlpha(ts, i) {
    return this.ac[ts[i]];
  }
}

export default new InversionTargetLevel({ name: 'buggy: DDIM inversion at the target level' });
