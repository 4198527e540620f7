import Foundation

/// One atom's best match among the fcc, hcp and icosahedral templates.
public struct TemplateMatch: Sendable, Equatable {
    /// The structure of the best template, or `.other` when none lies within the RMSD cut-off
    /// (or the atom has fewer than twelve neighbours within the search radius).
    public var structure: LocalStructure
    /// The scale-invariant RMSD to the best template (PTM's measure; infinity when the atom had
    /// too few neighbours to compare).
    public var rmsd: Double
    /// The rotation taking the atom's neighbour vectors onto the best template, as a unit
    /// quaternion (w, x, y, z). Two atoms of one fcc crystal have the same rotation up to the
    /// cube's symmetry, whatever their position.
    public var orientation: SIMD4<Double>
}

/// Polyhedral template matching (PTM; Larsen, Schmidt & Schiøtz, Modelling Simul. Mater. Sci.
/// Eng. 24, 055007, 2016) of every atom against the fcc, hcp and icosahedral shells.
///
/// Each atom and its twelve nearest neighbours, centred on their centroid, are compared with
/// each template (the central atom and its twelve ideal neighbours at distance 1) after the best
/// rotation and scale: RMSD² = (Σ|q|² − E²/Σ|p|²)/13, with E the largest eigenvalue of Horn's
/// quaternion matrix. This is OVITO's definition (its RMSD values are reproduced to within
/// 5e-7, the precision of atoms.csv, by Tests/Structure/check_structure.py). The neighbour–template correspondence is found from anchor pairs: a rotation
/// that puts the nearest neighbour and the one nearest 60° (63.4° for the icosahedron) from it
/// onto a template pair, then each neighbour goes to the nearest template vertex, and the
/// rotation and the assignment are refined together until the assignment stands.
///
/// Unlike a-CNA, which needs every bond on the right side of a cut-off, PTM degrades smoothly
/// with noise: at 0.2 Å of Gaussian noise per coordinate a-CNA finds about half the fcc atoms
/// of an ASE particle, PTM (cut-off 0.15) 99 %.
///
/// - Parameters:
///   - positions: atom positions, Å.
///   - searchRadius: how far to look for the twelve neighbours, Å.
///   - rmsdCutoff: the largest RMSD that still names a structure (``ptmRMSDCutoff``).
package func polyhedralTemplateMatching(_ positions: [Vector3], searchRadius: Double,
                                        rmsdCutoff: Double = ptmRMSDCutoff,
                                        threads: Int = Parallel.availableCores) -> [TemplateMatch] {
    let grid = NeighborGrid(points: positions, maximumRadius: searchRadius)
    let none = TemplateMatch(structure: .other, rmsd: .infinity, orientation: SIMD4(1, 0, 0, 0))
    var out = [TemplateMatch](repeating: none, count: positions.count)
    out.withUnsafeMutableBufferPointer { buffer in
        let dst = UncheckedSendable(buffer.baseAddress!)
        let templates = ShellTemplate.all, crystalline = [ShellTemplate.fcc, ShellTemplate.hcp]
        Parallel.forRanges(positions.count, threads: threads, minimumChunk: 128) { range in
            var candidates: [(Double, Int)] = []
            for i in range {
                candidates.removeAll(keepingCapacity: true)
                grid.forEachNeighbor(of: positions[i], within: searchRadius) { j, d2 in if j != i { candidates.append((d2, j)) } }
                guard candidates.count >= ptmNeighborCount else { continue }
                candidates.sort { $0.0 < $1.0 }
                var shell = NeighborShell()
                for k in 0..<ptmNeighborCount { shell[k] = positions[candidates[k].1] - positions[i] }
                var match = matchShell(shell, rmsdCutoff: rmsdCutoff, templates: templates)
                // Noise can push a first-shell neighbour behind a second-shell atom: where the
                // twelve nearest match nothing, the 13th or 14th is tried in place of each of
                // the two farthest against fcc and hcp (PTM's own remedy is ordering by Voronoi
                // solid angle).
                if match.structure == .other && match.rmsd < ptmRetryLimit {
                    for extra in ptmNeighborCount..<min(candidates.count, ptmNeighborCount + 2) {
                        for out in (ptmNeighborCount - 2)..<ptmNeighborCount {
                            var alternative = shell
                            alternative[out] = positions[candidates[extra].1] - positions[i]
                            let m = matchShell(alternative, rmsdCutoff: rmsdCutoff, templates: crystalline)
                            if m.rmsd < match.rmsd { match = m }
                        }
                    }
                }
                dst.value[i] = match
            }
        }
    }
    return out
}

/// PTM's default RMSD cut-off here. OVITO's default is 0.1; at 0.2 Å of position noise per
/// coordinate (the hard shared map's level) it names a quarter of the fcc atoms of an ASE
/// particle, 0.15 names 99 % of them, while 0.2 already calls 9 % of a random packing
/// crystalline (0.15: 0.2 %). Measured with OVITO 3 on ASE octahedra, decahedra, icosahedra.
public let ptmRMSDCutoff = 0.15

/// Below this RMSD an unmatched atom is retried with other neighbour sets; above it (a surface
/// or disordered site: twelve nearest atoms that are not one shell) no swap would bring it
/// under the cut-off.
let ptmRetryLimit = 0.3

/// The neighbours PTM compares for fcc, hcp and icosahedral sites.
let ptmNeighborCount = 12

/// Twelve neighbour vectors, without an array.
struct NeighborShell {
    var v: (Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3, Vector3) =
        (.zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero, .zero)
    subscript(k: Int) -> Vector3 {
        get { withUnsafeBytes(of: v) { $0.load(fromByteOffset: k * MemoryLayout<Vector3>.stride, as: Vector3.self) } }
        set { withUnsafeMutableBytes(of: &v) { $0.storeBytes(of: newValue, toByteOffset: k * MemoryLayout<Vector3>.stride, as: Vector3.self) } }
    }
}

/// An ideal shell: twelve unit vectors, and the pairs of them at the anchor angle.
struct ShellTemplate: Sendable {
    let structure: LocalStructure
    let points: [Vector3]
    /// The angle between an anchor pair, radians.
    let anchorAngle: Double
    /// Template pairs (j, k) at the anchor angle that a real anchor pair is tried against: j one
    /// vertex of each orbit of the shell's rotations (fcc and the icosahedron have one orbit,
    /// hcp two: the hexagon and the two triangles), k every partner of j.
    let anchors: [(Int, Int)]
    /// The rotation frames of the anchors: columns e1, e2, e3.
    let frames: [(Vector3, Vector3, Vector3)]

    init(_ structure: LocalStructure, points: [Vector3], anchorAngle: Double, orbits: [Int]) {
        self.structure = structure
        self.points = points
        self.anchorAngle = anchorAngle
        var pairs: [(Int, Int)] = []
        for j in orbits {
            for k in points.indices where k != j && abs(acos(max(-1, min(1, points[j].dot(points[k])))) - anchorAngle) < 0.01 {
                pairs.append((j, k))
            }
        }
        anchors = pairs
        frames = pairs.map { orthonormalFrame(points[$0.0], points[$0.1]) }
    }

    /// fcc: the twelve ⟨110⟩ directions.
    static let fcc: ShellTemplate = {
        var p: [Vector3] = []
        for a in [-1.0, 1.0] { for b in [-1.0, 1.0] {
            p.append(Vector3(a, b, 0)); p.append(Vector3(a, 0, b)); p.append(Vector3(0, a, b))
        } }
        return ShellTemplate(.fcc, points: p.map { $0 / 2.0.squareRoot() }, anchorAngle: .pi / 3, orbits: [0])
    }()

    /// hcp: a hexagon in the basal plane and the same triangle above and below it.
    static let hcp: ShellTemplate = {
        var p: [Vector3] = []
        for k in 0..<6 { let t = Double(k) * .pi / 3; p.append(Vector3(cos(t), sin(t), 0)) }
        let h = (2.0 / 3).squareRoot(), r = 1 / 3.0.squareRoot()
        for z in [h, -h] { for k in 0..<3 { let t = .pi / 6 + Double(k) * 2 * .pi / 3; p.append(Vector3(r * cos(t), r * sin(t), z)) } }
        return ShellTemplate(.hcp, points: p, anchorAngle: .pi / 3, orbits: [0, 6])
    }()

    /// Icosahedron: the twelve vertices (0, ±1, ±φ) and their cyclic permutations.
    static let icosahedral: ShellTemplate = {
        let phi = (1 + 5.0.squareRoot()) / 2
        var p: [Vector3] = []
        for a in [-1.0, 1.0] { for b in [-phi, phi] {
            p.append(Vector3(0, a, b)); p.append(Vector3(a, b, 0)); p.append(Vector3(b, 0, a))
        } }
        let norm = (1 + phi * phi).squareRoot()
        return ShellTemplate(.icosahedral, points: p.map { $0 / norm }, anchorAngle: atan(2), orbits: [0])
    }()

    static let all = [fcc, hcp, icosahedral]
}

/// The orthonormal frame (e1 along a, e2 in the plane of a and b).
@inline(__always) func orthonormalFrame(_ a: Vector3, _ b: Vector3) -> (Vector3, Vector3, Vector3) {
    let e1 = a / a.length
    var e2 = b - b.dot(e1) * e1
    e2 /= e2.length
    return (e1, e2, cross(e1, e2))
}

@inline(__always) private func cross(_ a: Vector3, _ b: Vector3) -> Vector3 {
    Vector3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}

/// A rotation as three rows.
private struct Rows { var r0, r1, r2: Vector3
    @inline(__always) func apply(_ v: Vector3) -> Vector3 { Vector3(r0.dot(v), r1.dot(v), r2.dot(v)) }
}

/// The rotation taking frame `f` (of real vectors) onto frame `g` (of template vectors): G·Fᵀ.
@inline(__always) private func rotation(from f: (Vector3, Vector3, Vector3), to g: (Vector3, Vector3, Vector3)) -> Rows {
    func row(_ i: Int) -> Vector3 { g.0[i] * f.0 + g.1[i] * f.1 + g.2[i] * f.2 }
    return Rows(r0: row(0), r1: row(1), r2: row(2))
}

/// How far the rotated neighbour directions lie from their nearest template vertices,
/// Σ (1 − cos), each vertex free to be taken twice: a quick score of a candidate rotation.
@inline(__always) private func nearestCost(_ u: NeighborShell, _ R: Rows, _ t: ShellTemplate, bound: Double) -> Double {
    var cost = 0.0
    for k in 0..<ptmNeighborCount {
        if cost >= bound { return cost }   // already no better than the second best
        let v = R.apply(u[k])
        var best = -2.0
        for j in 0..<ptmNeighborCount { best = max(best, v.dot(t.points[j])) }
        cost += 1 - best
    }
    return cost
}

/// A one-to-one assignment of the rotated neighbour directions to template vertices, greedily
/// by closeness (the closest remaining pair first); its cost Σ (1 − cos).
@inline(__always) private func assign(_ u: NeighborShell, _ R: Rows, _ t: ShellTemplate, _ map: inout SIMD16<Int8>) -> Double {
    let n = ptmNeighborCount
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: n * n) { d in
        // Each direction to its nearest vertex; when that is one-to-one (the usual case for a
        // good rotation) it is also the greedy assignment.
        var used: UInt16 = 0, quick = 0.0
        for k in 0..<n {
            let v = R.apply(u[k])
            var best = -3.0, bj = 0
            for j in 0..<n { let x = v.dot(t.points[j]); d[k * n + j] = x; if x > best { best = x; bj = j } }
            used |= 1 << bj
            map[k] = Int8(bj)
            quick += 1 - best
        }
        if used.nonzeroBitCount == n { return quick }
        var rowsFree: UInt16 = (1 << n) - 1, colsFree: UInt16 = (1 << n) - 1, cost = 0.0
        for _ in 0..<n {
            var best = -3.0, bk = 0, bj = 0
            var rm = rowsFree
            while rm != 0 {
                let k = rm.trailingZeroBitCount; rm &= rm - 1
                var cm = colsFree
                while cm != 0 {
                    let j = cm.trailingZeroBitCount; cm &= cm - 1
                    if d[k * n + j] > best { best = d[k * n + j]; bk = k; bj = j }
                }
            }
            map[bk] = Int8(bj)
            rowsFree &= ~(1 << bk); colsFree &= ~(1 << bj)
            cost += 1 - best
        }
        return cost
    }
}

/// A 4×4 matrix as four rows, in fixed storage.
private struct Matrix4 {
    var r0, r1, r2, r3: SIMD4<Double>
    subscript(i: Int) -> SIMD4<Double> {
        get { switch i { case 0: return r0; case 1: return r1; case 2: return r2; default: return r3 } }
        set { switch i { case 0: r0 = newValue; case 1: r1 = newValue; case 2: r2 = newValue; default: r3 = newValue } }
    }
}

/// The largest eigenvalue and its unit eigenvector of Horn's matrix `N` (trace 0), the QCP way
/// (Theobald, Acta Cryst. A61, 478, 2005): Newton's method on the characteristic polynomial
/// λ⁴ + c₂λ² + c₁λ + c₀ from the upper bound `start`, then the eigenvector as the largest column
/// of the adjugate of N − λI. Falls back on ``SymmetricEigen`` where the eigenvalue is (nearly) repeated.
private func largestHornEigenpair(_ N: Matrix4, _ S: (Vector3, Vector3, Vector3), start: Double) -> (Double, SIMD4<Double>) {
    let c2 = -2 * ((S.0 * S.0).sum() + (S.1 * S.1).sum() + (S.2 * S.2).sum())
    let detS = S.0.x * (S.1.y * S.2.z - S.1.z * S.2.y) - S.0.y * (S.1.x * S.2.z - S.1.z * S.2.x) + S.0.z * (S.1.x * S.2.y - S.1.y * S.2.x)
    let c1 = -8 * detS
    let c0 = determinant4(N)
    var lambda = start
    for _ in 0..<50 {
        let l2 = lambda * lambda
        let f = (l2 + c2) * l2 + c1 * lambda + c0
        let df = 4 * l2 * lambda + 2 * c2 * lambda + c1
        guard df != 0 else { break }
        let next = lambda - f / df
        if abs(next - lambda) <= 1e-13 * max(1, abs(next)) { lambda = next; break }
        lambda = next
    }
    var M = N
    M.r0[0] -= lambda; M.r1[1] -= lambda; M.r2[2] -= lambda; M.r3[3] -= lambda
    // Columns of adj(M): adj[i][j] = (−1)^(i+j) · minor(j, i).
    var bestNorm = 0.0, best = SIMD4<Double>()
    for j in 0..<4 {
        var col = SIMD4<Double>()
        for i in 0..<4 {
            let m = minor3(M, skipRow: j, skipColumn: i)
            col[i] = ((i + j) % 2 == 0 ? 1 : -1) * m
        }
        let n = (col * col).sum()
        if n > bestNorm { bestNorm = n; best = col }
    }
    let scale = max(1e-300, abs(start))
    guard bestNorm.squareRoot() > 1e-9 * scale * scale * scale, lambda.isFinite else {
        let e = SymmetricEigen(symmetric: [N.r0, N.r1, N.r2, N.r3].flatMap { [$0[0], $0[1], $0[2], $0[3]] }, n: 4)
        let v = e.vectors[0]
        return (e.values[0], SIMD4(v[0], v[1], v[2], v[3]))
    }
    return (lambda, best / bestNorm.squareRoot())
}

/// The determinant of the 3×3 matrix left when row `r` and column `c` of `M` are removed.
@inline(__always) private func minor3(_ M: Matrix4, skipRow r: Int, skipColumn c: Int) -> Double {
    var m = (SIMD3<Double>(), SIMD3<Double>(), SIMD3<Double>())
    var row = 0
    for i in 0..<4 where i != r {
        let src = M[i]
        var v = SIMD3<Double>(), k = 0
        for j in 0..<4 where j != c { v[k] = src[j]; k += 1 }
        switch row { case 0: m.0 = v; case 1: m.1 = v; default: m.2 = v }
        row += 1
    }
    return m.0.x * (m.1.y * m.2.z - m.1.z * m.2.y) - m.0.y * (m.1.x * m.2.z - m.1.z * m.2.x) + m.0.z * (m.1.x * m.2.y - m.1.y * m.2.x)
}

/// The determinant of a 4×4 matrix (expansion along the first row).
@inline(__always) private func determinant4(_ M: Matrix4) -> Double {
    var d = 0.0
    for c in 0..<4 { d += (c % 2 == 0 ? 1 : -1) * M.r0[c] * minor3(M, skipRow: 0, skipColumn: c) }
    return d
}

/// Horn's quaternion matrix of H = Σ pᵢ qᵢᵀ; its largest eigenvalue is max_R Σ qᵢ·R pᵢ.
@inline(__always) private func hornMatrix(_ S: (Vector3, Vector3, Vector3)) -> Matrix4 {
    let (xx, xy, xz) = (S.0.x, S.0.y, S.0.z), (yx, yy, yz) = (S.1.x, S.1.y, S.1.z), (zx, zy, zz) = (S.2.x, S.2.y, S.2.z)
    return Matrix4(r0: SIMD4(xx + yy + zz, yz - zy, zx - xz, xy - yx),
                   r1: SIMD4(yz - zy, xx - yy - zz, xy + yx, zx + xz),
                   r2: SIMD4(zx - xz, xy + yx, -xx + yy - zz, yz + zy),
                   r3: SIMD4(xy - yx, zx + xz, yz + zy, -xx - yy + zz))
}

/// The rotation rows of the unit quaternion (w, x, y, z).
@inline(__always) private func rows(of q: SIMD4<Double>) -> Rows {
    let (w, x, y, z) = (q[0], q[1], q[2], q[3])
    return Rows(r0: Vector3(1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)),
                r1: Vector3(2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)),
                r2: Vector3(2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)))
}

/// The RMSD and rotation of the shell against template `t` under the assignment `map`.
private func fit(_ shell: NeighborShell, centroid c: Vector3, normP: Double, _ t: ShellTemplate, _ map: SIMD16<Int8>) -> (Double, SIMD4<Double>) {
    // H = Σ pᵢ qᵢᵀ; the central atom's q is 0 and adds nothing.
    var S: (Vector3, Vector3, Vector3) = (.zero, .zero, .zero)
    for k in 0..<ptmNeighborCount {
        let p = shell[k] - c, q = t.points[Int(map[k])]
        S.0 += p.x * q; S.1 += p.y * q; S.2 += p.z * q
    }
    let normQ = Double(ptmNeighborCount)   // twelve unit vectors and the centre at 0
    // E ≤ √(Σ|p|² Σ|q|²) (Cauchy–Schwarz): Newton starts above the largest eigenvalue.
    let (e, quat) = largestHornEigenpair(hornMatrix(S), S, start: (normP * normQ).squareRoot())
    let r2 = max(0, (normQ - e * e / normP) / Double(ptmNeighborCount + 1))
    return (r2.squareRoot(), quat)
}

/// The best template match of one shell of twelve neighbour vectors.
func matchShell(_ shell: NeighborShell, rmsdCutoff: Double, templates: [ShellTemplate] = ShellTemplate.all) -> TemplateMatch {
    var c = Vector3.zero
    for k in 0..<ptmNeighborCount { c += shell[k] }
    c /= Double(ptmNeighborCount + 1)
    var normP = c.lengthSquared   // the central atom, at −c after centring
    for k in 0..<ptmNeighborCount { normP += (shell[k] - c).lengthSquared }
    var u = NeighborShell()
    for k in 0..<ptmNeighborCount { u[k] = shell[k] / shell[k].length }
    var best = TemplateMatch(structure: .other, rmsd: .infinity, orientation: SIMD4(1, 0, 0, 0))
    for t in templates {
        // Candidate rotations: each of the two nearest neighbours, with its partner nearest the
        // anchor angle, put onto each template anchor pair. The two that put every direction
        // nearest a vertex are fitted in full.
        var first = (Double.infinity, Rows(r0: .zero, r1: .zero, r2: .zero)), second = first
        for a in 0..<2 {
            // A second anchor only where the first found no rotation putting every direction
            // within about 15° of a vertex (Σ(1 − cos) below 12 × 0.035).
            if a == 1 && first.0 < 0.4 { break }
            var b = -1, gap = Double.infinity
            for k in 0..<ptmNeighborCount where k != a {
                let g = abs(acos(max(-1, min(1, u[a].dot(u[k])))) - t.anchorAngle)
                if g < gap { gap = g; b = k }
            }
            let f = orthonormalFrame(u[a], u[b])
            for g in t.frames {
                let R = rotation(from: f, to: g)
                let cost = nearestCost(u, R, t, bound: second.0)
                if cost < first.0 { second = first; first = (cost, R) } else if cost < second.0 { second = (cost, R) }
            }
        }
        var rmsd = Double.infinity, quat = SIMD4<Double>(1, 0, 0, 0)
        for pass in 0..<2 {
            let candidate = pass == 0 ? first : second   // no array per atom and template
            guard candidate.0.isFinite else { continue }
            // The runner-up rotation matters only where the best one leaves the site unnamed.
            if pass == 1 && rmsd <= rmsdCutoff { break }
            var map = SIMD16<Int8>()
            _ = assign(u, candidate.1, t, &map)
            var (r, q) = fit(shell, centroid: c, normP: normP, t, map)
            // Refine: reassign under the best rotation until the assignment stands.
            for _ in 0..<4 {
                var next = SIMD16<Int8>()
                _ = assign(u, rows(of: q), t, &next)
                guard next != map else { break }
                let (r2, q2) = fit(shell, centroid: c, normP: normP, t, next)
                guard r2 < r else { break }
                (r, q, map) = (r2, q2, next)
            }
            if r < rmsd { (rmsd, quat) = (r, q) }
        }
        if rmsd < best.rmsd { best = TemplateMatch(structure: t.structure, rmsd: rmsd, orientation: quat) }
    }
    if best.rmsd > rmsdCutoff { best.structure = .other }
    return best
}

/// The smallest rotation angle (radians) between two fcc orientations, over the cube's 24
/// rotations: 2·acos of the largest |w| among the symmetric equivalents of q₁·q₂⁻¹, which for
/// the cubic group is the largest of |qᵢ|, (|q₀|+|q₁|+|q₂|+|q₃|)/2 and (|qᵢ|+|qⱼ|)/√2.
package func cubicMisorientation(_ q1: SIMD4<Double>, _ q2: SIMD4<Double>) -> Double {
    // q1 · conj(q2)
    let (a0, a1, a2, a3) = (q1[0], q1[1], q1[2], q1[3]), (b0, b1, b2, b3) = (q2[0], -q2[1], -q2[2], -q2[3])
    let r = SIMD4(a0 * b0 - a1 * b1 - a2 * b2 - a3 * b3,
                  a0 * b1 + a1 * b0 + a2 * b3 - a3 * b2,
                  a0 * b2 - a1 * b3 + a2 * b0 + a3 * b1,
                  a0 * b3 + a1 * b2 - a2 * b1 + a3 * b0)
    let m = SIMD4(abs(r[0]), abs(r[1]), abs(r[2]), abs(r[3]))
    var w = max(max(m[0], m[1]), max(m[2], m[3]))
    w = max(w, (m[0] + m[1] + m[2] + m[3]) / 2)
    for i in 0..<3 { for j in (i + 1)..<4 { w = max(w, (m[i] + m[j]) / 2.0.squareRoot()) } }
    return 2 * acos(min(1, w))
}
