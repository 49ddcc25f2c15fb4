// BUG: the transformer is called with timestep = σ where the declared convention (and the
// pretrained model) use timestep = σ·1000. Expected: flow_loss.exact.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: network time not scaled by 1000',
  patch(I) {
    I.networkTime = (t) => t;
  },
});
