import { ddimProgram } from './ddim.ts';
import { ddimInversionProgram } from './ddimInversion.ts';
import { ddpmProgram } from './ddpmAncestral.ts';
import { dpmSolver2MProgram } from './dpmSolver2M.ts';
import { eulerHeunProgram } from './eulerHeun.ts';
import { flowProgram } from './flowMatching.ts';
import type { SamplerContext, SamplerProgram, SamplerRequest } from './samplerProgram.ts';
import type { SamplerSpec } from './samplerSpec.ts';

/** The program of a declared sampler for one request; the declaration's overrides win over the context's defaults. */
export function planSampler(spec: SamplerSpec, ctx: SamplerContext, req: SamplerRequest): SamplerProgram {
  const resolved: SamplerContext = {
    table: ctx.table,
    parameterization: spec.parameterization ?? ctx.parameterization,
    networkTime: spec.networkTime ?? ctx.networkTime,
  };
  switch (spec.family) {
    case 'ddpm':
      return ddpmProgram(spec, resolved, req);
    case 'ddim':
      return ddimProgram(spec, resolved, req);
    case 'ddim_inversion':
      return ddimInversionProgram(spec, resolved, req);
    case 'euler':
    case 'heun':
      return eulerHeunProgram(spec, resolved, req);
    case 'dpmpp_2m':
      return dpmSolver2MProgram(spec, resolved, req);
    case 'flow_euler':
    case 'flow_heun':
      return flowProgram(spec, resolved, req);
  }
}
