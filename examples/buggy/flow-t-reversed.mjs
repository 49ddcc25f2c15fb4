// BUG: the interpolation uses x_t = t·x₀ + (1 − t)·ε (the data-at-1 convention of Lipman's OT path)
// while the target, weighting and sampler are rectified flow's (noise at t = 1). Expected: flow_interpolate.exact
// (and flow_loss.exact).
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: flow time reversed in the interpolation',
  patch(I) {
    const rectified = I.coef;
    I.coef = (t) => ({ ...rectified(t), a: t, s: 1 - t });
  },
});
