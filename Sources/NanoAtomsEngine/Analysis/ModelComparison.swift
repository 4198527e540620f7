/// Two models of one particle compared (e.g. part1 and part2 of a time series, paper Fig. 3).
public struct ModelComparison: Sendable {
    /// Pairs (first, second) closer than the common distance: atoms that stayed.
    public let common: [(first: Int, second: Int, distance: Double)]
    /// Pairs of otherwise unpaired atoms within the displacement distance: atoms that moved
    /// farther than the common distance.
    public let displaced: [(first: Int, second: Int, distance: Double)]
    /// Atoms of the first model with no partner: lost.
    public let lost: [Int]
    /// Atoms of the second model with no partner: gained.
    public let gained: [Int]
    /// Atom counts of the two models.
    public let firstCount: Int
    /// See `firstCount`.
    public let secondCount: Int
    /// The two models' positions (Å), which the indices above refer to.
    public let firstPositions: [Vector3]
    /// See `firstPositions`.
    public let secondPositions: [Vector3]
    /// The distances used, Å.
    public let commonDistance: Double
    /// See `commonDistance`.
    public let displacementDistance: Double
    /// Groups of candidate pairs too large for the exact assignment, paired closest first
    /// (``assignAtoms(_:_:tolerance:)``); 0 for any metal particle.
    public var greedyGroups = 0
    /// What the two models are, for summaries ("part1", "the simulated atoms").
    public var firstName = "the first model", secondName = "the second model"
    /// Which model is the truth, when one is: then its unpaired atoms are the other's missed
    /// atoms, and the other's unpaired atoms are extra.
    public var truth: Side? = nil
    /// One of the two models.
    public enum Side: String, Sendable { case first, second }

    /// The true atoms the model did not find (nil without a truth).
    public var missed: [Int]? { truth.map { $0 == .second ? gained : lost } }
    /// The model's atoms with no true atom near them (nil without a truth).
    public var extra: [Int]? { truth.map { $0 == .second ? lost : gained } }
    /// Percentage of the true atoms missed.
    public var missedPercent: Double? { missed.map { 100 * Double($0.count) / Double(max(truth == .second ? secondCount : firstCount, 1)) } }
    /// Percentage of the model's atoms that are extra.
    public var extraPercent: Double? { extra.map { 100 * Double($0.count) / Double(max(truth == .second ? firstCount : secondCount, 1)) } }

    /// Percentage of the first model's atoms that are common.
    public var commonPercent: Double { 100 * Double(common.count) / Double(max(firstCount, 1)) }
    /// Percentage of the first model's atoms lost.
    public var lostPercent: Double { 100 * Double(lost.count) / Double(max(firstCount, 1)) }
    /// Percentage of the first model's atoms displaced.
    public var displacedPercent: Double { 100 * Double(displaced.count) / Double(max(firstCount, 1)) }
    /// Percentage of the second model's atoms that are new.
    public var gainedPercent: Double { 100 * Double(gained.count) / Double(max(secondCount, 1)) }
}

/// The paper's common-atom distance as a fraction of the atomic diameter: "0.8 times the
/// atomic diameter of Pt (1.76 Å)".
package let commonDistanceFraction = 0.8

/// Compares two models of `element`: atoms closer than 0.8 × the atomic diameter are common
/// (one to one, by optimal assignment: the most pairs, then the least total distance); of the
/// rest, pairs within the CN radius of the bulk lattice are displaced (assigned the same way);
/// the first model's remaining atoms are lost and the second's gained.
public func compareModels(_ first: [Vector3], _ second: [Vector3], element: Element,
                          commonDistance: Double? = nil, displacementDistance: Double? = nil) -> ModelComparison {
    let dCommon = commonDistance ?? commonDistanceFraction * 2 * element.radius
    let dMove = displacementDistance ?? NanoAtomsEngine.displacementDistance(element)
    let (m1, g1) = assignAtoms(first, second, tolerance: dCommon)
    let restFirst = m1.unmatchedFirst, restSecond = m1.unmatchedSecond
    let (m2, g2) = assignAtoms(restFirst.map { first[$0] }, restSecond.map { second[$0] }, tolerance: dMove)
    let displaced = m2.pairs.map { (first: restFirst[$0.first], second: restSecond[$0.second], distance: $0.distance) }
    var c = ModelComparison(common: m1.pairs, displaced: displaced,
                           lost: m2.unmatchedFirst.map { restFirst[$0] }, gained: m2.unmatchedSecond.map { restSecond[$0] },
                           firstCount: first.count, secondCount: second.count,
                           firstPositions: first, secondPositions: second,
                           commonDistance: dCommon, displacementDistance: dMove)
    c.greedyGroups = g1 + g2
    return c
}
