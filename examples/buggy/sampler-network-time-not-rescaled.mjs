// BUG: the network was trained on t·1000/T (improved-diffusion's rescale_timesteps, declared
// network_time "index_rescaled_1000") but the sampler passes the raw index t — for this
// T = 250 model every time value is 4× too small. Expected: sample.network_time, sample.exact.
import { SamplerSubject } from '../sampler-subject.mjs';

class RawIndex extends SamplerSubject {
  networkTime(j, sigma, decl) {
    return j + this.tBase;
  }
}

export default new RawIndex({ name: 'buggy: network fed t instead of t·1000/T', T: 250, networkTime: 'index_rescaled_1000' });
