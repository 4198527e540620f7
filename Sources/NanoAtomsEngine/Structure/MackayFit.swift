import Foundation

/// A Mackay icosahedron fitted to a particle's atoms: its centre, orientation and shell
/// spacing.
///
/// A Mackay icosahedron (Mackay, Acta Cryst. 15, 916, 1962) is twenty fcc tetrahedra sharing a
/// vertex. Its sites in shell k are the points d·(i·v_a + j·v_b + l·v_c), i + j + l = k,
/// i, j, l ≥ 0, over the twenty faces (a, b, c) of the icosahedron whose unit vertex vectors
/// are v: the atoms along the twelve five-fold axes lie d apart, and the bonds within a shell
/// are 1.0515 d. No single fcc lattice holds such a particle, and its tetrahedra are too small
/// for lattices of their own, so its lattice constant is read from d: the five-fold axes are
/// fcc ⟨110⟩ bonds, a = √2 d (the convention that builds these particles, e.g. ASE's
/// `Icosahedron(latticeconstant:)`). √2 × the mean first-shell bond, by contrast, lies 2.5 %
/// above it, because two thirds of the bonds are the longer in-shell ones.
public struct MackayFit: Sendable {
    /// The centre of the icosahedron, Å.
    public let centre: Vector3
    /// The rotation taking the template's vertices (the (0, ±1, ±φ) family) into the lab frame.
    public let rotation: Matrix3
    /// d, the spacing of the shells along the five-fold axes, Å.
    public let shellSpacing: Double
    /// RMS distance of the atoms from their sites, Å.
    public let rmsResidual: Double
    /// The fraction of atoms within a_bulk / 6 of their sites.
    public let inlierFraction: Double
    /// Each atom's shell (0 for the centre).
    public let shells: [Int]

    /// The lattice constant the shell spacing implies: √2 d.
    public var latticeConstant: Double { 2.0.squareRoot() * shellSpacing }

    /// Fits a Mackay icosahedron to `positions`, started from the point `start` (an atom PTM
    /// called icosahedral, or the centroid where the centre is vacant) and the atoms of the first
    /// shell around it; nil when fewer than ``minimumShellAtoms`` lie in that shell or a fit is
    /// degenerate.
    ///
    /// The orientation comes from the first shell (its nearest atom and the one nearest 63.4°
    /// from it onto a template vertex pair, then every shell atom onto its nearest vertex), the
    /// spacing from the shell's median radius; then each atom is given its nearest site, and
    /// centre, rotation and spacing are refitted together as a similarity transform (Umeyama's
    /// closed form), until the sites stand.
    public static func fit(_ positions: [Vector3], start origin: Vector3, bulkLatticeConstant bulk: Double) -> MackayFit? {
        let bulkBond = bulk / 2.0.squareRoot()
        // The first shell: atoms 0.5–1.25 bulk bonds from the start (the centre atom, when
        // there is one, is nearer; the second shell is √2 bonds out).
        let shell = positions.map { $0 - origin }
            .filter { $0.length > 0.5 * bulkBond && $0.length < 1.25 * bulkBond }
            .sorted { $0.lengthSquared < $1.lengthSquared }
        guard shell.count >= minimumShellAtoms else { return nil }
        let units = shell.map { $0 / $0.length }
        let first = units[0]
        /// How far the angle between two unit vectors is from the anchor angle, atan 2 = 63.4°.
        func offAnchor(_ a: Vector3, _ b: Vector3) -> Double { abs(acos(max(-1, min(1, a.dot(b)))) - atan(2)) }
        guard let partner = units.dropFirst().min(by: { offAnchor($0, first) < offAnchor($1, first) }) else { return nil }
        let v = ShellTemplate.icosahedral.points
        guard let k = v.indices.dropFirst().first(where: { offAnchor(v[0], v[$0]) < 0.01 }) else { return nil }
        // Lab frame ← template frame, from the two anchor pairs' orthonormal frames.
        let lab = orthonormalFrame(first, partner), template = orthonormalFrame(v[0], v[k])
        var rotation = Matrix3(rows: lab.0, lab.1, lab.2).transposed * Matrix3(rows: template.0, template.1, template.2)
        // Refine the rotation on the whole shell before any site beyond it is assigned.
        var src: [Vector3] = [], dst: [Vector3] = []
        for u in units {
            let t = rotation.transposed * u
            let nearest = v.max { $0.dot(t) < $1.dot(t) }!
            src.append(nearest); dst.append(u)
        }
        if let r = bestRotation(from: src, to: dst) { rotation = r }
        let radii = shell.map(\.length).sorted()
        var d = radii[radii.count / 2], centre = origin
        var sites = [Vector3](repeating: .zero, count: positions.count), shells = [Int](repeating: 0, count: positions.count)
        for _ in 0..<mackayIterations {
            let inverse = rotation.transposed
            for (i, p) in positions.enumerated() {
                (sites[i], shells[i]) = nearestMackaySite(inverse * (p - centre) / d)
            }
            guard let s = similarityFit(from: sites, to: positions) else { return nil }
            let moved = abs(s.scale - d) + (s.translation - centre).length
            (rotation, d, centre) = (s.rotation, s.scale, s.translation)
            if moved < 1e-6 * d { break }
        }
        var ss = 0.0, inliers = 0
        let inverse = rotation.transposed
        for (i, p) in positions.enumerated() {
            (sites[i], shells[i]) = nearestMackaySite(inverse * (p - centre) / d)
            let r = (p - (centre + d * (rotation * sites[i]))).length
            ss += r * r
            if r < LatticeFit.inlierDistanceFraction * bulk { inliers += 1 }
        }
        guard d > 0, d.isFinite else { return nil }
        return MackayFit(centre: centre, rotation: rotation, shellSpacing: d,
                         rmsResidual: (ss / Double(max(1, positions.count))).squareRoot(),
                         inlierFraction: Double(inliers) / Double(max(1, positions.count)), shells: shells)
    }

    /// The fewest first-shell atoms a start needs: two anchor the orientation, the others
    /// confirm it (a vacant vertex or two still leaves ten of twelve).
    static let minimumShellAtoms = 6

    /// Alternations of site assignment and similarity fit (each takes a few milliseconds for a
    /// thousand atoms; the sites stand after two or three).
    static let mackayIterations = 8

    /// The twenty faces of the template icosahedron: vertex indices, the inverse of the face's
    /// vertex matrix (to read a point's coefficients i, j, l) and the direction of its centre.
    static let faces: [(a: Int, b: Int, c: Int, inverse: Matrix3, centre: Vector3)] = {
        let v = ShellTemplate.icosahedral.points
        let edge = (v[0] - v.dropFirst().min { ($0 - v[0]).length < ($1 - v[0]).length }!).length
        var out: [(a: Int, b: Int, c: Int, inverse: Matrix3, centre: Vector3)] = []
        for a in v.indices { for b in (a + 1)..<v.count { for c in (b + 1)..<v.count {
            guard abs((v[a] - v[b]).length - edge) < 1e-9, abs((v[a] - v[c]).length - edge) < 1e-9,
                  abs((v[b] - v[c]).length - edge) < 1e-9 else { continue }
            // Columns v_a, v_b, v_c.
            let m = Matrix3(rows: v[a], v[b], v[c]).transposed
            let centre = v[a] + v[b] + v[c]
            out.append((a, b, c, m.inverse!, centre / centre.length))
        } } }
        return out
    }()
}

/// The nearest Mackay site to `u` (template frame, in units of the shell spacing), and its
/// shell: the site of the three faces whose cones `u` lies nearest, of the corners of the
/// integer cell around its coefficients there (a site just over a face's edge belongs to the
/// neighbouring face).
func nearestMackaySite(_ u: Vector3) -> (Vector3, Int) {
    let v = ShellTemplate.icosahedral.points
    let faces = MackayFit.faces
    // The three faces whose centres point nearest u's direction, kept in order without an array.
    var t0 = (-Double.infinity, 0), t1 = t0, t2 = t0
    for f in faces.indices {
        let c = faces[f].centre.dot(u)
        if c > t0.0 { (t2, t1, t0) = (t1, t0, (c, f)) }
        else if c > t1.0 { (t2, t1) = (t1, (c, f)) }
        else if c > t2.0 { t2 = (c, f) }
    }
    var best = Vector3.zero, bestShell = 0, bestDistance = u.lengthSquared
    for f in [t0.1, t1.1, t2.1] {
        let face = faces[f]
        let coefficients = face.inverse * u
        let low = SIMD3<Int>(Int(coefficients.x.rounded(.down)), Int(coefficients.y.rounded(.down)), Int(coefficients.z.rounded(.down)))
        for corner in 0..<8 {
            let n = low &+ SIMD3<Int>(corner & 1, (corner >> 1) & 1, (corner >> 2) & 1)
            guard n.x >= 0, n.y >= 0, n.z >= 0 else { continue }
            let site = Double(n.x) * v[face.a] + Double(n.y) * v[face.b] + Double(n.z) * v[face.c]
            let e = (site - u).lengthSquared
            if e < bestDistance { bestDistance = e; best = site; bestShell = n.x + n.y + n.z }
        }
    }
    return (best, bestShell)
}

/// The similarity transform x ≈ t + s·R·m minimising Σ|xᵢ − (t + s R mᵢ)|² (Umeyama, IEEE
/// TPAMI 13, 376, 1991): R by Horn's method on the centred pairs, s and t in closed form.
func similarityFit(from m: [Vector3], to x: [Vector3]) -> (rotation: Matrix3, scale: Double, translation: Vector3)? {
    guard m.count == x.count, m.count >= 3 else { return nil }
    let n = Double(m.count)
    let mc = m.reduce(.zero, +) / n, xc = x.reduce(.zero, +) / n
    let a = m.map { $0 - mc }, b = x.map { $0 - xc }
    guard let R = bestRotation(from: a, to: b) else { return nil }
    var num = 0.0, den = 0.0
    for (p, q) in zip(a, b) { num += q.dot(R * p); den += p.lengthSquared }
    guard den > 0, num > 0 else { return nil }
    let s = num / den
    return (R, s, xc - s * (R * mc))
}
