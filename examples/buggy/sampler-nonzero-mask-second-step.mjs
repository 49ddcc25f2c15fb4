// BUG: the DDPM no-noise mask was ported from 1-based code (Ho et al.: z = 0 only when t = 1)
// to 0-based timesteps keeping `t > 1`, so the step at t = 1 — the second-to-last of a full
// 1000-step loop — also adds no noise. Invisible unless the list contains t = 1 before the end.
// Expected: sample.exact (sampler ddpm at num_inference_steps = T).
import { SamplerSubject } from '../sampler-subject.mjs';

class MaskAtWrongT extends SamplerSubject {
  addsNoise(i, n, t) {
    return t > 1;
  }
}

export default new MaskAtWrongT({ name: 'buggy: no-noise mask at the wrong timestep' });
