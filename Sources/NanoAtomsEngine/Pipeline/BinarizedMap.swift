/// The third stage: the threshold on the denoised map, with the search that chose it.
public struct BinarizedMap: Sendable {
    /// The stage before.
    public let denoised: DenoisedMap
    /// The choices this stage and the later ones were made with.
    public let options: ModelBuildingOptions
    /// The threshold search (a single trial when `options.threshold` fixed the threshold).
    public let search: ThresholdSearchResult
    /// Scores simulated maps against C above Otsu's threshold; the weak-atom search reuses it
    /// (nil once released with the denoised map).
    package private(set) var scorer: SimulatedMapCorrelation?
    /// What should not be trusted so far: the map, the mask, the threshold search.
    public let flags: [QualityFlag]
    /// Time taken so far, step by step.
    public let timings: StepTimings

    /// The chosen threshold on C.
    public var threshold: Float { search.threshold }

    /// This stage without the denoised map and the scorer's matched filter (two map-sized
    /// buffers), for a model that no step will read them from again.
    func releasingMaps() -> BinarizedMap {
        BinarizedMap(denoised: denoised.releasingMap(), options: options, search: search, scorer: nil, flags: flags, timings: timings)
    }
}

/// Chooses the threshold on C: Otsu's threshold, then the correlation-maximising search of the
/// paper (``ThresholdSearch/run(denoised:raw:profile:otsu:coarseSteps:fineSteps:sweep:scorer:plausibility:threads:)``),
/// or the threshold `options.threshold` fixes.
public func binarizeMap(_ denoised: DenoisedMap, options given: ModelBuildingOptions? = nil,
                        cancellation: Cancellation? = nil) throws(Interrupted) -> BinarizedMap {
    let options = given ?? denoised.options
    var timer = denoised.timings
    let C = denoised.map, M = denoised.masked.map, profile = denoised.profile
    let t0 = try timer.measure("otsu", checking: cancellation) { otsuThreshold(C.values) }
    let plausibility = DetectionPlausibility(location: denoised.masked.location, mask: denoised.masked.mask, element: options.element)
    let (search, scorer) = try timer.measure("threshold_search", checking: cancellation) { () -> (ThresholdSearchResult, SimulatedMapCorrelation) in
        // A threshold that is not a finite number fixes nothing: the search runs.
        if let fixed = options.threshold.flatMap({ $0.isFinite && abs($0) < 1e30 ? Float($0) : nil }) {
            let low = min(fixed, t0)
            let sweep = ComponentSweep(denoised: C, weights: M, above: low)
            let scorer = SimulatedMapCorrelation(map: C, profile: profile, voxelsIn: sweep.bounds, threads: options.threads)
            let centres = sweep.centres(thresholds: [fixed])[0]
            let trial = ThresholdTrial(threshold: fixed, atoms: centres.count, correlation: scorer.correlation(positions: centres),
                                       rejection: plausibility?.rejection(of: centres))
            return (ThresholdSearchResult(otsu: t0, threshold: fixed, correlation: trial.correlation, trials: [trial],
                                          choice: "fixed at \(ThresholdSearch.fmt3(Double(fixed))) as asked"), scorer)
        }
        // One pass collects the voxels above T₀ for every threshold tried; their bounding box
        // is where the scorer needs the matched filter.
        let sweep = ComponentSweep(denoised: C, weights: M, above: t0)
        let scorer = SimulatedMapCorrelation(map: C, profile: profile, voxelsIn: sweep.bounds, threads: options.threads)
        return (ThresholdSearch.run(denoised: C, raw: M, profile: profile, otsu: t0, coarseSteps: options.coarseSteps,
                                    fineSteps: options.fineSteps, sweep: sweep, scorer: scorer, plausibility: plausibility,
                                    threads: options.threads), scorer)
    }
    return BinarizedMap(denoised: denoised, options: options, search: search, scorer: scorer,
                        flags: denoised.flags + (search.flag.map { [$0] } ?? []), timings: timer)
}
