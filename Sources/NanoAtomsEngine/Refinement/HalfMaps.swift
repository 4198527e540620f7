import Foundation

/// How well two independent half maps agree on each refined atom.
///
/// Each half (part1, part2: reconstructions from disjoint halves of the data) is masked like the
/// full map and the refined model is fitted to it again, from the refined positions. The
/// distance between an atom's two half-map positions, d, is an error estimate that owes nothing
/// to the noise model of the fit: with independent halves and an error σ per coordinate in each,
/// E[d²] = 6σ², and the full map, their average, has σ/√2 per coordinate, so d/2 estimates the
/// full map's 3D position error — comparable with `sigma_position`.
public struct HalfMapComparison: Sendable, Equatable {
    /// Atoms compared.
    public let atoms: Int
    /// The median distance between an atom's half-map positions, Å.
    public let medianDifference: Double
    /// The median of the atoms' `sigma_position` from the full-map fit, Å.
    public let medianSigma: Double

    /// Half the median half-map difference over the median standard error: near 1 when the
    /// fit's standard errors are right, above 1 when they are too small.
    public var calibration: Double { medianSigma > 0 ? medianDifference / 2 / medianSigma : .nan }
}

/// A median half-map difference above this fraction of the bulk bond flags the halves.
let halfMapDisagreementFraction = 0.25
/// Half the median difference above this multiple of the median standard error flags them.
let halfMapCalibrationLimit = 2.0

/// Checks that two half maps lie on the full map's grid (size, voxel size, origin): a half map
/// of another box or sampling cannot be compared voxel for voxel.
public func checkHalfMaps(_ full: Volume, _ halves: (Volume, Volume), names: (String, String)) throws(EngineError) {
    for (half, name) in [(halves.0, names.0), (halves.1, names.1)] {
        guard half.dimensions == full.dimensions else {
            throw EngineError("a half map must have the full map's grid: \(half.nx)×\(half.ny)×\(half.nz) voxels, the full map \(full.nx)×\(full.ny)×\(full.nz)", file: name)
        }
        try requireVoxelSize(of: half, named: name, equalTo: full.voxelSize, of: "the full map")
        guard (half.origin - full.origin).length <= 1e-3 * full.voxelSize else {
            throw EngineError("a half map must have the full map's origin", file: name)
        }
    }
}

/// Checks that two half maps can be compared with `model`: the voxel size of the map it was
/// built from, a grid sampled at the same points (origins an integer number of voxels apart),
/// and covering the model's analysis box. The mask is placed in Å, so a half map of a larger
/// box than the one the model was built from works too.
public func checkHalfMaps(for model: ValidatedModel, _ halves: (Volume, Volume), names: (String, String)) throws(EngineError) {
    let raw = model.raw
    for (half, name) in [(halves.0, names.0), (halves.1, names.1)] {
        try requireVoxelSize(of: half, named: name, equalTo: raw.voxelSize, of: "the model's map")
        let offset = (raw.origin - half.origin) / raw.voxelSize
        let whole = offset.rounded(.toNearestOrEven)
        guard (offset - whole).max() < 1e-3, (whole - offset).max() < 1e-3 else {
            throw EngineError("a half map must sample the model's map's grid points (its origin lies between them)", file: name)
        }
        let lo = SIMD3<Int>(Int(whole.x), Int(whole.y), Int(whole.z)), hi = lo &+ raw.dimensions
        guard lo.min() >= 0, (half.dimensions &- hi).min() >= 0 else {
            throw EngineError("a half map must cover the particle's analysis box (voxels \(lo.x)…\(hi.x - 1), \(lo.y)…\(hi.y - 1), \(lo.z)…\(hi.z - 1) on its grid; it has \(half.nx)×\(half.ny)×\(half.nz))", file: name)
        }
    }
}

/// The one voxel-size test of both checks: equal within 1e-4 of the reference.
private func requireVoxelSize(of half: Volume, named name: String, equalTo reference: Double, of what: String) throws(EngineError) {
    guard abs(half.voxelSize - reference) <= 1e-4 * reference else {
        throw EngineError(String(format: "a half map must have %@'s voxel size: %.4f Å, %@ %.4f Å", what, half.voxelSize, what, reference), file: name)
    }
}

/// Fits the refined `model` to each of two half maps (on the full map's grid: see
/// ``checkHalfMaps(_:_:names:)``) and records each atom's half-map difference in the column
/// `half_map_difference` (Å) and the summary in `refinement.halfMaps`. A model that was not
/// refined passes unchanged.
public func compareHalfMaps(_ model: ValidatedModel, halves: (Volume, Volume),
                            cancellation: Cancellation? = nil) throws(Interrupted) -> ValidatedModel {
    guard var refinement = model.refinement, model.atoms.count > 0 else { return model }
    var timer = model.timings
    let options = model.options
    let bond = options.element.latticeConstant / 2.squareRoot()
    let start = model.atoms[column: "u_refined"]
    let differences = try timer.measure("half_maps", checking: cancellation) { () -> [Double] in
        let fits = [halves.0, halves.1].map { half -> [Vector3] in
            let masked = maskedLikeFullMap(half, model)
            return fitAtomsJointly(model.atoms.positions, map: masked, profile: model.profile,
                                   windowRadius: JointFitLimits.windowFraction * bond,
                                   startingDisplacements: start, threads: options.threads).positions
        }
        return zip(fits[0], fits[1]).map { ($0 - $1).length }
    }
    var atoms = model.atoms
    atoms.setColumn("half_map_difference", differences)
    let sigma = model.atoms[column: "sigma_position"] ?? []
    let comparison = HalfMapComparison(atoms: differences.count, medianDifference: median(differences),
                                       medianSigma: sigma.isEmpty ? .nan : median(sigma.filter(\.isFinite)))
    refinement.halfMaps = comparison
    var flags = model.flags
    // Halves of one reconstruction agree to within their noise; twice the standard errors, or a
    // quarter of a bond, means they are not this map's halves or the errors are too small.
    if comparison.medianDifference > halfMapDisagreementFraction * bond || comparison.calibration > halfMapCalibrationLimit {
        flags.append(QualityFlag(.refinement, String(format: "the half maps disagree: median %.2f Å between an atom's two positions, %.1f× what the standard errors predict", comparison.medianDifference, comparison.calibration),
                                 remedy: "check that part1 and part2 are the halves of this map, on its grid and in its orientation"))
    }
    return ValidatedModel(detected: model.detected, options: options, candidateCorrelations: model.candidateCorrelations,
                          lattice: model.lattice, removals: model.removals, detection: model.detection, atoms: atoms,
                          reusable: model.reusable, timings: timer, flags: flags, refinement: refinement)
}

/// A half map treated as the full map was: extreme values conditioned, the same mask with the
/// half's own solvent background, cut to the same analysis box.
private func maskedLikeFullMap(_ half: Volume, _ model: ValidatedModel) -> Volume {
    var h = half
    _ = ExtremeValues.condition(&h)
    guard let mask = model.mask else { return h }
    let box = mask.supportBox(in: h).expanded(by: analysisBoxMargin, within: h)
    return mask.apply(to: h, subtracting: mask.background(of: h), within: box, threads: model.options.threads)
}
