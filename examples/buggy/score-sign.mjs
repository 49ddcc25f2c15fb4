// BUG: the score's sign. A score-parameterized model trained towards +ε/σ instead of
// ∇log q(x_t|x_0) = −ε/σ. Expected: loss.dsm (and loss.esm_gradient).
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: score target sign', parameterization: 'score', weighting: { kind: 'unit' } });
const { ab, net } = ref._internals;

export default {
  ...ref,
  loss({ x0, noise, t, model }) {
    const xt = ref.add_noise({ x0, noise, t }).xt;
    return {
      loss: xt.map((x, n) => {
        const s = Math.sqrt(1 - ab(t[n]));
        const out = net(model, x);
        return out.reduce((acc, o, j) => acc + (o - noise[n][j] / s) ** 2, 0) / x.length;
      }),
    };
  },
};
