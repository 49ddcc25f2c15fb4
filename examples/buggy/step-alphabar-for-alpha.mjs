// BUG: the reverse step divides by √ᾱ_t instead of √α_t:
// μ = (x_t − β_t/√(1−ᾱ_t) ε̂)/√ᾱ_t. Expected: step.kernel.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: step mean over √ᾱ_t' });
const { ab, beta, sigma, net, predEps } = ref._internals;

export default {
  ...ref,
  step({ xt, t, z, model }) {
    return {
      x_prev: xt.map((x, n) => {
        const k = t[n];
        const eps = predEps(net(model, x), x, k);
        const c = beta(k) / Math.sqrt(1 - ab(k));
        return x.map((v, j) => (v - c * eps[j]) / Math.sqrt(ab(k)) + sigma(k, 'beta_tilde') * z[n][j]);
      }),
    };
  },
};
