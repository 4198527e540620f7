import Foundation

/// Atoms found in a map: a centre for each, and the voxels that make up its density.
public struct AtomDetection: Sendable {
    /// Atom centres, Å.
    public var positions: [Vector3]
    /// Each atom's voxels (flat indices into the map).
    public var regions: ComponentList
    /// Whether each atom came out of splitting a merged component.
    public var wasSplit: [Bool]

    /// Atoms at `positions` made of `regions`.
    public init(positions: [Vector3], regions: ComponentList, wasSplit: [Bool]) {
        precondition(positions.count == regions.count && wasSplit.count == positions.count)
        self.positions = positions
        self.regions = regions
        self.wasSplit = wasSplit
    }

    /// Number of atoms.
    public var count: Int { positions.count }

    /// The atoms at `indices`, in that order.
    public func subset(_ indices: [Int]) -> AtomDetection {
        var voxels: [Int32] = [], start: [Int32] = [0]
        for i in indices {
            voxels += regions.voxels(of: i)
            start.append(Int32(voxels.count))
        }
        return AtomDetection(positions: indices.map { positions[$0] },
                             regions: ComponentList(voxels: voxels, start: start),
                             wasSplit: indices.map { wasSplit[$0] })
    }
}

/// The centre of mass of `weights` over `voxels` (voxel coordinates), falling back to
/// the centre of mass of `fallback` when the weights sum to zero or less (the raw map
/// can be negative at the edge of a weak atom).
func centreOfMass<S: Sequence>(_ voxels: S, in grid: Volume, weights: Volume, fallback: Volume) -> Vector3 where S.Element == Int32 {
    var s = 0.0, v = Vector3.zero, sf = 0.0, vf = Vector3.zero
    for n in voxels {
        let n = Int(n)
        let p = Vector3(Double(n % grid.nx), Double((n / grid.nx) % grid.ny), Double(n / (grid.nx * grid.ny)))
        let w = Double(weights.values[n]), f = Double(fallback.values[n])
        s += w; v += w * p; sf += f; vf += f * p
    }
    return s > 0 ? v / s : vf / sf
}

/// Binarises the denoised map C at `threshold`, finds its 26-connected components and
/// places an atom at the centre of mass of the raw map M over each (the paper's
/// "centers of mass of the gray-level voxel intensities in map M").
package func detectAtoms(denoised C: Volume, raw M: Volume, threshold: Float) -> AtomDetection {
    let components = connectedComponents(of: C, above: threshold)
    let positions = (0..<components.count).map {
        C.position(voxel: centreOfMass(components.voxels(of: $0), in: C, weights: M, fallback: C))
    }
    return AtomDetection(positions: positions, regions: components, wasSplit: Array(repeating: false, count: positions.count))
}

/// How merged atoms are recognised and split.
package struct SplitOptions: Sendable {
    /// Theoretical atomic radius r_th, Å.
    package var radius: Double
    /// A component is split when its farthest voxel lies more than this many r_th from its
    /// centre (paper: 1.5).
    package var maximumExtent: Double = 1.5
    /// ... or when the voxel at its centre is more than this many voxels (Chebyshev) from
    /// its maximum of C (paper: "more than one voxel away").
    package var peakOffset: Int = 1
    /// Two peaks closer than this many r_th are one atom. The paper stops at 2 r_th, which
    /// would never separate atoms closer than an atomic diameter (2.2 Å for Pt); since every
    /// accepted peak must also be a local maximum of C, 1.5 r_th is enough to keep an atom's
    /// rim from becoming an atom of its own.
    package var minimumSeparation: Double = 1.5

    /// Options with the paper's factors for atoms of radius `radius` Å.
    package init(radius: Double) { self.radius = radius }
}

/// Splits components that hold more than one atom, after the paper's iterative algorithm:
/// a component is suspect when its centre is far from its peak in C or it is too large;
/// its atoms are the local maxima of C, taken from the highest down, each at least
/// `minimumSeparation` r_th from those already taken; each keeps the voxels within r_th of
/// its peak that are nearer to it than to any other peak (voxels left over belong to no
/// atom), and its centre is their centre of mass in M. A suspect component with one peak
/// is re-centred on the sphere around it.
///
/// - Returns: the new detection and the number of components that were split or re-centred.
package func splitMergedAtoms(_ detection: AtomDetection, denoised C: Volume, raw M: Volume,
                             options: SplitOptions) -> (AtomDetection, Int) {
    let h = C.voxelSize
    let r = options.radius / h                       // r_th in voxels
    var positions: [Vector3] = [], voxels: [Int32] = [], start: [Int32] = [0], split: [Bool] = []
    var changed = 0
    func coords(_ n: Int32) -> Vector3 {
        let n = Int(n)
        return Vector3(Double(n % C.nx), Double((n / C.nx) % C.ny), Double(n / (C.nx * C.ny)))
    }
    for a in 0..<detection.count {
        let members = detection.regions.voxels(of: a)
        let centre = C.voxelCoordinate(of: detection.positions[a])
        var peak = members.first!
        var extent2 = 0.0
        for n in members {
            if C.values[Int(n)] > C.values[Int(peak)] { peak = n }
            extent2 = max(extent2, (coords(n) - centre).lengthSquared)
        }
        let pc = coords(peak)
        let rounded = Vector3(centre.x.rounded(), centre.y.rounded(), centre.z.rounded())
        let offset = Int(max(abs(rounded.x - pc.x), abs(rounded.y - pc.y), abs(rounded.z - pc.z)))
        let suspect = offset > options.peakOffset || extent2.squareRoot() > options.maximumExtent * r
        if !suspect {
            positions.append(detection.positions[a]); voxels += members; start.append(Int32(voxels.count)); split.append(false)
            continue
        }
        changed += 1
        // Local maxima of C among the component's voxels, highest first.
        var maxima: [Int32] = []
        for n in members {
            let v = C.values[Int(n)], p = coords(n)
            var isMax = true
            for o in neighborOffsets26 {
                let i = Int(p.x) + o.x, j = Int(p.y) + o.y, k = Int(p.z) + o.z
                if C.contains(i, j, k) && C[i, j, k] > v { isMax = false; break }
            }
            if isMax { maxima.append(n) }
        }
        maxima.sort { C.values[Int($0)] > C.values[Int($1)] }
        var peaks: [Vector3] = []
        let minSep2 = pow(options.minimumSeparation * r, 2)
        for m in maxima {
            let p = coords(m)
            if peaks.allSatisfy({ ($0 - p).lengthSquared >= minSep2 }) { peaks.append(p) }
        }
        if peaks.isEmpty { peaks = [pc] }
        var owned = [[Int32]](repeating: [], count: peaks.count)
        for n in members {
            let p = coords(n)
            var best = -1, bestD = r * r
            for (q, pk) in peaks.enumerated() {
                let d = (p - pk).lengthSquared
                if d <= bestD { best = q; bestD = d }
            }
            if best >= 0 { owned[best].append(n) }
        }
        for o in owned where !o.isEmpty {
            positions.append(C.position(voxel: centreOfMass(o, in: C, weights: M, fallback: C)))
            voxels += o; start.append(Int32(voxels.count)); split.append(peaks.count > 1)
        }
    }
    return (AtomDetection(positions: positions, regions: ComponentList(voxels: voxels, start: start), wasSplit: split), changed)
}
