import Foundation

/// How the generalized coordination number is normalised.
public enum GCNNormalization: String, Sendable {
    /// Σ CN_k / 12, the usual definition (Calle-Vallejo et al. 2015; bulk fcc CN = 12).
    case bulk
    /// Σ CN_k / max CN_k over the atom's neighbours: the paper's text, read literally.
    case maximumOfNeighbors = "neighbors"
}

/// The bulk fcc coordination number, the usual GCN normaliser.
public let bulkFCCCoordination = 12

/// The neighbours of every atom strictly closer than `radius` Å.
public func neighborLists(_ positions: [Vector3], radius: Double) -> [[Int]] {
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    let r2 = radius * radius
    return positions.indices.map { i in
        var out: [Int] = []
        grid.forEachNeighbor(of: positions[i], within: radius) { j, d2 in if j != i && d2 < r2 { out.append(j) } }
        return out
    }
}

/// Generalized coordination numbers from each atom's neighbours and their CNs.
public func generalizedCoordination(neighbors: [[Int]], normalization: GCNNormalization = .bulk) -> [Double] {
    let cn = neighbors.map(\.count)
    return neighbors.map { list in
        let s = Double(list.map { cn[$0] }.reduce(0, +))
        switch normalization {
        case .bulk: return s / Double(bulkFCCCoordination)
        case .maximumOfNeighbors:
            let m = list.map { cn[$0] }.max() ?? 0
            return m > 0 ? s / Double(m) : 0
        }
    }
}

/// Distance from each atom to its nearest other atom, Å: the paper's "NN bond length".
/// A minimum over about twelve noisy distances, it is biased low by position noise.
public func nearestNeighborDistances(_ positions: [Vector3], maximum: Double = 6) -> [Double] {
    let grid = NeighborGrid(points: positions, maximumRadius: maximum)
    return positions.indices.map { grid.nearestDistance(from: $0, within: maximum) ?? .nan }
}

/// The median distance from each atom to its neighbours within `radius` Å (NaN with none):
/// a bond length that position noise does not bias low the way the minimum is.
public func medianNeighborDistances(_ positions: [Vector3], radius: Double) -> [Double] {
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    return positions.indices.map { i in
        var d: [Double] = []
        grid.forEachNeighbor(of: positions[i], within: radius) { j, d2 in if j != i { d.append(d2.squareRoot()) } }
        return median(d)
    }
}

/// The largest distance between two atoms, Å (the paper's particle diameter).
public func maximumPairDistance(_ positions: [Vector3]) -> Double {
    guard positions.count > 1 else { return 0 }
    // Only atoms far from the centroid can realise the maximum: check the outer shell first.
    let c = positions.reduce(.zero, +) / Double(positions.count)
    let r = positions.map { ($0 - c).length }
    let order = positions.indices.sorted { r[$0] > r[$1] }
    var best = 0.0
    for (n, i) in order.enumerated() {
        if 2 * r[i] <= best { break }             // no pair involving i or later atoms can beat best
        for j in order[(n + 1)...] {
            if r[i] + r[j] <= best { break }
            best = max(best, (positions[i] - positions[j]).length)
        }
    }
    return best
}

/// Radial depth of each atom, R_NP − R: R_NP is half the largest interatomic distance and
/// R the distance from the centroid (paper, "Solvent penetration depth analysis").
public func radialDepths(_ positions: [Vector3]) -> [Double] {
    guard !positions.isEmpty else { return [] }
    let c = positions.reduce(.zero, +) / Double(positions.count)
    let rNP = maximumPairDistance(positions) / 2
    return positions.map { rNP - ($0 - c).length }
}

/// Width of the Gaussian weight of the local displacement-gradient fit, Å. The authors'
/// code smooths the displacement field with the same h = 2 Å.
public let strainKernelWidth = 2.0

/// Radial strain ε_RR = ∂u_R/∂R of each atom, as a fraction (0.015 = 1.5 %).
///
/// The paper gives only the definition ε_RR = ∂u_R/∂R. Here u = x − x_ideal, with x_ideal
/// the site the lattice fit assigned to the atom on a *bulk* lattice (the element's bulk
/// constant) with the fitted orientation and origin; the displacement gradient G = ∂u/∂X
/// with respect to the ideal (reference) positions X is a Gaussian-weighted (h = 2 Å)
/// linear fit of u over the atom's neighbours within 3h;
/// and ε_RR = r̂ᵀ G r̂ with r̂ the unit vector from the centroid. A lattice expanded
/// uniformly by e over bulk gives ε_RR = e for every atom. NaN without an fcc fit, for an
/// atom within 0.5 Å of the centroid, or with fewer than 5 neighbours.
///
/// `centre` is the particle's centre for r̂ (default: the centroid of `positions`; a grain's
/// strain is radial about the particle's centre, not the grain's).
public func radialStrains(_ positions: [Vector3], lattice: LatticeFit, bulkLatticeConstant: Double, centre given: Vector3? = nil) -> [Double] {
    if lattice.method == .grainLeastSquares {
        // Each grain's atoms against its own lattice; atoms in no fitted grain have none.
        var out = [Double](repeating: .nan, count: positions.count)
        let centre = given ?? positions.reduce(.zero, +) / Double(max(1, positions.count))
        for g in lattice.grains {
            let e = radialStrains(g.atoms.map { positions[$0] }, lattice: g.fit, bulkLatticeConstant: bulkLatticeConstant, centre: centre)
            for (k, i) in g.atoms.enumerated() { out[i] = e[k] }
        }
        return out
    }
    guard let sites = lattice.sites, let rotation = lattice.orientation, let origin = lattice.origin,
          sites.count == positions.count else {
        return positions.map { _ in .nan }
    }
    let ideal = sites.map { origin + rotation * (Vector3(Double($0.x), Double($0.y), Double($0.z)) * (bulkLatticeConstant / 2)) }
    let u = zip(positions, ideal).map { $0 - $1 }
    let centre = given ?? positions.reduce(.zero, +) / Double(positions.count)
    let h = strainKernelWidth, reach = 3 * h
    let grid = NeighborGrid(points: ideal, maximumRadius: reach)
    return positions.indices.map { i in
        // Weighted least squares for u(x) ≈ u₀ + G (x − xᵢ), one row per neighbour: the
        // rows of A and the three right-hand sides kept as SIMD4 sums (no array per neighbour).
        var a0 = SIMD4<Double>(), a1 = SIMD4<Double>(), a2 = SIMD4<Double>(), a3 = SIMD4<Double>()
        var b0 = SIMD4<Double>(), b1 = SIMD4<Double>(), b2 = SIMD4<Double>()
        var count = 0
        grid.forEachNeighbor(of: ideal[i], within: reach) { j, d2 in
            let w = exp(-d2 / (2 * h * h))
            let d = ideal[j] - ideal[i]
            let row = SIMD4<Double>(1, d.x, d.y, d.z)
            let wr = w * row
            a0 += wr[0] * row; a1 += wr[1] * row; a2 += wr[2] * row; a3 += wr[3] * row
            b0 += wr * u[j].x; b1 += wr * u[j].y; b2 += wr * u[j].z
            count += 1
        }
        let A = [a0, a1, a2, a3].flatMap { [$0[0], $0[1], $0[2], $0[3]] }
        let B = [b0, b1, b2].map { [$0[0], $0[1], $0[2], $0[3]] }
        let r = positions[i] - centre
        guard count >= 5, r.length >= 0.5 else { return .nan }
        var G = Matrix3([0, 0, 0, 0, 0, 0, 0, 0, 0])
        for c in 0..<3 {
            guard let beta = solveLinearSystem(A, B[c], n: 4) else { return .nan }
            for k in 0..<3 { G[c, k] = beta[k + 1] }        // ∂u_c/∂x_k
        }
        let rhat = r / r.length
        return rhat.dot(G * rhat)
    }
}
