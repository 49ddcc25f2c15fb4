// BUG: steps_offset is declared (1, as Stable Diffusion configs set it) but never added to the
// "leading" timesteps: the loop runs 980, 960, …, 0 instead of 981, 961, …, 1.
// Expected: sample.exact (samplers ddim and euler).
import { SamplerSubject } from '../sampler-subject.mjs';

class OffsetIgnored extends SamplerSubject {
  spacedTimesteps(kind, n, offset, variant) {
    return super.spacedTimesteps(kind, n, 0, variant);
  }
}

export default new OffsetIgnored({ name: 'buggy: steps_offset ignored' });
