/// One threshold tried by the search.
public struct ThresholdTrial: Sendable, Equatable {
    /// The threshold on the denoised map C.
    public let threshold: Float
    /// Number of connected components (atoms) above it.
    public let atoms: Int
    /// Correlation between C and the map simulated from those atoms.
    public let correlation: Double

    /// A trial's record.
    public init(threshold: Float, atoms: Int, correlation: Double) {
        self.threshold = threshold
        self.atoms = atoms
        self.correlation = correlation
    }
}

/// What the threshold search found.
public struct ThresholdSearchResult: Sendable {
    /// Otsu's threshold T₀, where the search starts.
    public let otsu: Float
    /// The threshold that maximised the correlation.
    public let threshold: Float
    /// Its correlation.
    public let correlation: Double
    /// Every threshold tried, in increasing order.
    public let trials: [ThresholdTrial]

    /// A search's record (e.g. read back from a summary).
    public init(otsu: Float, threshold: Float, correlation: Double, trials: [ThresholdTrial]) {
        self.otsu = otsu
        self.threshold = threshold
        self.correlation = correlation
        self.trials = trials
    }
}

/// The paper's correlation-maximising threshold search.
///
/// Fifteen thresholds evenly spaced from Otsu's T₀ up to the maximum of C (the maximum
/// itself excluded); each binarises C, finds the 26-connected components and their centres
/// of mass in M, simulates a map from the centres and scores its correlation with C.
/// Then a finer search between the best threshold's neighbours.
public enum ThresholdSearch {
    /// Coarse thresholds from T₀ to max C: "15 uniform thresholds" (paper, Methods).
    public static let coarseSteps = 15
    /// Finer thresholds between the best coarse threshold's neighbours. The paper says only
    /// "finer T sampling"; its authors' code of the time used about 10.
    public static let fineSteps = 10

    /// Runs the search on the denoised map C, with centres of mass taken in the raw map M.
    /// `sweep` must have been made for C and M above `otsu`, and `scorer` prepared for C
    /// above `otsu`; each is made when not given.
    public static func run(denoised C: Volume, raw M: Volume, profile: AtomProfile, otsu t0: Float,
                           coarseSteps: Int = coarseSteps, fineSteps: Int = fineSteps,
                           sweep givenSweep: ComponentSweep? = nil, scorer given: SimulatedMapCorrelation? = nil,
                           threads: Int = Parallel.availableCores) -> ThresholdSearchResult {
        let cmax = VolumeStatistics(C).maximum
        guard cmax > t0 else {
            return ThresholdSearchResult(otsu: t0, threshold: t0, correlation: -1, trials: [])
        }
        let sweep = givenSweep ?? ComponentSweep(denoised: C, weights: M, above: t0)
        let scorer = given ?? SimulatedMapCorrelation(map: C, profile: profile, above: t0, threads: threads)
        var trials: [ThresholdTrial] = []
        func evaluate(_ ts: [Float]) {
            let centres = sweep.centres(thresholds: ts)
            for (t, c) in zip(ts, centres) {
                trials.append(ThresholdTrial(threshold: t, atoms: c.count, correlation: scorer.correlation(positions: c)))
            }
        }
        let step = (cmax - t0) / Float(coarseSteps)
        let coarse = (0..<coarseSteps).map { t0 + Float($0) * step }
        evaluate(coarse)
        let k = trials.indices.max { trials[$0].correlation < trials[$1].correlation }!
        if fineSteps > 0 {
            let lo = k > 0 ? coarse[k - 1] : coarse[0]
            let hi = k + 1 < coarse.count ? coarse[k + 1] : cmax
            let fine = (1...fineSteps).map { lo + (hi - lo) * Float($0) / Float(fineSteps + 1) }
                .filter { abs($0 - coarse[k]) > 1e-6 * max(1, abs(coarse[k])) }
            evaluate(fine)
        }
        trials.sort { $0.threshold < $1.threshold }
        let best = trials.max { $0.correlation < $1.correlation }!
        return ThresholdSearchResult(otsu: t0, threshold: best.threshold, correlation: best.correlation, trials: trials)
    }
}
