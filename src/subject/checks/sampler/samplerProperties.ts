import type { Property } from '../../../engine/property.ts';
export { SAMPLER_CHECK_IDS, samplerCheckFamily, samplerCheckId } from './samplerCheckId.ts';
import { sampleExactProperty } from './sampleExactCheck.ts';
import { sampleNetworkTimeProperty } from './sampleNetworkTimeCheck.ts';
import { sampleQualityProperty } from './sampleQualityCheck.ts';
import { type SamplerCheckContext, contextOf, validStepCounts } from './samplerCheckContext.ts';

/**
 * The sampler checks of one subject (docs/protocol.md §8.4), one property per declared sampler
 * and check: `sample.exact.<name>`, `sample.network_time.<name>` (when the subject reports τ),
 * `sample.image.<name>` (when a larger sample shape is declared), `sample.quality.<name>`
 * (generation samplers without clipping).
 */
export function samplerProperties(ctx: SamplerCheckContext): Property[] {
  const out: Property[] = [];
  for (const [name, spec] of Object.entries(ctx.sampler.samplers)) {
    const steps = validStepCounts(spec, contextOf(ctx, spec), 25);
    out.push(sampleExactProperty(ctx, name, spec, 'small'));
    if (ctx.reportsTau[name]) out.push(sampleNetworkTimeProperty(ctx, name, spec));
    const big = ctx.sampler.sampleShape;
    if (big && big.size > 12 && steps.some((n) => n <= 25)) out.push(sampleExactProperty(ctx, name, spec, 'image'));
    const quality = sampleQualityProperty(ctx, name, spec);
    if (quality) out.push(quality);
  }
  return out;
}
