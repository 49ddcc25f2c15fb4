// BUG: improved DDPM's learned-range variance interpolated with its ends swapped: frac = (v + 1)/2
// weights log β̃ (min_log) instead of log β (max_log), so v = 1 gives β̃ and v = −1 gives β.
// Expected: vlb_terms.exact ("the learned range with its ends swapped").
import { createTrainingSubject } from '../reference-training.mjs';

export default createTrainingSubject({
  name: 'buggy: learned range min/max swapped',
  patch(I) {
    I.modelLogVar = (v, t) => {
      const minLog = I.postLogVarClipped[t], maxLog = Math.log(I.betas[t]);
      const frac = (v + 1) / 2;
      return { lv: frac * minLog + (1 - frac) * maxLog, d: (minLog - maxLog) / 2 };
    };
  },
});
