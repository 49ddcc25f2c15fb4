// BUG: the ε-target used as a score target without 1/σ: a score network trained towards
// −ε instead of −ε/σ. Expected: loss.dsm (and loss.esm_gradient).
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: score target −ε (missing 1/σ)', parameterization: 'score', weighting: { kind: 'unit' } });
const { net } = ref._internals;

export default {
  ...ref,
  loss({ x0, noise, t, model }) {
    const xt = ref.add_noise({ x0, noise, t }).xt;
    return {
      loss: xt.map((x, n) => net(model, x).reduce((acc, o, j) => acc + (o + noise[n][j]) ** 2, 0) / x.length),
    };
  },
};
