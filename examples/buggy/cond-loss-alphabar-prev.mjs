// BUG: the conditional loss (the one whose gradient optimizes the conditioning input) noises x_0 with
// alphas_cumprod_prev[t] instead of alphas_cumprod[t] — the neighbouring table of the same module —
// so ∂ℓ/∂c is the gradient at the wrong noise level. Expected: loss_input_grad.exact.
import { createTrainingSubject } from '../reference-training.mjs';

const ref = createTrainingSubject({ name: 'buggy: conditional loss with ᾱ_{t−1}' });
const { acPrev, target, meanFlat } = ref._internals;
export default {
  ...ref,
  loss_input_grad({ x0, noise, t, c, model }) {
    const d = x0[0].length, kc = c[0].length;
    const out = x0.map((row, n) => {
      const k = t[n];
      const a = Math.sqrt(acPrev[k]), s = Math.sqrt(1 - acPrev[k]);
      const xt = row.map((v, j) => a * v + s * noise[n][j]);
      const f = model.W.map((r, i) => r.reduce((acc, w, j) => acc + w * xt[j], model.b[i]) + model.U[i].reduce((acc, u, j) => acc + u * c[n][j], 0));
      const res = f.map((v, i) => v - target(row[i], noise[n][i], k));
      return { loss: meanFlat(res.map((r) => r * r)), g: Array.from({ length: kc }, (_, j) => res.reduce((acc, r, i) => acc + (2 * model.U[i][j] * r) / d, 0)) };
    });
    return { loss: out.map((o) => o.loss), grad_c: out.map((o) => o.g) };
  },
};
