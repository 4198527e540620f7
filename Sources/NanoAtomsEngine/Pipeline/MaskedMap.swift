import Dispatch

/// The first stage of model building: the particle masked, its solvent background subtracted,
/// and the map cut to the box around the mask (the analysis box). This is the paper's map M.
public struct MaskedMap: Sendable {
    /// The choices this stage and the later ones were made with.
    public let options: ModelBuildingOptions
    /// The masked raw map M on the analysis box (the whole box when there is no mask).
    public let map: Volume
    /// The mask, or nil for none.
    public let mask: ParticleMask?
    /// The particle's atom-like peaks, found to place or check the mask (nil: none found).
    public let location: ParticleLocation?
    /// The background subtracted before masking.
    public let background: MapBackground
    /// What should not be trusted so far: the map's values, the mask.
    public let flags: [QualityFlag]
    /// Time taken so far, step by step.
    public let timings: StepTimings
}

/// Voxels added around the mask's support when cropping to the analysis box: room for the
/// interpolation of the threshold search (two voxels) and for splitting near the edge.
let analysisBoxMargin = 3

/// Masks the particle in `map` as `options.mask` says: extreme values conditioned, the mask
/// chosen (``MaskEstimate/make(_:for:element:threads:)``), the background subtracted and the
/// map cut to the box around the mask's support.
///
/// Everything after works on that box: outside it the masked map is zero, so the denoised map
/// there needs no input from outside, and the result does not depend on how much empty box
/// surrounds the particle. The map is `consuming`: passing its last reference frees the whole
/// box once the analysis box is cut out of it.
public func maskParticle(_ map: consuming Volume, options: ModelBuildingOptions,
                         cancellation: Cancellation? = nil) throws(Interrupted) -> MaskedMap {
    var timer = StepTimings()
    // A map made in memory gets the same protection as one read from a file.
    let t0 = DispatchTime.now().uptimeNanoseconds
    if let flag = ExtremeValues.condition(&map).flag { map.flags.append(flag) }
    timer.record("extreme_values", seconds: Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
    let threads = options.threads
    var estimate: MaskEstimate! = nil
    var background = MapBackground.flat(0)
    let M: Volume = try timer.measure("mask", checking: cancellation) {
        estimate = MaskEstimate.make(options.mask, for: map, element: options.element, threads: threads)
        guard let mask = estimate.mask else { return copy map }
        background = mask.background(of: map)
        return mask.apply(to: map, subtracting: background, within: mask.supportBox(in: map).expanded(by: analysisBoxMargin, within: map),
                          threads: threads)
    }
    return MaskedMap(options: options, map: M, mask: estimate.mask, location: estimate.location, background: background,
                     flags: map.flags + estimate.flags, timings: timer)
}
