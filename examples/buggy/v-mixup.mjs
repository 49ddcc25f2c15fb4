// BUG: v-parameterization mixed up: target √ᾱ x_0 − √(1−ᾱ) ε (roles of x_0 and ε swapped)
// instead of v = √ᾱ ε − √(1−ᾱ) x_0. Expected: loss.dsm (and loss.esm_gradient).
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: v target with x0 and ε swapped', parameterization: 'v', weighting: { kind: 'min_snr_over_snr_plus_one', gamma: 5 } });
const { ab, net, lossWeight } = ref._internals;

export default {
  ...ref,
  loss({ x0, noise, t, model }) {
    const xt = ref.add_noise({ x0, noise, t }).xt;
    return {
      loss: xt.map((x, n) => {
        const a = Math.sqrt(ab(t[n])), s = Math.sqrt(1 - ab(t[n]));
        const out = net(model, x);
        const se = out.reduce((acc, o, j) => acc + (o - (a * x0[n][j] - s * noise[n][j])) ** 2, 0);
        return (lossWeight(t[n]) * se) / x.length;
      }),
    };
  },
};
