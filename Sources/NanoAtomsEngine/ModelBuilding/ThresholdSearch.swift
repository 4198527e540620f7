import Foundation

/// One threshold tried by the search.
public struct ThresholdTrial: Sendable, Equatable {
    /// The threshold on the denoised map C.
    public let threshold: Float
    /// Number of connected components (atoms) above it.
    public let atoms: Int
    /// Correlation between C and the map simulated from those atoms.
    public let correlation: Double
    /// Why these atoms cannot be the particle's, or nil when they can.
    public let rejection: String?

    /// A trial's record.
    public init(threshold: Float, atoms: Int, correlation: Double, rejection: String? = nil) {
        self.threshold = threshold
        self.atoms = atoms
        self.correlation = correlation
        self.rejection = rejection
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
    /// Why this threshold was chosen, in one line.
    public let choice: String
    /// Set when the choice is doubtful: the best correlation was rejected, or nothing was plausible.
    public let flag: QualityFlag?

    /// A search's record (e.g. read back from a summary).
    public init(otsu: Float, threshold: Float, correlation: Double, trials: [ThresholdTrial],
                choice: String = "highest correlation", flag: QualityFlag? = nil) {
        self.otsu = otsu
        self.threshold = threshold
        self.correlation = correlation
        self.trials = trials
        self.choice = choice
        self.flag = flag
    }
}

/// What the atoms of a plausible threshold look like, from what is known of the particle:
/// they lie near its atom-like peaks, most have a neighbour, and they fit in its sphere.
/// A threshold whose atoms fail any test explains noise rather than the particle.
package struct DetectionPlausibility: Sendable {
    /// The particle's atom-like peaks, Å (see ``ParticleLocation``).
    package let peaks: [Vector3]
    /// Most atoms the particle's sphere can hold (fcc sites within it).
    package let capacity: Int
    /// A real atom lies within this distance of a peak, Å.
    package let reach: Double
    /// An atom with no other atom within this distance is isolated, Å.
    package let bondRadius: Double
    /// `peaks` in a grid for the distance test.
    let peakGrid: NeighborGrid

    /// More than this fraction of atoms far from every peak: they are not the particle's.
    package static let maximumOutside = 0.3
    /// More than this fraction of atoms with no neighbour: noise, not a particle.
    package static let maximumIsolated = 0.5
    /// A real atom lies within this many bulk bonds of an atom-like peak (the peaks miss at
    /// most a weak surface shell).
    package static let reachInBonds = 1.5

    /// The tests for a particle located at `location` inside a sphere of `radius` Å.
    package init(location: ParticleLocation, radius: Double, element: Element) {
        peaks = location.particlePeaks.map { location.peaks[$0] }
        let sites = 4.0 / 3.0 * Double.pi * pow(radius, 3) * 4 / pow(element.latticeConstant, 3)
        capacity = Int(sites.rounded(.up))
        reach = Self.reachInBonds * element.bulkBondLength
        bondRadius = 0.5 * element.latticeConstant * (1 + 1 / 2.0.squareRoot())
        peakGrid = NeighborGrid(points: peaks, maximumRadius: reach)
    }

    /// The tests for the particle at `location` (nil: no tests), inside `mask` or, without one,
    /// inside the sphere an automatic mask would have.
    package init?(location: ParticleLocation?, mask: ParticleMask?, element: Element) {
        guard let l = location else { return nil }
        self.init(location: l, radius: mask?.radius ?? l.radius + ParticleMask.peakMargin(for: element), element: element)
    }

    /// Why `atoms` cannot be the particle's, or nil.
    package func rejection(of atoms: [Vector3]) -> String? {
        guard !atoms.isEmpty else { return nil }
        if atoms.count > capacity {
            return "\(atoms.count) atoms, more than the \(capacity) the particle's sphere can hold"
        }
        let outside = atoms.filter { !peakGrid.hasPoint(within: reach, of: $0) }.count
        if Double(outside) > Self.maximumOutside * Double(atoms.count) {
            return "\(Int((100 * Double(outside) / Double(atoms.count)).rounded())) % of the atoms lie outside the particle"
        }
        let grid = NeighborGrid(points: atoms, maximumRadius: bondRadius)
        let isolated = atoms.indices.filter { !grid.hasPoint(within: bondRadius, of: atoms[$0], excluding: $0) }.count
        if Double(isolated) > Self.maximumIsolated * Double(atoms.count) {
            return "\(Int((100 * Double(isolated) / Double(atoms.count)).rounded())) % of the atoms are isolated"
        }
        return nil
    }
}

/// The paper's correlation-maximising threshold search.
///
/// Fifteen thresholds evenly spaced from Otsu's T₀ up to the maximum of C (the maximum
/// itself excluded); each binarises C, finds the 26-connected components and their centres
/// of mass in M, simulates a map from the centres and scores its correlation with C.
/// Then a finer search between the best threshold's neighbours.
public enum ThresholdSearch {
    static func fmt3(_ v: Double) -> String { String(format: "%.3f", v) }
    /// Coarse thresholds from T₀ to max C: "15 uniform thresholds" (paper, Methods).
    public static let coarseSteps = 15
    /// Finer thresholds between the best coarse threshold's neighbours. The paper says only
    /// "finer T sampling"; its authors' code of the time used about 10.
    public static let fineSteps = 10

    /// Runs the search on the denoised map C, with centres of mass taken in the raw map M.
    /// `sweep` must have been made for C and M above `otsu`, and `scorer` prepared for C
    /// above `otsu`; each is made when not given.
    package static func run(denoised C: Volume, raw M: Volume, profile: AtomProfile, otsu t0: Float,
                           coarseSteps: Int = coarseSteps, fineSteps: Int = fineSteps,
                           sweep givenSweep: ComponentSweep? = nil, scorer given: SimulatedMapCorrelation? = nil,
                           plausibility: DetectionPlausibility? = nil,
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
                trials.append(ThresholdTrial(threshold: t, atoms: c.count, correlation: scorer.correlation(positions: c),
                                             rejection: plausibility?.rejection(of: c)))
            }
        }
        /// The best plausible trial among `candidates`, else the best of all.
        func best(_ candidates: [Int]) -> Int {
            let plausible = candidates.filter { trials[$0].rejection == nil }
            return (plausible.isEmpty ? candidates : plausible).max { trials[$0].correlation < trials[$1].correlation }!
        }
        let step = (cmax - t0) / Float(coarseSteps)
        let coarse = (0..<coarseSteps).map { t0 + Float($0) * step }
        evaluate(coarse)
        let k = best(Array(trials.indices))
        if fineSteps > 0 {
            let lo = k > 0 ? coarse[k - 1] : coarse[0]
            let hi = k + 1 < coarse.count ? coarse[k + 1] : cmax
            let fine = (1...fineSteps).map { lo + (hi - lo) * Float($0) / Float(fineSteps + 1) }
                .filter { abs($0 - coarse[k]) > 1e-6 * max(1, abs(coarse[k])) }
            evaluate(fine)
        }
        trials.sort { $0.threshold < $1.threshold }
        let chosen = trials[best(Array(trials.indices))]
        let top = trials.max { $0.correlation < $1.correlation }!
        let rejected = trials.filter { $0.rejection != nil }
        var choice = "highest correlation (\(fmt3(chosen.correlation))) of \(trials.count) thresholds"
        var flag: QualityFlag? = nil
        if let why = chosen.rejection {
            choice = "highest correlation, although no threshold gave plausible atoms (\(why))"
            flag = QualityFlag(.thresholdSearch, "no threshold gave plausible atoms: at the chosen one \(why)",
                               remedy: "check the mask, or give a mask diameter")
        } else if top.rejection != nil {
            choice = "highest correlation (\(fmt3(chosen.correlation))) among plausible thresholds; \(rejected.count) rejected, the best of them because \(top.rejection!)"
            flag = QualityFlag(.thresholdSearch,
                               "the best-correlated threshold (\(fmt3(top.correlation))) was rejected: \(top.rejection!); the best plausible one was used",
                               remedy: "check the mask")
        } else if !rejected.isEmpty {
            choice += "; \(rejected.count) implausible ones (\(rejected[0].rejection!)) did not compete"
        }
        return ThresholdSearchResult(otsu: t0, threshold: chosen.threshold, correlation: chosen.correlation, trials: trials,
                                     choice: choice, flag: flag)
    }
}
