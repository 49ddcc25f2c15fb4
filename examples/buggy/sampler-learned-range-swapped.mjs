// BUG: learned-range variance interpolates with the fraction on the wrong endpoint:
// f·log β̃ + (1 − f)·log β instead of f·log β + (1 − f)·log β̃ (f = (v + 1)/2).
// Expected: sample.exact (sampler ddpm_learned).
import { SamplerSubject } from '../sampler-subject.mjs';

class LearnedRangeSwapped extends SamplerSubject {
  ddpmLogVariance(decl, beta, betaTilde, vHead) {
    return super.ddpmLogVariance(decl, betaTilde, beta, vHead);
  }
}

export default new LearnedRangeSwapped({ name: 'buggy: learned-range endpoints swapped' });
