import Foundation

/// How weak atoms missed by the global threshold are looked for.
package struct WeakAtomOptions: Sendable {
    /// Candidates closer than this fraction of the bulk bond length to an atom are that atom.
    package var minimumSeparation = 0.75
    /// A candidate must have at least this many atoms within the CN radius (it must be bonded
    /// to the particle, not float in the solvent).
    package var minimumNeighbors = 3
    /// ... and at least that many of them at a bond's length, within this fraction of the bulk
    /// bond: where a lattice site is (a hollow on a facet, a gap left by a missed atom), not
    /// anywhere near the surface.
    package var bondTolerance = 0.15
    /// The defaults.
    package init() {}
}

/// Finds atoms too weak to cross the chosen threshold: mobile surface atoms whose peak in C
/// is low. Candidates are local maxima of C above Otsu's T₀ that are bonded to the particle
/// and not on top of an atom already found; each is kept only if adding it raises the
/// correlation between C and the simulated map (the threshold search's own criterion, but
/// decided atom by atom rather than by one global threshold).
///
/// This goes beyond the paper, which keeps only what crosses the single best threshold.
/// - Returns: the detection with the recovered atoms appended, and how many were added.
package func recoverWeakAtoms(_ detection: AtomDetection, denoised C: Volume, scorer: SimulatedMapCorrelation,
                             lowerThreshold t0: Float, element: Element, radius: Double,
                             options: WeakAtomOptions = WeakAtomOptions()) -> (AtomDetection, Int) {
    let existing = detection.positions
    let bond = element.bulkBondLength
    let cnRadius = 0.5 * element.latticeConstant * (1 + 1 / 2.0.squareRoot())
    let grid = NeighborGrid(points: existing, maximumRadius: cnRadius)
    let minSep2 = pow(options.minimumSeparation * bond, 2)
    let bondShell = pow((1 - options.bondTolerance) * bond, 2)...pow((1 + options.bondTolerance) * bond, 2)
    var candidates: [(position: Vector3, peak: Float, voxel: Int)] = []
    let nx = C.nx, ny = C.ny, nz = C.nz
    // Nearest in memory first: most voxels are beaten by a neighbour along x, in the same
    // cache line, and the test stops there.
    let offsets = neighborOffsets26.map { $0.x + nx * ($0.y + ny * $0.z) }.sorted { abs($0) < abs($1) }
    C.values.withUnsafeBufferPointer { c in
        for k in 1..<max(1, nz - 1) { for j in 1..<max(1, ny - 1) {
            forEachIndex(in: c.baseAddress! + nx * (j + ny * k), 1..<max(1, nx - 1), above: t0) { i in
                let q = i + nx * (j + ny * k)
                let v = c[q]
                var isMax = true
                offsets.withUnsafeBufferPointer { offsets in
                    for o in offsets where c[q + o] > v { isMax = false; break }
                }
                guard isMax else { return }
                // Sub-voxel peak by a parabola through the neighbours along each axis.
                let off = Vector3(parabolicPeakOffset(c[q - 1], v, c[q + 1]), parabolicPeakOffset(c[q - nx], v, c[q + nx]),
                                  parabolicPeakOffset(c[q - nx * ny], v, c[q + nx * ny]))
                let p = C.position(voxel: Vector3(Double(i), Double(j), Double(k)) + off)
                var near = false, bonded = 0, atBond = 0
                grid.forEachNeighbor(of: p, within: cnRadius) { _, d2 in
                    if d2 < minSep2 { near = true }
                    if bondShell.contains(d2) { atBond += 1 }
                    bonded += 1
                }
                if !near && bonded >= options.minimumNeighbors && atBond >= options.minimumNeighbors {
                    candidates.append((p, v, q))
                }
            }
        } }
    }
    candidates.sort { $0.peak > $1.peak }
    // Candidates must also keep their distance from each other: the higher peak wins.
    var spaced: [(position: Vector3, peak: Float, voxel: Int)] = []
    for cand in candidates where spaced.allSatisfy({ ($0.position - cand.position).lengthSquared >= minSep2 }) {
        spaced.append(cand)
    }
    let kept = scorer.acceptedAdditions(to: existing, candidates: spaced.map(\.position))
    guard !kept.isEmpty else { return (detection, 0) }
    var voxels = detection.regions.voxels, start = detection.regions.start
    var positions = existing, split = detection.wasSplit
    let r = radius / C.voxelSize
    for k in kept {
        let cand = spaced[k]
        // Its voxels: those above T₀ within r_th of its peak.
        let centre = C.voxelCoordinate(of: cand.position)
        for kk in Volume.window(around: centre.z, radius: r, count: nz) {
        for jj in Volume.window(around: centre.y, radius: r, count: ny) {
        for ii in Volume.window(around: centre.x, radius: r, count: nx) {
            let d = Vector3(Double(ii), Double(jj), Double(kk)) - centre
            if d.lengthSquared <= r * r && C[ii, jj, kk] > t0 { voxels.append(Int32(C.index(ii, jj, kk))) }
        } } }
        start.append(Int32(voxels.count))
        positions.append(cand.position)
        split.append(false)
    }
    return (AtomDetection(positions: positions, regions: ComponentList(voxels: voxels, start: start), wasSplit: split), kept.count)
}
