// BUG: DDIM takes the previous timestep as t − T // n (a fixed stride) although its "linspace"
// spacing gives another list (999, 978, 957, … for T = 1000, n = 48), so every step jumps to
// the wrong ᾱ_prev. Expected: sample.exact (sampler ddim_linspace).
import { SamplerSubject } from '../sampler-subject.mjs';

class FixedStride extends SamplerSubject {
  previousIndex(ts, i) {
    const prev = ts[i] - Math.floor(this.T / ts.length);
    return prev >= 0 ? prev : -1;
  }
}

export default new FixedStride({ name: 'buggy: DDIM previous timestep by a fixed stride' });
