// BUG: posterior variance β_t instead of β̃_t = (1−ᾱ_{t−1})β_t/(1−ᾱ_t) (the two DDPM
// variance choices confused). Expected: posterior.exact.
import { createReferenceSubject } from '../reference-subject.mjs';

const ref = createReferenceSubject({ name: 'buggy: posterior variance β_t' });
const { beta } = ref._internals;

export default {
  ...ref,
  posterior(args) {
    const { mean } = ref.posterior(args);
    return { mean, variance: args.t.map((k) => beta(k)) };
  },
};
