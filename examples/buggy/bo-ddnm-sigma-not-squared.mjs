// BUG: BO-DDNM's forward covariance built with σ_y where σ_y² belongs:
// Σ = ᾱ σ_y H†H†ᵀ + (1−ᾱ) I. Invisible at σ_y ∈ {0, 1}. Expected: zero_shot_step.kernel.
import { createReferenceSubject, pinvFullRowRank, solve } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: BO-DDNM with σ_y for σ_y²' });
const { ab, beta, sigma, net, predEps, matvec, matmul, transpose } = ref._internals;

export default {
  ...ref,
  zero_shot_step({ xt, t, z, model, H, y, sigma_y }) {
    const Hp = pinvFullRowRank(H);
    const P = matmul(Hp, H);
    return {
      x_prev: xt.map((x, n) => {
        const k = t[n];
        const a = Math.sqrt(ab(k)), s = Math.sqrt(1 - ab(k));
        const score = predEps(net(model, x), x, k).map((e) => -e / s);
        const Ps = matvec(P, score);
        const Sigma = matmul(Hp, transpose(Hp)).map((r, p) => r.map((v, q) => ab(k) * sigma_y * v + (p === q ? 1 - ab(k) : 0)));
        const Px = matvec(P, x);
        const rhs = matvec(Hp, y[n]).map((v, j) => a * v - Px[j]);
        const f = solve(Sigma, rhs.map((v) => [v])).map((r) => r[0]);
        return x.map((v, j) => (v + beta(k) * (score[j] - Ps[j] + f[j])) / Math.sqrt(1 - beta(k)) + sigma(k, 'beta_tilde') * z[n][j]);
      }),
    };
  },
};
