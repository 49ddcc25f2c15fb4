// BUG: variance where the standard deviation belongs in the sampler: x_{t−1} = μ + β̃_t z
// instead of μ + √β̃_t z. Expected: step.kernel.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: step noise scaled by the variance' });
const { sigma, net, predEps, ddpmMean } = ref._internals;

export default {
  ...ref,
  step({ xt, t, z, model }) {
    return {
      x_prev: xt.map((x, n) => {
        const mu = ddpmMean(x, predEps(net(model, x), x, t[n]), t[n]);
        return mu.map((m, j) => m + sigma(t[n], 'beta_tilde') ** 2 * z[n][j]);
      }),
    };
  },
};
