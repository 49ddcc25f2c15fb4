// BUG: the velocity target written x₀ − ε (the direction from noise to data, as on a data-at-1 path)
// where rectified flow's d/dt[(1 − t)x₀ + tε] = ε − x₀ belongs. Expected: flow_loss.exact.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: velocity target x0 − noise',
  prediction: 'velocity',
  target: 'velocity',
  patch(I) {
    I.targetOf = (x0, e) => x0 - e;
  },
});
