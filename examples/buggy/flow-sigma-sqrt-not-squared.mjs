// BUG: the "sigma_sqrt" loss weighting written σ⁻¹ where compute_loss_weighting_for_sd3 uses σ⁻²
// (the name suggests a square root). Expected: flow_loss.exact.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: sigma_sqrt weighting as 1/sigma',
  weighting: 'sigma_sqrt',
  patch(I) {
    I.lossWeight = (sigma) => 1 / sigma;
  },
});
