import Foundation

/// The paper's Table 1 row for one particle.
public struct ParticleSummary: Sendable {
    /// Number of atoms.
    public let atoms: Int
    /// Largest interatomic distance, Å.
    public let diameter: Double
    /// Median and mean CN.
    public let medianCN: Double
    /// See `medianCN`.
    public let meanCN: Double
    /// Median nearest-neighbour bond length, Å (the minimum distance; biased low by noise).
    public let medianNNBond: Double
    /// Median of the per-atom median neighbour distances, Å (not biased by the minimum).
    public let medianNeighborDistance: Double
    /// Median radial strain, %.
    public let medianRadialStrain: Double
    /// Atoms with CN = 12, and their fraction: the core ratio.
    public let coreAtoms: Int
    /// See `coreAtoms`.
    public var coreRatio: Double { atoms > 0 ? Double(coreAtoms) / Double(atoms) : .nan }
}

/// The statistics of one element of a particle of several (core–shell, alloy).
public struct ElementSummary: Sendable {
    /// The element.
    public let element: Element
    /// Its atoms.
    public let atoms: Int
    /// Median CN of its atoms.
    public let medianCN: Double
    /// Fraction of its atoms at the surface (site other than core).
    public let surfaceFraction: Double
    /// Median nearest-neighbour bond of its atoms, Å.
    public let medianNNBond: Double
    /// Median Uiso of its atoms, Å² (NaN without shape statistics). Heavier atoms scatter
    /// more sharply, so compare Uiso within an element, not across elements.
    public let medianUiso: Double
}

/// One CN bin of a statistic: the atoms with that CN, the statistic's mean, SD and the
/// standard error S/√N.
public struct CoordinationBin: Sendable, Equatable {
    /// The CN of the bin.
    public let cn: Int
    /// Atoms in the bin with a finite value.
    public let count: Int
    /// Mean of the statistic.
    public let mean: Double
    /// Sample standard deviation S.
    public let standardDeviation: Double
    /// S/√N, the paper's error bar.
    public var standardError: Double { standardDeviation / Double(count).squareRoot() }

    /// A bin's record.
    public init(cn: Int, count: Int, mean: Double, standardDeviation: Double) {
        self.cn = cn
        self.count = count
        self.mean = mean
        self.standardDeviation = standardDeviation
    }
}

/// Smallest bin the paper shows: "Only bins with ≥ 5 atoms are shown" (Fig. 5).
package let minimumBinSize = 5

/// `values` binned by `cn`, bins of at least `minimumCount` atoms (NaN values skipped),
/// in increasing CN.
package func binByCoordination(_ values: [Double], cn: [Int], minimumCount: Int = minimumBinSize) -> [CoordinationBin] {
    var groups: [Int: [Double]] = [:]
    for (v, c) in zip(values, cn) where v.isFinite { groups[c, default: []].append(v) }
    return groups.keys.sorted().compactMap { c in
        let v = groups[c]!
        guard v.count >= max(1, minimumCount) else { return nil }
        let mean = v.reduce(0, +) / Double(v.count)
        let sd = v.count > 1 ? (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count - 1)).squareRoot() : 0
        return CoordinationBin(cn: c, count: v.count, mean: mean, standardDeviation: sd)
    }
}
