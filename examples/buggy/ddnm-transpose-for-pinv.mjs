// BUG: DDNM's range-null-space decomposition with Hᵀ where H† belongs:
// x̂0 ← x̂0 + Hᵀ(y − H x̂0). Equal only when H has orthonormal rows. Expected: zero_shot_step.kernel.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: DDNM with Hᵀ for H†', zeroShotVariant: 'ddnm' });
const { ab, abPrev, beta, sigma, net, predEps, matvec, transpose } = ref._internals;

export default {
  ...ref,
  zero_shot_step({ xt, t, z, model, H, y }) {
    const Ht = transpose(H);
    return {
      x_prev: xt.map((x, n) => {
        const k = t[n];
        const a = Math.sqrt(ab(k)), s = Math.sqrt(1 - ab(k));
        const eps = predEps(net(model, x), x, k);
        const x0hat = x.map((v, j) => (v - s * eps[j]) / a);
        const r = matvec(H, x0hat).map((v, m) => y[n][m] - v);
        const x0c = x0hat.map((v, j) => v + matvec(Ht, r)[j]);
        const c0 = (Math.sqrt(abPrev(k)) * beta(k)) / (1 - ab(k));
        const ct = (Math.sqrt(1 - beta(k)) * (1 - abPrev(k))) / (1 - ab(k));
        return x0c.map((v, j) => c0 * v + ct * x[j] + sigma(k, 'beta_tilde') * z[n][j]);
      }),
    };
  },
};
