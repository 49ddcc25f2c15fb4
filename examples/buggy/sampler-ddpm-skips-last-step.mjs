// BUG: the sampling loop runs `for t in reversed(range(1, T))`-style and never takes the last
// step, returning x at the first training level (x_1) instead of x_0.
// Expected: sample.exact (samplers ddpm, ddim).
import { SamplerSubject } from '../sampler-subject.mjs';

class SkipsLast extends SamplerSubject {
  loopLength(ts) {
    return ts.length - 1;
  }
}

export default new SkipsLast({ name: 'buggy: the loop skips the last step' });
