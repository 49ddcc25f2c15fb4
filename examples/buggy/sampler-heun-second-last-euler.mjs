// BUG: Heun's "is this the last step?" test is off by one: the second-order correction is
// skipped on the second-to-last step too (an Euler step there), not only on the step to σ = 0.
// Expected: sample.exact (sampler heun_karras).
import { SamplerSubject } from '../sampler-subject.mjs';

class HeunOffByOne extends SamplerSubject {
  heunCorrects(sig, i) {
    return i < sig.length - 3;
  }
}

export default new HeunOffByOne({ name: 'buggy: Heun correction skipped one step early' });
