/// The fourth stage: candidate atoms, one per component of the binarised map, then split and
/// with weak atoms added. Validation decides which of them stay.
public struct DetectedAtoms: Sendable {
    /// The stage before.
    public let binarized: BinarizedMap
    /// The choices this stage and the later ones were made with.
    public let options: ModelBuildingOptions
    /// The candidates: positions and voxels.
    public let detection: AtomDetection
    /// Components at the chosen threshold.
    public let componentCount: Int
    /// Components that were split (or re-centred).
    public let splitComponents: Int
    /// Weak atoms added after the threshold search.
    public let recoveredAtoms: Int
    /// Atoms an earlier validation removed (empty unless validated atoms are validated again).
    public let removals: [Removal]
    /// Time taken so far, step by step.
    public let timings: StepTimings

    /// What should not be trusted so far.
    public var flags: [QualityFlag] { binarized.flags }

    /// The candidates as atoms, with columns `nvox` (voxels) and `split` (1 for an atom that came
    /// out of a split).
    public var atoms: AtomSet {
        var atoms = AtomSet(element: options.element, positions: detection.positions)
        atoms.setColumn("nvox", (0..<detection.count).map { Double(detection.regions.size(of: $0)) })
        atoms.setColumn("split", detection.wasSplit.map { $0 ? 1 : 0 })
        return atoms
    }

    /// This stage without the denoised map and the scorer (``BinarizedMap/releasingMaps()``).
    func releasingMaps() -> DetectedAtoms {
        DetectedAtoms(binarized: binarized.releasingMaps(), options: options, detection: detection, componentCount: componentCount,
                      splitComponents: splitComponents, recoveredAtoms: recoveredAtoms, removals: removals, timings: timings)
    }

    /// This stage with `detection` as its candidates (after a step changed them).
    func with(_ detection: AtomDetection, split: Int? = nil, recovered: Int? = nil, removals: [Removal]? = nil,
              options: ModelBuildingOptions? = nil, timings: StepTimings) -> DetectedAtoms {
        DetectedAtoms(binarized: binarized, options: options ?? self.options, detection: detection, componentCount: componentCount,
                      splitComponents: split ?? splitComponents, recoveredAtoms: recovered ?? recoveredAtoms,
                      removals: removals ?? self.removals, timings: timings)
    }
}

/// Places a candidate atom at the centre of mass in M of each 26-connected component of C above
/// the chosen threshold (``detectAtoms(denoised:raw:threshold:)``).
public func detectAtoms(in binarized: BinarizedMap, cancellation: Cancellation? = nil) throws(Interrupted) -> DetectedAtoms {
    var timer = binarized.timings
    let C = binarized.denoised.map, M = binarized.denoised.masked.map
    let found = try timer.measure("detect", checking: cancellation) { detectAtoms(denoised: C, raw: M, threshold: binarized.threshold) }
    return DetectedAtoms(binarized: binarized, options: binarized.options, detection: found, componentCount: found.count,
                         splitComponents: 0, recoveredAtoms: 0, removals: [], timings: timer)
}

/// Splits components that hold two or more atoms (``splitMergedAtoms(_:denoised:raw:options:)``),
/// unless `options.split` (nil: the stage's options) is off.
public func splitMergedAtoms(in detected: DetectedAtoms, options given: ModelBuildingOptions? = nil,
                             cancellation: Cancellation? = nil) throws(Interrupted) -> DetectedAtoms {
    let options = given ?? detected.options
    var timer = detected.timings
    let C = detected.binarized.denoised.map, M = detected.binarized.denoised.masked.map
    let (atoms, n) = try timer.measure("split", checking: cancellation) { () -> (AtomDetection, Int) in
        options.split ? splitMergedAtoms(detected.detection, denoised: C, raw: M, options: SplitOptions(radius: options.atomRadius))
                      : (detected.detection, 0)
    }
    return detected.with(atoms, split: detected.splitComponents + n, options: options, timings: timer)
}

/// Adds weak atoms the threshold missed where they raise the correlation
/// (``recoverWeakAtoms(_:denoised:scorer:lowerThreshold:element:radius:options:)``), unless
/// `options.recoverWeakAtoms` (nil: the stage's options) is off.
public func recoverWeakAtoms(in detected: DetectedAtoms, options given: ModelBuildingOptions? = nil,
                             cancellation: Cancellation? = nil) throws(Interrupted) -> DetectedAtoms {
    let options = given ?? detected.options
    var timer = detected.timings
    let b = detected.binarized
    precondition(!b.denoised.mapReleased, "recoverWeakAtoms: the denoised map of this model was released")
    let (atoms, n) = try timer.measure("recover", checking: cancellation) { () -> (AtomDetection, Int) in
        guard options.recoverWeakAtoms else { return (detected.detection, 0) }
        return recoverWeakAtoms(detected.detection, denoised: b.denoised.map, scorer: b.scorer!, lowerThreshold: b.search.otsu,
                                element: options.element, radius: options.atomRadius)
    }
    return detected.with(atoms, recovered: detected.recoveredAtoms + n, options: options, timings: timer)
}
