// BUG: SD3's precondition_outputs written model_pred·σ + noisy (x̂₀ = x_t + σF) where
// model_pred·(−σ) + noisy belongs: the velocity's sign. Expected: flow_loss.exact, flow_loss_grad.exact.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: precondition_outputs with the wrong sign',
  patch(I) {
    I.convert = (F, xt, c) => ({ value: F.map((f, i) => c.sigma * f + xt[i]), kappa: c.sigma });
  },
});
