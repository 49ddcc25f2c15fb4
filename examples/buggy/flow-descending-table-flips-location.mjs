// BUG: the noise level is meant to follow logit-normal(0.5, 1) (biased towards noise, SD3 §3.1), but the
// draw u indexes diffusers' descending timestep table, σ = (N − ⌊uN⌋)/N: the location's sign flips
// (σ ~ logit-normal(−0.5, 1), biased towards data). Expected: flow_timestep_sampler.distribution.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: descending table flips the logit-normal location',
  sampler: { kind: 'logit_normal', loc: 0.5, scale: 1, shift: 1 },
  patch(I) {
    I.sampledSigma = (sp, u) => I.shift(sp.shift, (1000 - Math.min(999, Math.floor(u * 1000))) / 1000);
  },
});
