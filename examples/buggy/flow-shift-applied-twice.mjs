// BUG: the SD3 time shift is applied to the sampled u, and again to the result (once in the sampler,
// once in a scheduler helper): σ = shift(shift(u)), i.e. shift² = 9 where 3 was declared.
// Expected: flow_timestep_sampler.distribution.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: time shift applied twice',
  sampler: { kind: 'logit_normal', loc: 0, scale: 1, shift: 3 },
  patch(I) {
    const once = I.sampledSigma;
    I.sampledSigma = (sp, u) => I.shift(sp.shift, once(sp, u));
  },
});
