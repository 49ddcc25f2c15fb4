// BUG: logit-normal timestep sampling with the scale squared (a variance passed where torch.normal
// takes a standard deviation): declared logit_std = 1.5, drawn with 2.25. Expected:
// flow_timestep_sampler.distribution.
import { createFlowSubject } from '../reference-flow.mjs';

export default createFlowSubject({
  name: 'buggy: logit-normal variance passed as std',
  sampler: { kind: 'logit_normal', loc: 0, scale: 1.5, shift: 1 },
  patch(I) {
    I.logitScale = (sp) => sp.scale ** 2;
  },
});
