// BUG: flow matching steps on the shifted times but tells the network the unshifted ones
// (the timesteps were computed before the shift, the sigmas after).
// Expected: sample.network_time, sample.exact (samplers flow_euler, flow_heun).
import { SamplerSubject } from '../sampler-subject.mjs';

class FlowTimeUnshifted extends SamplerSubject {
  flowSigmas(decl, n) {
    const { sig } = super.flowSigmas(decl, n);
    const { sig: plain } = super.flowSigmas({ ...decl, shift: 1 }, n);
    return { sig, netT: plain };
  }
}

export default new FlowTimeUnshifted({ name: 'buggy: flow network time not shifted' });
