import Foundation

/// How the generalized coordination number is normalised.
public enum GCNNormalization: String, Sendable {
    /// Σ CN_k / 12, the usual definition (Calle-Vallejo et al. 2015; bulk fcc CN = 12).
    case bulk
    /// Σ CN_k / max CN_k over the atom's neighbours: the paper's text, read literally.
    case maximumOfNeighbors = "neighbors"
}

/// The bulk fcc coordination number, the usual GCN normaliser.
package let bulkFCCCoordination = 12

/// The neighbours of every atom strictly closer than `radius` Å.
package func neighborLists(_ positions: [Vector3], radius: Double) -> [[Int]] {
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    let r2 = radius * radius
    return positions.indices.map { i in
        var out: [Int] = []
        grid.forEachNeighbor(of: positions[i], within: radius) { j, d2 in if j != i && d2 < r2 { out.append(j) } }
        return out
    }
}

/// Generalized coordination numbers from each atom's neighbours and their CNs.
package func generalizedCoordination(neighbors: [[Int]], normalization: GCNNormalization = .bulk) -> [Double] {
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
package func nearestNeighborDistances(_ positions: [Vector3], maximum: Double = 6) -> [Double] {
    let grid = NeighborGrid(points: positions, maximumRadius: maximum)
    return positions.indices.map { grid.nearestDistance(from: $0, within: maximum) ?? .nan }
}

/// The median distance from each atom to its neighbours within `radius` Å (NaN with none):
/// a bond length that position noise does not bias low the way the minimum is.
package func medianNeighborDistances(_ positions: [Vector3], radius: Double) -> [Double] {
    let grid = NeighborGrid(points: positions, maximumRadius: radius)
    return positions.indices.map { i in
        var d: [Double] = []
        grid.forEachNeighbor(of: positions[i], within: radius) { j, d2 in if j != i { d.append(d2.squareRoot()) } }
        return median(d)
    }
}

/// The largest distance between two atoms, Å (the paper's particle diameter).
package func maximumPairDistance(_ positions: [Vector3]) -> Double {
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
package func radialDepths(_ positions: [Vector3]) -> [Double] {
    guard !positions.isEmpty else { return [] }
    let c = positions.reduce(.zero, +) / Double(positions.count)
    let rNP = maximumPairDistance(positions) / 2
    return positions.map { rNP - ($0 - c).length }
}

/// Width of the Gaussian weight of the local displacement-gradient fit, Å. The authors'
/// code smooths the displacement field with the same h = 2 Å.
package let strainKernelWidth = 2.0

/// Radial strain ε_RR = r̂ᵀ ε r̂ of each atom, as a fraction (0.015 = 1.5 %), from the strain
/// tensors of ``strainTensors(_:lattice:bulkLatticeConstant:)``, r̂ the unit vector from
/// `centre` (default: the centroid). The paper gives only the definition ε_RR = ∂u_R/∂R; for a
/// symmetric ε the two agree. NaN where the tensor is, or within 0.5 Å of the centre.
package func radialStrains(_ positions: [Vector3], lattice: LatticeFit, bulkLatticeConstant: Double, centre given: Vector3? = nil) -> [Double] {
    radialStrains(positions, tensors: strainTensors(positions, lattice: lattice, bulkLatticeConstant: bulkLatticeConstant), centre: given)
}

/// ε_RR = r̂ᵀ ε r̂ from tensors already computed.
package func radialStrains(_ positions: [Vector3], tensors: [Matrix3?], centre given: Vector3? = nil) -> [Double] {
    let centre = given ?? positions.reduce(.zero, +) / Double(max(1, positions.count))
    return zip(positions, tensors).map { p, e in
        let r = p - centre
        guard let e, r.length >= 0.5 else { return .nan }
        let rhat = r / r.length
        return rhat.dot(e * rhat)
    }
}

/// The small-strain tensor ε = (G + Gᵀ)/2 of each atom, against the ideal bulk lattice.
///
/// u = x − x_ideal, with x_ideal the site the lattice fit assigned to the atom on a *bulk*
/// lattice (the element's bulk constant) with the fitted orientation and origin: the local
/// ideal template. The displacement gradient G = ∂u/∂X with respect to the ideal positions X
/// is a Gaussian-weighted (h = 2 Å) linear fit of u over the atom's neighbours within 3h. A
/// lattice expanded uniformly by e over bulk gives ε = e·I for every atom. For a particle of
/// grains, each grain's atoms against that grain's lattice (neighbours within the grain).
/// nil without a fitted lattice, for positions other than those the lattice was fitted to, or
/// with fewer than 5 neighbours.
package func strainTensors(_ positions: [Vector3], lattice: LatticeFit, bulkLatticeConstant: Double) -> [Matrix3?] {
    // Sites and grains index the positions the lattice was fitted to: no others.
    guard lattice.fittedPositions == positions else { return positions.map { _ in nil } }
    if lattice.method == .grainLeastSquares {
        var out = [Matrix3?](repeating: nil, count: positions.count)
        for g in lattice.grains {
            let e = strainTensors(g.atoms.map { positions[$0] }, lattice: g.fit, bulkLatticeConstant: bulkLatticeConstant)
            for (k, i) in g.atoms.enumerated() { out[i] = e[k] }
        }
        return out
    }
    guard let sites = lattice.sites, let rotation = lattice.orientation, let origin = lattice.origin,
          sites.count == positions.count else {
        return positions.map { _ in nil }
    }
    let ideal = sites.map { origin + rotation * (Vector3(Double($0.x), Double($0.y), Double($0.z)) * (bulkLatticeConstant / 2)) }
    let u = zip(positions, ideal).map { $0 - $1 }
    let h = strainKernelWidth, reach = 3 * h
    let grid = NeighborGrid(points: ideal, maximumRadius: reach)
    return positions.indices.map { i -> Matrix3? in
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
        guard count >= 5 else { return nil }
        let A = [a0, a1, a2, a3].flatMap { [$0[0], $0[1], $0[2], $0[3]] }
        let B = [b0, b1, b2].map { [$0[0], $0[1], $0[2], $0[3]] }
        var G = Matrix3([0, 0, 0, 0, 0, 0, 0, 0, 0])
        for c in 0..<3 {
            guard let beta = solveLinearSystem(A, B[c], n: 4) else { return nil }
            for k in 0..<3 { G[c, k] = beta[k + 1] }        // ∂u_c/∂x_k
        }
        var e = G
        for p in 0..<3 { for q in 0..<3 { e[p, q] = 0.5 * (G[p, q] + G[q, p]) } }
        return e
    }
}
