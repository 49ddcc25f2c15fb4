// BUG: the wrong t in the loss weighting: the Min-SNR weight is computed once from the
// first sample's timestep and broadcast over the batch (a shape/broadcast slip), so every
// other sample is weighted at the wrong t. Expected: loss.dsm (needs a batch with two t's).
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: loss weight at the wrong t' });
const { net, target, lossWeight } = ref._internals;

export default {
  ...ref,
  loss({ x0, noise, t, model }) {
    const xt = ref.add_noise({ x0, noise, t }).xt;
    const w = lossWeight(t[0]);
    return {
      loss: xt.map((x, n) => {
        const tg = target(x0[n], noise[n], t[n]);
        return (w * net(model, x).reduce((acc, o, j) => acc + (o - tg[j]) ** 2, 0)) / x.length;
      }),
    };
  },
};
