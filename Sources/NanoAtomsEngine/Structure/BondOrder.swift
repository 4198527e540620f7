import Foundation

/// Steinhardt bond-orientational order of every atom (Steinhardt, Nelson & Ronchetti, PRB 28,
/// 784, 1983) and the crystalline bonds of ten Wolde, Ruiz-Montero & Frenkel (JCP 104, 9932, 1996).
package struct BondOrder: Sendable {
    /// q₄ of each atom (NaN without neighbours). Ideal values: fcc 0.191, hcp 0.097, icosahedral 0.
    package let q4: [Double]
    /// q₆ of each atom. Ideal values: fcc 0.575, hcp 0.485, icosahedral 0.663.
    package let q6: [Double]
    /// How many of each atom's bonds are crystalline: q̂₆(i)·q̂₆(j)* above ``crystallineBondThreshold``.
    package let crystallineBonds: [Int]

    /// A bond is crystalline when the normalised q₆ vectors of its two atoms have a dot
    /// product above this (ten Wolde et al. 1996).
    package static let crystallineBondThreshold = 0.5
    /// An atom with at least this many crystalline bonds is solid-like (ten Wolde et al. 1996:
    /// 7 of the 12 bonds of a close-packed site; liquid atoms have 0–4).
    package static let solidLikeBonds = 7

    /// The order of atoms at `positions` with the neighbour lists `neighbors` (the CN
    /// neighbours: the first shell).
    package init(_ positions: [Vector3], neighbors: [[Int]]) {
        let n = positions.count
        // q_lm for m = 0…l (negative m follow from q_l,−m = (−1)^m q̄_lm), per atom.
        var q4m = [[(Double, Double)]](repeating: [], count: n), q6m = q4m
        var q4 = [Double](repeating: .nan, count: n), q6 = q4
        for i in 0..<n where !neighbors[i].isEmpty {
            var s4 = [(Double, Double)](repeating: (0, 0), count: 5), s6 = [(Double, Double)](repeating: (0, 0), count: 7)
            for j in neighbors[i] {
                let d = positions[j] - positions[i]
                let len = d.length
                guard len > 0 else { continue }
                accumulate(&s4, l: 4, unit: d / len)
                accumulate(&s6, l: 6, unit: d / len)
            }
            let k = Double(neighbors[i].count)
            s4 = s4.map { ($0.0 / k, $0.1 / k) }; s6 = s6.map { ($0.0 / k, $0.1 / k) }
            q4m[i] = s4; q6m[i] = s6
            q4[i] = (4 * Double.pi / 9 * norm2(s4)).squareRoot()
            q6[i] = (4 * Double.pi / 13 * norm2(s6)).squareRoot()
        }
        var bonds = [Int](repeating: 0, count: n)
        for i in 0..<n where !q6m[i].isEmpty {
            let ni = norm2(q6m[i]).squareRoot()
            for j in neighbors[i] where !q6m[j].isEmpty {
                let nj = norm2(q6m[j]).squareRoot()
                guard ni > 0, nj > 0 else { continue }
                if dot(q6m[i], q6m[j]) / (ni * nj) > Self.crystallineBondThreshold { bonds[i] += 1 }
            }
        }
        self.q4 = q4
        self.q6 = q6
        crystallineBonds = bonds
    }

    /// The atoms with at least ``solidLikeBonds`` crystalline bonds.
    package var solidLikeCount: Int { crystallineBonds.filter { $0 >= Self.solidLikeBonds }.count }
}

/// Σ over m = −l…l of |q_lm|², from m ≥ 0 only.
private func norm2(_ q: [(Double, Double)]) -> Double {
    var s = q[0].0 * q[0].0 + q[0].1 * q[0].1
    for m in 1..<q.count { s += 2 * (q[m].0 * q[m].0 + q[m].1 * q[m].1) }
    return s
}

/// Re Σ over m = −l…l of q_lm(i) q̄_lm(j), from m ≥ 0 only.
private func dot(_ a: [(Double, Double)], _ b: [(Double, Double)]) -> Double {
    var s = a[0].0 * b[0].0 + a[0].1 * b[0].1
    for m in 1..<a.count { s += 2 * (a[m].0 * b[m].0 + a[m].1 * b[m].1) }
    return s
}

/// N_lm = √((2l + 1)/(4π) · (l − m)!/(l + m)!) for m = 0…l.
private func normalization(_ l: Int) -> [Double] {
    (0...l).map { m in
        var ratio = 1.0
        if m > 0 { for k in (l - m + 1)...(l + m) { ratio /= Double(k) } }
        return (Double(2 * l + 1) / (4 * Double.pi) * ratio).squareRoot()
    }
}
private let normalization4 = normalization(4)
private let normalization6 = normalization(6)

/// Adds Y_lm(θ, φ) for m = 0…l to `sum` (orthonormal spherical harmonics, Condon–Shortley
/// phase), for the unit bond u: cos θ = u_z, and e^{imφ} by powers of (u_x + i u_y)/sin θ, so
/// no trigonometric call is made.
private func accumulate(_ sum: inout [(Double, Double)], l: Int, unit u: Vector3) {
    let x = u.z
    let sinTheta = max(0, 1 - x * x).squareRoot()
    let (c1, s1) = sinTheta > 1e-12 ? (u.x / sinTheta, u.y / sinTheta) : (1.0, 0.0)
    let norm = l == 4 ? normalization4 : normalization6
    var cm = 1.0, sm = 0.0          // cos mφ, sin mφ
    var pmm = 1.0                   // P_m^m(x)
    for m in 0...l {
        if m > 0 {
            pmm *= -Double(2 * m - 1) * sinTheta
            (cm, sm) = (cm * c1 - sm * s1, sm * c1 + cm * s1)
        }
        // P_l^m(x) by the upward recursion in l from P_m^m.
        var p = pmm
        if l > m {
            var pm2 = pmm, pm1 = x * Double(2 * m + 1) * pmm
            p = pm1
            if l > m + 1 {
                for ll in (m + 2)...l {
                    p = (x * Double(2 * ll - 1) * pm1 - Double(ll + m - 1) * pm2) / Double(ll - m)
                    pm2 = pm1; pm1 = p
                }
            }
        }
        sum[m].0 += norm[m] * p * cm
        sum[m].1 += norm[m] * p * sm
    }
}
