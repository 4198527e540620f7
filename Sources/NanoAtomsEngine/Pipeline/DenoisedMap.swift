/// The second stage: the masked map correlated with one simulated atom (the paper's map C).
public struct DenoisedMap: Sendable {
    /// The stage before.
    public let masked: MaskedMap
    /// The choices this stage and the later ones were made with.
    public let options: ModelBuildingOptions
    /// The simulated atom, with the B-factor of `options` (the later stages use the same).
    public let profile: AtomProfile
    /// The denoised map C, on the masked map's grid (a single zero voxel once released:
    /// see `mapReleased`).
    public private(set) var map: Volume
    /// Whether `map` was released to save memory (``ValidatedModel/releasingIntermediateMaps(keepingSimulated:)``):
    /// no later stage may then be run again from this one.
    public private(set) var mapReleased = false
    /// Time taken so far, step by step.
    public let timings: StepTimings

    /// What should not be trusted so far.
    public var flags: [QualityFlag] { masked.flags }

    /// This stage without its map C (a map-sized buffer), for a model that no step will read it from again.
    func releasingMap() -> DenoisedMap {
        var copy = self
        copy.map = Volume(nx: 1, ny: 1, nz: 1, voxelSize: map.voxelSize)
        copy.mapReleased = true
        return copy
    }
}

/// Denoises the masked map: its correlation with the element's simulated atom
/// (``denoise(_:profile:threads:)``). `options` (nil: the masked map's) sets the atom's B-factor.
public func denoiseMap(_ masked: MaskedMap, options given: ModelBuildingOptions? = nil,
                       cancellation: Cancellation? = nil) throws(Interrupted) -> DenoisedMap {
    let options = given ?? masked.options
    var timer = masked.timings
    let profile = AtomProfile.peng(options.element, voxelSize: masked.map.voxelSize, bFactor: options.atomBFactor)
    let C = try timer.measure("denoise", checking: cancellation) { denoise(masked.map, profile: profile, threads: options.threads) }
    return DenoisedMap(masked: masked, options: options, profile: profile, map: C, timings: timer)
}
