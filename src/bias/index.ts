/** The bias calculator (MATH.md §2, §2.1; docs/bias-spec.md): library API. */
export { type BiasData, type BiasInput, type BiasOptions, type BiasProgress, type BiasResult, type BiasRoute, computeBias, computeBiasSync, finishBias } from './compute.ts';
export { type BiasRow, type SdsCollapse, type SpectralSums, spectralBiasRows, spectralSums } from './rows.ts';
export { type BiasTotals, DEFAULT_WEIGHTING, PARAMETERIZATIONS, type TimestepWeights, type WeightedTotal, type BiasWeighting, biasTotals, describeWeights, timestepWeight, unitFactor } from './weighting.ts';
export { type CovarianceSpectrum, rankTolerance, spectrumFromCovariance, spectrumFromEigenvalues, spectrumFromGram } from './spectrum.ts';
export { type EffectiveSpectrum, encoderPosteriorSpectrum, regularizedSpectrum } from './posterior.ts';
export { MAX_MOMENT_BYTES, SampleAccumulator, type SampleMoments, sampleMoments } from './samples.ts';
export { type SampleFormat, readSamplesFile, sampleFormatOf } from './readSamples.ts';
export { CsvError, CsvRowParser, parseSamplesCsv, readCsvRows } from './csv.ts';
export { type NpyHeader, NpyError, parseNpyHeader, readNpyRows } from './npy.ts';
export { SCALED_LINEAR_NOTE, SCHEDULE_PRESETS, type ScheduleChoice, parseScheduleSpec } from './scheduleSpec.ts';
export { type BiasSpec, BiasSpecError, loadBiasSpec, oneLine, parseBiasSpec } from './spec.ts';

export { type DenseBiasSetting, denseBiasRows } from './dense.ts';
