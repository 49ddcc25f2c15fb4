/**
 * scorecheck — the public library API: explicit export lists grouped by layer (DESIGN.md).
 * Arbitraries (fast-check generators) are under the `arb` namespace; internals are not exported.
 * properties/publicApi.prop.ts pins this list.
 */
export { SCORECHECK_VERSION } from './version.ts';

// ── errors
export { DimensionMismatchError, InvalidArgumentError, NonFiniteError, NotSPDError, ScorecheckError, describeValue } from './errors.ts';
export { NoMinimizerError } from './numerics/noMinimizerError.ts';

// ── linalg: dense algebra on Float64Array
export { add, addScaledIdentity, asymmetry, clone, diag, fromRows, get, identity, infNorm, matmul, matvec, relativeFrobeniusDistance, requireSquare, scale, scaledIdentity, symmetrize, toRows, trace, traceOfProduct, transpose, zeros, type Matrix, type Vector } from './linalg/matrix.ts';
export { addVec, axpby, dot, maxAbs, scaleVec, squaredNorm, subVec, vec } from './linalg/vector.ts';
export { backSubstituteTransposed, cholesky, choleskyInverse, choleskyLogDet, choleskySolve, forwardSubstitute, spdInverse, spdLogDet, spdTraceInverse } from './linalg/cholesky.ts';
export { gramRankCut, pseudoInverse } from './linalg/pseudoInverse.ts';
export { symmetricEigen, type SymmetricEigen } from './linalg/symmetricEigen.ts';
export { SYMMETRY_TOLERANCE, requireSymmetricFinite } from './linalg/symmetricChecks.ts';
export { requirePSD } from './linalg/requirePSD.ts';
export { symmetricEigenvalues, symmetricSpectrum, type SymmetricSpectrum, type SymmetricSpectrumOptions } from './linalg/tridiagonalEigen.ts';

// ── numerics: quadrature, root finding, power-law fits
export { PRECISIONS, boundArithmetic, exactArithmetic, roundTo, roundedArithmetic, unitRoundoff, type Arithmetic, type Bounded, type Precision } from './numerics/roundingArithmetic.ts';
export { normalCdf, normalPdf, normalUpperTail, tanhApproxNormalCdf } from './numerics/normalCdf.ts';
export { integrate, integrateVector, type AdaptiveOptions, type ScalarIntegral, type VectorIntegral, type VectorIntegrand } from './numerics/gaussKronrod.ts';
export { GAUSS_HERMITE_MAX_NODES, gaussHermiteGrid, gaussHermiteNormal, type QuadratureRule } from './numerics/gaussHermite.ts';
export { brentRoot, minimizeScalar } from './numerics/minimize.ts';
export { minimizeScalarOnLine, type LineSearchOptions } from './numerics/minimizeOnLine.ts';
export { fitPowerLaw, type PowerLawFit } from './numerics/powerLawFit.ts';

// ── mc: seeded randomness, estimators, the mean test
export { createRng, type Rng } from './mc/rng.ts';
export { RunningEstimate, estimateFromSamples, type Estimate } from './mc/estimate.ts';
export { normalQuantile } from './mc/normalQuantile.ts';
export { criticalT, criticalZ, detectableDiscrepancy, meanTolerance, sampleSizeFor, zScore } from './mc/tolerance.ts';
export { controlVariateEstimate } from './mc/controlVariate.ts';
export { antitheticEstimate } from './mc/antithetic.ts';
export { estimateMmdSquared, estimateMmdSquaredDifference, mmdBlockValues, type KernelReference } from './mc/mmdEstimate.ts';
export { assertMeanAtMost, assertMeanEqual, criticalValue, minDiscrepancyMean, minNumSamplesMean, type MeanEstimate, type MeanTestOptions, type MeanTestResult } from './mc/meanTest.ts';
export { dkwRadius, dkwTestContinuous, dkwTestDiscrete, minDiscrepancyDkw, minNumSamplesDkw, type DkwResult } from './mc/dkwTest.ts';

// ── gaussian: Gaussians, mixtures, kernels
export { Gaussian, sampleRows } from './gaussian/gaussian.ts';
export { GaussianMixture, logSumExp, type DataDistribution } from './gaussian/mixture.ts';
export { affineSquaredNormMoments, type QuadraticMoments } from './gaussian/affineExpectation.ts';
export { gaussianKL } from './gaussian/klDivergence.ts';
export { KernelMeanEmbedding, gaussianKernelCross, kernelAtoms, mmdSquared, referenceBandwidth, requireBandwidth, type KernelAtom, type KernelLaw } from './gaussian/gaussianKernel.ts';

// ── diffusion: schedules, forward process, posteriors, samplers
export { noiseLevel, requireNoiseLevel, veLevel, vpLevel, type NoiseLevel } from './diffusion/noiseLevel.ts';
export { cosineSchedule, linearSchedule, scaledLinearSchedule, sqrtLinearSchedule, veSchedule, vpFromAlphaBars, vpFromBetas, type Schedule, type VESchedule, type VPSchedule } from './diffusion/schedule.ts';
export { addNoise, conditionalScore, conditionalScoreSecondMoment, gaussianMarginal, marginal, mixtureMarginal } from './diffusion/forward.ts';
export { fromScore, toScore, type Parameterization } from './diffusion/parameterization.ts';
export { marginalScore, tweedieDenoiser } from './diffusion/tweedie.ts';
export { posteriorCoefficients, posteriorMean, type PosteriorCoefficients } from './diffusion/posterior.ts';
export { REVERSE_VARIANCE_KINDS, reverseVariance, type ReverseVarianceKind } from './diffusion/reverseVariance.ts';
export { affineGuidanceFn, applyAffine, requireAffineDims, reverseMean, sampleReverse, type AffineGuidance, type AffineMap, type Guidance, type ReverseSamplerOptions } from './diffusion/reverseSampler.ts';
// issue 16: schedules by name and their diagnosis, learned variance
export { NAMED_SCHEDULE_KINDS, convertTable, describeNamedSchedule, namedScheduleTable, namedScheduleValues, requireNamedSchedule, type BetaScheduleSpec, type NamedScheduleSpec, type NamedTable, type TableRepresentation } from './diffusion/namedSchedules.ts';
export { respacedIndices, type Respacing } from './diffusion/respacing.ts';
export { compareTable, namedScheduleBounds, namedScheduleReference, type TableComparison } from './diffusion/scheduleComparison.ts';
export { diagnoseSchedule, type Explanation, type ScheduleDiagnosis, type ScheduleVerdict } from './diffusion/scheduleDiagnosis.ts';
export { VARIANCE_KINDS, clippedLogPosteriorVariance, logVariance, logVarianceSlope, posteriorVariance, type VarianceSpec } from './diffusion/learnedVariance.ts';

// ── models: score models, encoders, inverse problems
export { modelAt, type ConditionalScoreModel, type ScoreModel, type TimestepModels } from './models/scoreModel.ts';
export { AffineScoreModel } from './models/affineScoreModel.ts';
export { AffineConditionalScoreModel } from './models/affineConditionalScoreModel.ts';
export { MlpConditionalScoreModel, MlpScoreModel, evaluateMlp, randomMlpConditionalScoreModel, randomMlpScoreModel, randomMlpWeights, type MlpWeights, type RandomMlpOptions } from './models/mlpScoreModel.ts';
export { encodeInto, encoderJointGaussian, requireLinearEncoder, type LinearEncoder } from './models/linearEncoder.ts';
export { linearInverseProblem, measurementRange, rangeConsistencyTolerance, requireConsistentObservation, splitByRange, type LinearInverseProblem, type MeasurementRange } from './models/linearInverseProblem.ts';
export { AffineBatchModel, MlpBatchModel, affineBatchModel, batchAffineInto, batchFromPointwise, inOrthonormalFrame, type BatchScoreModel } from './models/batchScoreModel.ts';

// ── objectives: DSM / ESM, closed form and Monte Carlo
export { affineObjectiveGradient, affineObjectiveMoments, type AffineGaussianSetting } from './objectives/affineGaussianObjective.ts';
export { conditionalNoisyPrecision, conditionedByEncoder, conditionedJoint, exactConditionalScore, type ConditionedGaussianData, type InPlaceConditionalScore } from './objectives/conditionedData.ts';
export { concatColumns, conditionalDsmSetting, conditionalEsmSetting, dsmSetting, esmSetting } from './objectives/dsmEsmSettings.ts';
export { conditionalDsmAffine, conditionalDsmAffineGradient, conditionalEsmAffine, conditionalEsmAffineGradient, dsmAffine, dsmAffineGradient, esmAffine, esmAffineGradient } from './objectives/affineClosedForm.ts';
export { weightedDsmAffine, weightedDsmAffineGradient, weightedEsmAffine, weightedEsmAffineGradient, weightedOverSchedule, weightedVectorOverSchedule } from './objectives/weightedObjective.ts';
export { conditionalDsmMonteCarlo, conditionalEsmMonteCarlo, dsmMonteCarlo, esmMonteCarlo, weightedDsmMonteCarlo, weightedEsmMonteCarlo, weightedMonteCarlo } from './objectives/monteCarloObjectives.ts';
export { conditionalDsmMinusEsmMonteCarlo, dsmMinusEsmMonteCarlo } from './objectives/dsmMinusEsmMonteCarlo.ts';
export { prepareConditionalGaussianGap, prepareGaussianGap, sampleGapTerms, type GapSamplingOptions, type GapTerms, type PreparedGaussianGap } from './objectives/reducedVariance/gaussianGapTerms.ts';
export { antitheticControlVariateGapEstimate, controlVariateGapEstimate, fittedControlVariateGapEstimate, linearControlGapEstimate, plainGapEstimate, raoBlackwellGapEstimate } from './objectives/reducedVariance/reducedGapEstimators.ts';
export { antitheticNormControlDensityIntegrandEstimate, oracleControlDensityIntegrandEstimate, plainDensityIntegrandEstimate, sampleDensityIntegrandTerms, type DensityIntegrandTerms } from './objectives/reducedVariance/densityIntegrandTerms.ts';
export { plannedGapEstimate, type GapSamplePlan, type PlannedGapEstimate } from './objectives/reducedVariance/plannedGapEstimate.ts';

// ── theory: one module per seed result
export { requireTimestepWeights, vincentConstant, vincentConstantMixture, weightedVincentConstant } from './theory/vincent.ts';
export { exactMarginalScore, gaussianMarginalPrecision, type InPlaceScore } from './theory/vincentScoreFunction.ts';
export { conditionalNoisyMarginal, conditionalScoreNormTerm, encoderInputBiasGap, encoderPosteriorCovariance, gaussianConditional, inputBiasGap, jointInputBiasGap, linearEncoderPosteriorCovariance, type GaussianConditional } from './theory/inputBias.ts';
export { sdsDsm, sdsDsm1d, sdsDsmGradient, sdsDsmGradient1d, sdsDsmMinimizer, sdsDsmMoments, sdsEsm, sdsEsm1d, sdsEsmGradient, sdsEsmGradient1d, sdsEsmMinimizer, sdsEsmMoments, sdsGap, sdsGradientDescent, type InputDistribution, type SdsDescentOptions, type SdsDescentResult, type SdsGradient, type SdsMinimizer } from './theory/sds.ts';
export { affineSamplerGrowthLog10, propagateAffineSampler, type GaussianMoments } from './theory/gaussianPropagation.ts';
export { affineMismatch, expectedSquaredMismatch, gaussianScoreMap, klMomentsToMoments, matchedGaussianGuidance, matchedScoreGuidance, mismatchDecomposition, mismatchWeight, perturbedMatchedGuidance, targetMarginalAt, type MismatchDecomposition } from './theory/mismatch.ts';
export { forwardCovarianceGivenY, gaussianPosterior, inverseProblemGeometry, isMixturePosterior, mixturePosterior, posteriorMarginalAt, type GaussianPosterior, type InverseProblemGeometry, type MixturePosterior, type Posterior } from './theory/inverseProblem.ts';
export { ZERO_SHOT_KINDS, correctionFn, nullSpaceLeak, optimalCorrection, zeroShotAffineGuidance, zeroShotCorrection, zeroShotGuidance, type ZeroShotKind } from './theory/zeroShot.ts';
export { DEFAULT_SAMPLER_MMD, POSTERIOR_SAMPLER_KINDS, posteriorAtoms, posteriorEmbedding, posteriorSamplerGuidance, samplePosteriorSampler, samplerMmd, samplerMmdDifference, samplerMmdDifferences, type PosteriorSamplerKind, type SamplerMmdSettings } from './theory/zeroShotSamplerMmd.ts';
export { logSnrPanels, vpPointAtAlpha, vpPointAtLogSnr, type NoisePredictor, type VpPoint } from './theory/vpPoint.ts';
export { mmseNoisePredictor } from './theory/mmseNoisePredictor.ts';
export { densityFormulaLogDensity, type DensityFormulaOptions, type DensityFormulaResult, type InnerExpectation } from './theory/densityFormula.ts';
export { expectedDensityFormula, expectedPredictorMismatch, type ExpectedFormulaResult } from './theory/expectedDensityFormula.ts';
export { affinePredictorProbe } from './theory/affinePredictorProbe.ts';
export { chainPosterior, ddpmChain, type DdpmChain } from './theory/ddpmChain.ts';
export { ddpmDecomposition, expectedDdpmDecomposition, type DdpmDecomposition } from './theory/ddpmDecomposition.ts';
export { ddpmElbo, ddpmModelLogLikelihood, ddpmModelMarginal, elboRoundingFloor, gaussianScoreModel, marginalPrior, standardPrior, type DdpmModel, type ElboTerms, type ReverseVariance, type StepwiseAffineScore, type X0Moments } from './theory/elbo.ts';
export { dataMoments, isotropicElboMinimizer, isotropicElboObjective, isotropicFamilyModel, isotropicNllMinimizer, isotropicSamplerNll, isotropicSamplerNllMinimizer, minimizerDistanceFloor, type DataMoments, type FamilyPrior, type IsotropicFit, type IsotropicFitOptions } from './theory/elboFit.ts';
export { bayesLogits, bayesPosterior, classModel, classifierKlBound, classifierKlSamples, diffusionClassifierLogits, diffusionClassifierPosterior, logitPerturbationTvBound, totalVariation, type ClassifierOptions } from './theory/diffusionClassifier.ts';
export { expectedLossExcess, marCosineWeight, tokenNllFromPredictor } from './theory/diffusionLoss.ts';
// issue 16: the training side — the bound's terms, loss gradients, timestep laws, input optimization, SDS
export { discretizedGaussianGradient, discretizedGaussianLogLikelihood64, eightBitValue, type DecoderCdf } from './theory/discretizedGaussian.ts';
export { vlbPrior, vlbTerm, vlbTermRoundingBound, vlbTotal, type AffineHeads, type DecoderSpec, type MeanForm, type VlbSetting, type VlbUnits } from './theory/variationalBound.ts';
export { expectedVlbPrior, expectedVlbTerm } from './theory/expectedVariationalBound.ts';
export { batchLossGradient, sampleLossGradient, type SampleLossGradient, type TrainingObjective } from './theory/trainingLossGradient.ts';
export { TIMESTEP_SAMPLER_KINDS, continuousCdf, discreteProbabilities, importanceWeights, lossSecondMomentProbabilities, type LossObservation, type TimestepSamplerSpec } from './theory/timestepDistribution.ts';
export { conditionalInputGradient, directionalInputGradientMoments, inputGradientsAtLevel, weightedInputGradients, type ConditionalAffineNetwork, type EncoderGradient, type InputGradientsAtLevel, type InputOptimizationSetting } from './theory/inputOptimization.ts';
export { expectedSdsGradient, sampleSdsGradient, type SdsExpectation, type SdsGradientKind, type SdsSetting, type SdsWeighting } from './theory/sdsGradient.ts';

export { biasDirection, dsmOptimalEncoder, dsmOptimalGainOnRay, encoderDsm, encoderDsmGradient, encoderEsm, encoderEsmGradient, encoderEsmMoments, encoderGainProfile, encoderGradientDescent, encoderScoreNorm, encoderScoreNormGradient, pretrainedConditionalModel, type BiasDirection, type EncoderDescentOptions, type EncoderDescentResult, type EncoderGainRow, type EncoderGradient as EncoderOptimizationGradient, type EncoderObjective, type EncoderOptimizationProblem, type EncoderParameters } from './theory/encoderInputOptimization.ts';
export { backboneAsTokenEncoder, backboneNll, conditionalTokenCovariance, coordinatewiseTokenLaw, dsmOptimalBackbone, marBackboneBias, marBiasByWidth, nllOptimalBackbone, tokenBackboneJoint, weightedScoreNorm, whitenTokenContext, type BackboneOptimum, type BackboneSubspace, type MarBackboneBias, type TokenContextLaw, type WhitenedTokenContext } from './theory/marBackbone.ts';
export { allocation, allocationEncoder, allocationScoreNorm, dsmOptimalAllocation, marginalScoreNormGain, percoBias, percoBiasByRate, realismMse, waterFillingAllocation, type PercoBias, type RateAllocation } from './theory/percoRateAllocation.ts';
export { dreamFusionWeights, sdsExpectedGradient, sdsFixedPoint, sdsFlow, sdsGradientDraw, sdsLinearization, type GuidedTarget, type RenderingLaw, type SdsFixedPoint, type SdsLinearization } from './theory/sdsDreamFusion.ts';
export { dsmRegularizer, entropyByQuadrature, klByQuadrature, scoreDivergenceDensity, scoreDivergenceIntegral, type QuadratureValue } from './theory/ganScoreRegularization.ts';
export { affineFamilyModel, affineFitComparison, elboMinimizerScore, likelihoodMatchingModel, negativeExpectedElbo, negativeExpectedLogLikelihood, perturbStep, type AffineFitComparison } from './theory/affineElboFit.ts';
export { classifierPointSweep, priorMismatchFloor, priorMismatchShift, vanishingTerminalSchedule } from './theory/classifierPointLimit.ts';
export { discreteDensityFormula, type DiscreteFormulaResult, type DiscreteWeight } from './theory/discreteDensityFormula.ts';
export { DEFAULT_CONTINUUM, DIMENSION_FAMILIES, biasAgainstDimension, continuumAccumulatedMismatch, continuumAlphaBar, continuumLevel, discreteAccumulatedMismatch, equicorrelatedCovariance, mismatchAtAlphaBar, toeplitzCovariance, vanishingMismatch, type ContinuumSchedule, type DimensionFamily } from './theory/mismatchAsymptotics.ts';
// issue 13 re-examined (claimsfix): the explicit bounds the rate claims are checked against (MATH.md §13.7–13.9)
export { variationOnInterval, type Variation } from './numerics/totalVariation.ts';
export { gaussianDensityIntegrand, type GaussianDensityIntegrand } from './theory/gaussianDensityIntegrand.ts';
export { cosineRateConstants, discreteFormulaErrorBound, discreteFormulaRoundingFloor, type DiscreteFormulaErrorBound, type DiscreteFormulaWeight } from './theory/discreteFormulaErrorBound.ts';
export { classifierPointBound, type ClassifierPointBound } from './theory/classifierPointLimit.ts';
export { vanishingMismatchBound, type VanishingMismatchBound } from './theory/vanishingMismatchBound.ts';
export { stationaryBiasSlope, stationaryMismatchRoundingFloor, type StationaryBiasSlope, type StationaryPair } from './theory/stationaryBiasSlope.ts';
export { gaussianAccumulatedMismatch } from './theory/mismatch.ts';
export { accumulatedMismatch, accumulatedMismatchGaussian, posteriorOf, symmetricMixtureProblem, zeroShotBiasRows, type AccumulatedMismatchEstimate } from './theory/zeroShotMixtureBias.ts';
export { finalKlConvention, finalSamplerLaw, type LastStep } from './theory/lastStepNoise.ts';
export { requireWeightedLevels, scheduleLevels, uniformTimestepWeights } from './theory/weightedLevels.ts';
// issue 19: flow matching — paths, CFM/FM, the marginal velocity, the score link, time laws, the training loss, input bias, distillation
export { FLOW_PATH_KINDS, RECTIFIED_FLOW, conditionalTargetVariance, dataEnd, flowCoefficients, noiseVariance, requireFlowPath, type FlowCoefficients, type FlowPathSpec } from './theory/flowPath.ts';
export { cfmAffine, cfmAffineGradient, cfmSetting, conditionalTargetCovariance, evaluateVelocityField, flowConstant, flowConstantFromEigenvalues, flowMarginalCovariance, fmAffine, fmAffineGradient, fmSetting, gaussianMarginalVelocity, marginalVelocityModel, type AffineVelocityField, type AffineVelocityModel } from './theory/flowMatchingGaussian.ts';
export { mixtureMarginalVelocity, type FlowMarginalField } from './theory/flowMatchingMixture.ts';
export { cfmMinusFmMonteCarlo, type FlowDifferenceEstimates } from './theory/flowMatchingMonteCarlo.ts';
export { continuityResidual, type ContinuityResidual } from './theory/flowContinuity.ts';
export { pairConditioningExcess, pathNoiseLevel, velocityFromScoreModel, velocityScoreCoefficients, type VelocityScoreCoefficients } from './theory/flowScoreLink.ts';
export { FLOW_TIME_BASE_KINDS, MODE_SCALE_MAX, baseCdf, baseQuantile, flowTimeAtoms, flowTimeCdf, flowTimeQuantile, isDiscreteFlowTimeLaw, modeTransform, requireFlowTimeLaw, shiftTime, unshiftTime, type FlowTimeBase, type FlowTimeDiscretization, type FlowTimeLaw } from './theory/flowTimeLaw.ts';
export { FLOW_LOSS_WEIGHTINGS, FLOW_QUANTITIES, flowBatchLossGradient, flowInterpolate, flowLossWeight, flowObjectiveUndefinedAt, flowSampleGradient, flowSampleLoss, outputConversion, type FlowLossWeighting, type FlowNetwork, type FlowObjective, type FlowQuantity, type FlowSample, type FlowSampleLoss } from './theory/flowTrainingLoss.ts';
export { conditionalCfmAffine, conditionalCfmSetting, conditionalFmAffine, conditionalFmSetting, conditionalTargetVarianceSlope, conditionalVelocityNorm, flowInputBiasGap, flowInputBiasGapGradient, flowInputBiasGapOf, flowTargetSecondMoment, type AffineConditionalVelocityModel } from './theory/flowInputBias.ts';
export { distillationCfm, distillationFm, rayInput, rayMinimizer } from './theory/flowDistillation.ts';
// ── bias: the DSM input-optimization bias calculator (docs/bias-spec.md)
export { computeBias, computeBiasSync, type BiasData, type BiasInput, type BiasOptions, type BiasProgress, type BiasResult, type BiasRoute } from './bias/compute.ts';
export { spectralBiasRows, spectralSums, type BiasRow, type SdsCollapse, type SpectralSums } from './bias/rows.ts';
export { DEFAULT_WEIGHTING, PARAMETERIZATIONS, biasTotals, describeWeights, timestepWeight, unitFactor, type BiasTotals, type BiasWeighting, type TimestepWeights, type WeightedTotal } from './bias/weighting.ts';
export { spectrumFromCovariance, spectrumFromEigenvalues, spectrumFromGram, type CovarianceSpectrum } from './bias/spectrum.ts';
export { readSamplesFile, type SampleFormat } from './bias/readSamples.ts';
export { NpyError, parseNpyHeader, type NpyHeader } from './bias/npy.ts';
export { CsvError } from './bias/csv.ts';
export { SCALED_LINEAR_NOTE, SCHEDULE_PRESETS, parseScheduleSpec, type ScheduleChoice } from './bias/scheduleSpec.ts';
export { BiasSpecError, loadBiasSpec, parseBiasSpec, type BiasSpec } from './bias/spec.ts';
export { biasJson, biasNotes, biasText } from './report/biasReport.ts';
// issue 19: the flow-matching columns
export { DEFAULT_FLOW_TIMES, flowBias, flowBiasRow, requireFlowBiasSetting, type FlowBiasResult, type FlowBiasRow, type FlowBiasSetting, type FlowTotal } from './bias/flowColumns.ts';
export { parseFlowBiasSpec } from './bias/flowSpec.ts';
export { flowBiasText } from './report/biasReport.ts';

// ── engine: the runner of claims and checks (src/engine/README.md)
export { type CheckEnv, type Expectation, type Property, type SearchShares, DEFAULT_SHARES } from './engine/property.ts';
export { DEFAULT_DETECTABLE_TARGET, FLOAT32_UNIT, limitMargin, marginOf, meanTestOutcome, withinTolerance, type Detectable, type Outcome, type Quantity as OutcomeQuantity } from './engine/outcome.ts';
export { runProperty, skippedRun, splitBudget, type Counterexample, type Finding, type Phase, type PropertyRun, type RunOptions } from './engine/runProperty.ts';
export { runAll, type SessionOptions } from './engine/runAll.ts';
export { BudgetExceededError, FalseAlarmPlan, REPLAY_ALLOWANCE, RUN_FALSE_ALARM } from './engine/falseAlarmPlan.ts';
export { VERDICTS, verdictIsExpected, verdictOf, type Verdict } from './engine/verdict.ts';
export { type Evidence, type PhaseCounts } from './engine/evidence.ts';
export { matches, parseShard, selectByPatterns, shardOf } from './engine/selectProperties.ts';
export { readReplaySpec, replayToken, type ReplayCase } from './engine/replaySpec.ts';
export { LayeredStore, MAX_EXAMPLES_PER_KEY, MemoryStore, ReadOnlyStore, type ExampleStore, type Fetched } from './engine/store/exampleStore.ts';
export { DirectoryStore, readStoreFile } from './engine/store/directoryStore.ts';
export { PACKAGE_STORE_DIR, defaultUserStoreDir, runStore } from './engine/store/defaultStores.ts';
export { EXAMPLE_FORMAT, EXAMPLE_FORMAT_VERSION, type OutcomeSummary, type StoreFile, type StoredExample } from './engine/store/storedExample.ts';

// ── claims: the registry
export { CLAIM_SOURCES, type CheckOutcome, type Claim, type ClaimSource, type ExpectedVerdict, type Quantity } from './claims/claim.ts';
export { type Figure, type FigureSeries } from './engine/figure.ts';
export { allClaims, findClaim } from './claims/registry.ts';
export { brokenFisherControl, controlClaims, throwingCheckControl, type ControlClaim } from './claims/control/selftest.ts';

// ── subject: checking your own implementation
export { OP_NAMES, PROTOCOL_VERSION, SUBJECT_PARAMETERIZATIONS, type AddNoiseArgs, type AffineModel, type DeclaredOps, type Hello, type LossArgs, type LossResult, type OpName, type PosteriorArgs, type PosteriorResult, type QSampleArgs, type Request, type Response, type ScheduleResult, type StepArgs, type StepVariance, type Weighting, type XPrevResult, type XtResult, type ZeroShotArgs } from './subject/protocol.ts';
export { type Subject, type SubjectReply } from './subject/subject.ts';
export { InvalidResponseError, SubjectFatalError, SubjectReplyError, type RequestRef } from './subject/subjectError.ts';
export { parseHello } from './subject/hello.ts';
export { ModuleSubject, type SubjectModule } from './subject/moduleSubject.ts';
export { ProcessSubject } from './subject/processSubject.ts';
export { ScheduleInvalidError, fetchSchedule, type SubjectSchedule } from './subject/subjectSchedule.ts';
export { affineEsm, applyModel, expectedAddNoise, expectedLoss, expectedPosterior, expectedStep, expectedZeroShot, levelAt, lossWeight, modelScore, parameterizationGain, scoreMagnitude, stepStd, type StepExpectation, type ZeroShotProblem } from './subject/oracle.ts';
export { CHECK_IDS, RTOL, runSubjectChecks, selectChecks, subjectStoreKey, type CheckRun, type SubjectRun, type SubjectRunOptions } from './subject/subjectChecks.ts';
export { SUBJECT_CHECKS, addNoiseCheck, lossDsmCheck, lossGradientCheck, posteriorCheck, qSampleCheck, stepCheck, zeroShotCheck } from './subject/checks/index.ts';
export { type CheckContext, type SubjectCheck } from './subject/checks/checkDefinition.ts';
export { SCHEDULE_CHECK_ID, checkProperty, scheduleProperty } from './subject/checkProperty.ts';
// issue 19: flow-matching ops and checks (no ᾱ table)
export { FLOW_OP_NAMES, type FlowDeclaredOps, type FlowHello, type FlowInterpolateArgs, type FlowInterpolateResult, type FlowLossArgs, type FlowLossDeclaration, type FlowLossGradResult, type FlowLossResult, type FlowModel, type FlowOpName, type FlowTimestepSamplerArgs, type FlowTimestepSamplerResult } from './subject/flowProtocol.ts';
export { expectedFlowInterpolation, expectedFlowLossGradient, expectedFlowLosses, flowObjectiveOf } from './subject/flowOracle.ts';
export { FLOW_CHECKS, flowInterpolateCheck, flowLossCheck, flowLossGradCheck, flowTimestepSamplerCheck, type FlowCheckContext } from './subject/checks/flow/index.ts';

// ── report: one report model, five renderers
export { REPORT_VERSION, ReportFormatError, buildReport, consoleReport, formatCounterexample, htmlReport, jsonReport, junitReport, markdownReport, mergeReports, renderFigureSvg, resultRow, summarize, summaryLine, textTable, validateReport, verdictText, writeReports, type Report, type ReportSummary, type ResultRow } from './report/index.ts';

// ── samplers: exact oracles of whole sampling loops (DDPM, DDIM, Euler/Heun, DPM-Solver++(2M), flow), spacings, network-time conventions
export * as samplers from './diffusion/samplers/index.ts';

// ── arb: fast-check generators of the cases claims are checked on
export * as arb from './arbitraries/index.ts';
