import Foundation

/// Where the particle is, found from its atoms rather than from the map's envelope.
///
/// The map is binned to about 0.7 Å and smoothed at an atom's width; a local maximum is an
/// atom-like peak when its prominence (its value less the mean on a sphere of half a bond
/// around it, which cancels low-frequency noise, gradients and the mean of a liquid) exceeds
/// a significance level (``significanceLevels``) in robust SDs of the prominence over the box. A peak with at least
/// ``minimumBondedPeaks`` others within ``linkFactor`` bond lengths is bonded; the particle is
/// the largest cluster of bonded peaks (peaks joined through bonds), with the peaks next to it.
///
/// An envelope found by Otsu's threshold on a low-passed map is a cliff: when low-frequency
/// noise outweighs the particle at the envelope's scale, the blob becomes the whole box. Peaks
/// at bond distance from one another are what noise does not make, so this does not collapse.
public struct ParticleLocation: Sendable, Equatable {
    /// Every significant atom-like peak, Å.
    public let peaks: [Vector3]
    /// Which of `peaks` belong to the particle.
    public let particlePeaks: [Int]
    /// Centroid of the particle's peaks, Å.
    public let centre: Vector3
    /// Largest distance of a particle peak from `centre`, Å.
    public let radius: Double
    /// Robust SD of the prominence.
    public let noiseSD: Double
    /// The level, in `noiseSD`, above which the peaks were taken (see ``significanceLevels``).
    public let significance: Double
    /// Clusters of at least ``minimumParticlePeaks`` bonded peaks besides the particle (another
    /// particle in the box, or structured background).
    public let otherClusters: Int
    /// Peaks in the largest of those other clusters.
    public let largestOtherCluster: Int

    /// Significance levels of an atom-like peak, in robust SDs of the prominence; the level
    /// whose cluster is densest wins. A mask-free matched-filter detector at 5 SD finds
    /// 97–99 % of the atoms on maps whose envelope fails; on noisier maps lower levels are
    /// needed to see the whole particle.
    public static let significanceLevels = [5.0, 4.5, 4.0, 3.5, 3.0]
    /// Two peaks closer than this many bulk bond lengths are bonded (first shell 1.0, second
    /// shell 1.41; binned peaks are off by up to about 0.4 Å).
    public static let linkFactor = 1.3
    /// A peak with this many bonded peaks is part of a cluster (the paper's CN cut-off).
    public static let minimumBondedPeaks = 3
    /// Fewer bonded peaks than this are no particle.
    public static let minimumParticlePeaks = 8
    /// Target voxel size of the binned map, Å: atoms 2.5–2.9 Å apart stay 3–4 voxels apart.
    public static let binnedVoxelSize = 0.7
    /// Gaussian σ of the atomic-scale low-pass, Å (about an atom's width after binning).
    public static let atomWidth = 0.5
    /// Voxels sampled to estimate the prominence's noise.
    static let sampleCount = 20_000

    /// Fraction of an fcc sphere's sites (sphere radius `radius` + half a bond) holding a
    /// particle peak: far below the ~0.5 of a compact particle when the cluster is spread out.
    public func fillFraction(element: Element) -> Double {
        let r = radius + element.bulkBondLength / 2
        let sites = 4.0 / 3.0 * Double.pi * r * r * r * 4 / pow(element.latticeConstant, 3)
        return Double(particlePeaks.count) / max(sites, 1)
    }

    /// Finds the particle's atoms in `volume`; nil when no cluster of at least
    /// ``minimumParticlePeaks`` bonded peaks exists.
    public static func locate(in volume: Volume, element: Element, threads: Int = Parallel.availableCores) -> ParticleLocation? {
        let f = max(1, Int((binnedVoxelSize / volume.voxelSize).rounded()))
        let h = volume.voxelSize * Double(f)
        // The binned map is a temporary: only its smoothed copy is kept (less peak memory).
        let smooth = SeparableFilter.gaussianSmoothed(blockSummed(volume, factor: f), sigmaVoxels: atomWidth / h, threads: threads)
        let nx = smooth.nx, ny = smooth.ny, nz = smooth.nz
        // Prominence: the smoothed map less its mean on a sphere of half a bond around the
        // voxel. A background smooth at that scale (low-frequency noise, a gradient, a liquid's
        // mean, the particle's own plateau) cancels; an atom stands out against the gaps
        // around it.
        // The sphere as the voxels within half a voxel of it, as flat offsets.
        let shellRadius = 0.5 * element.bulkBondLength / h
        let reach = Int(shellRadius.rounded(.up)) + 1
        var shell: [Int] = []
        for dk in -reach...reach { for dj in -reach...reach { for di in -reach...reach {
            let d = (Double(di * di + dj * dj + dk * dk)).squareRoot()
            if abs(d - shellRadius) <= 0.5 { shell.append(di + nx * (dj + ny * dk)) }
        } } }
        let shellWeight = 1 / Float(shell.count)
        func prominence(_ v: UnsafeBufferPointer<Float>, _ i: Int, _ j: Int, _ k: Int) -> Float {
            let q = i + nx * (j + ny * k)
            var sum: Float = 0
            for o in shell { sum += v[q + o] }
            return v[q] - sum * shellWeight
        }
        guard nx > 2 * reach, ny > 2 * reach, nz > 2 * reach else { return nil }
        // Its noise: the robust SD of the prominence over a lattice of sample voxels.
        let stride = max(1, Int(pow(Double((nx - 2 * reach) * (ny - 2 * reach) * (nz - 2 * reach)) / Double(sampleCount), 1.0 / 3.0).rounded(.up)))
        var samples: [Float] = []
        smooth.values.withUnsafeBufferPointer { v in
            for k in Swift.stride(from: reach, to: nz - reach, by: stride) {
                for j in Swift.stride(from: reach, to: ny - reach, by: stride) {
                    for i in Swift.stride(from: reach, to: nx - reach, by: stride) { samples.append(prominence(v, i, j, k)) }
                }
            }
        }
        let sd: Double = samples.withUnsafeMutableBufferPointer { s in
            guard s.count >= 100 else { return 0 }
            let med = ParticleMask.medianBySelection(s)
            for q in s.indices { s[q] = abs(s[q] - med) }
            return madToStandardDeviation * Double(ParticleMask.medianBySelection(s))
        }
        guard sd > 0, sd.isFinite else { return nil }
        let level = Float(significanceLevels.last! * sd)
        var maxima: [(position: Vector3, z: Double)] = []
        let offsets = neighborOffsets26.map { $0.x + nx * ($0.y + ny * $0.z) }.sorted { abs($0) < abs($1) }
        smooth.values.withUnsafeBufferPointer { c in
            for k in reach..<max(reach, nz - reach) { for j in reach..<max(reach, ny - reach) {
                // A peak is a local maximum whose prominence passes the level; its value
                // must pass it too, which skips most voxels at once.
                forEachIndex(in: c.baseAddress! + nx * (j + ny * k), reach..<max(reach, nx - reach), above: level) { i in
                    let q = i + nx * (j + ny * k)
                    let v = c[q]
                    for o in offsets where c[q + o] > v { return }
                    let z = prominence(c, i, j, k)
                    guard z > level else { return }
                    let off = Vector3(parabolicPeakOffset(c[q - 1], v, c[q + 1]), parabolicPeakOffset(c[q - nx], v, c[q + nx]),
                                      parabolicPeakOffset(c[q - nx * ny], v, c[q + nx * ny]))
                    // Binned voxel (i, j, k) is the sum of fine voxels f·i … f·i + f − 1.
                    let fineVoxel = (Vector3(Double(i), Double(j), Double(k)) + off + 0.5) * Double(f) - 0.5
                    maxima.append((volume.position(voxel: fineVoxel), Double(z) / sd))
                }
            } }
        }
        // The level at which the particle's cluster is densest (most peaks per fcc site of its
        // sphere): above it the cluster misses atoms too weak to pass, below it noise peaks
        // attach at its rim and widen it. Neither grows the sphere by more than a bond or so,
        // so the mask changes smoothly with the noise.
        let found = significanceLevels.compactMap { z in
            cluster(maxima.filter { $0.z > z }.map(\.position), element: element, noiseSD: sd, significance: z)
        }
        return found.max { $0.fillFraction(element: element) < $1.fillFraction(element: element) }
    }

    /// The particle among `peaks`: the largest cluster of bonded peaks, if it is large enough.
    static func cluster(_ peaks: [Vector3], element: Element, noiseSD sd: Double, significance: Double) -> ParticleLocation? {
        let link = linkFactor * element.bulkBondLength
        let grid = NeighborGrid(points: peaks, maximumRadius: link)
        let neighbours = peaks.indices.map { grid.neighbors(of: $0, within: link) }
        let bonded = neighbours.map { $0.count >= minimumBondedPeaks }
        // Clusters of bonded peaks, joined through bonds between bonded peaks.
        let (cluster, sizes) = connectedGroups(count: peaks.count, included: { bonded[$0] }) { p, linked in
            linked += neighbours[p]
        }
        guard let best = sizes.indices.max(by: { sizes[$0] < sizes[$1] }), sizes[best] >= minimumParticlePeaks else { return nil }
        // The particle: its bonded peaks and any peak bonded to one of them.
        let members = peaks.indices.filter { p in
            cluster[p] == best || (!bonded[p] && neighbours[p].contains { cluster[$0] == best })
        }
        let centre = members.reduce(Vector3.zero) { $0 + peaks[$1] } / Double(members.count)
        let radius = members.map { (peaks[$0] - centre).length }.max() ?? 0
        let others = sizes.indices.filter { $0 != best && sizes[$0] >= minimumParticlePeaks }
        return ParticleLocation(peaks: peaks, particlePeaks: members, centre: centre, radius: radius, noiseSD: sd,
                                significance: significance, otherClusters: others.count,
                                largestOtherCluster: others.map { sizes[$0] }.max() ?? 0)
    }
}

/// `volume` block-summed by `factor` along each axis (the last incomplete blocks dropped): a
/// map with voxels `factor` times larger, whose voxel (i, j, k) sums the fine voxels
/// factor·i … factor·i + factor − 1 along each axis. Read once, eight values at a time.
func blockSummed(_ volume: Volume, factor f: Int) -> Volume {
    let cx = max(1, volume.nx / f), cy = max(1, volume.ny / f), cz = max(1, volume.nz / f)
    var coarse = Volume(nx: cx, ny: cy, nz: cz, voxelSize: volume.voxelSize * Double(f))
    // The f × f fine rows of each coarse row are added into one row, eight values at a time,
    // then its groups of f.
    let used = min(cx * f, volume.nx)
    let rowSum = UnsafeMutableRawPointer.allocate(byteCount: 4 * (used + 8), alignment: 32)
    defer { rowSum.deallocate() }
    volume.values.withUnsafeBufferPointer { v in
        coarse.values.withUnsafeMutableBufferPointer { c in
            let acc = rowSum.bindMemory(to: Float.self, capacity: used + 8)
            for ck in 0..<cz { for cj in 0..<cy {
                acc.initialize(repeating: 0, count: used + 8)
                for k in (ck * f)..<min(ck * f + f, volume.nz) { for j in (cj * f)..<min(cj * f + f, volume.ny) {
                    let row = UnsafeRawPointer(v.baseAddress! + volume.nx * (j + volume.ny * k))
                    var i = 0
                    while i + 8 <= used {
                        let s = rowSum.load(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                            + row.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                        rowSum.storeBytes(of: s, toByteOffset: 4 * i, as: SIMD8<Float>.self)
                        i += 8
                    }
                    while i < used { acc[i] += row.load(fromByteOffset: 4 * i, as: Float.self); i += 1 }
                } }
                let crow = c.baseAddress! + cx * (cj + cy * ck)
                for ci in 0..<cx {
                    var sum: Float = 0
                    for t in 0..<f where ci * f + t < used { sum += acc[ci * f + t] }
                    crow[ci] = sum
                }
            } }
        }
    }
    return coarse
}
