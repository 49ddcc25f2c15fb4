// BUG: the loss is averaged for logging but the backward pass runs on loss.sum(): the gradient is B times
// the declared batch mean's. Expected: flow_loss_grad.exact (needs B ≥ 2).
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: gradient of the batch sum, declared mean',
  patch(I) {
    I.batchScale = () => 1;
  },
});
