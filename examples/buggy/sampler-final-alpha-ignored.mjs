// BUG: the last DDIM step goes to ᾱ = 1 although the sampler declares final_alpha_cumprod
// "first" (set_alpha_to_one = False: ᾱ_prev = ᾱ[0]) — the batched path ignores the setting.
// Expected: sample.exact (sampler ddim).
import { SamplerSubject } from '../sampler-subject.mjs';

class FinalAlphaIgnored extends SamplerSubject {
  finalAlphaCumprod() {
    return 1;
  }
}

export default new FinalAlphaIgnored({ name: 'buggy: final_alpha_cumprod ignored' });
