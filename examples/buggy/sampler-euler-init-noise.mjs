// BUG: the σ-space loop starts from x_init itself, forgetting init_noise_sigma (the latents
// are never multiplied by √(σ_max² + 1)), so it starts at the wrong noise level.
// Expected: sample.exact (samplers euler, heun_karras).
import { SamplerSubject } from '../sampler-subject.mjs';

class NoInitNoise extends SamplerSubject {
  initNoiseSigma() {
    return 1;
  }
}

export default new NoInitNoise({ name: 'buggy: init_noise_sigma not applied' });
