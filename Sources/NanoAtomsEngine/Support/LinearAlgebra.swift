import Foundation

/// A point or direction in Å.
public typealias Vector3 = SIMD3<Double>

extension SIMD3 where Scalar == Double {
    /// The Euclidean length.
    @inlinable public var length: Double { (self * self).sum().squareRoot() }
    /// The squared Euclidean length.
    @inlinable public var lengthSquared: Double { (self * self).sum() }
    /// The dot product with `other`.
    @inlinable public func dot(_ other: Self) -> Double { (self * other).sum() }
}

/// A 3 × 3 matrix of doubles, stored by rows.
public struct Matrix3: Equatable, Sendable {
    /// The nine entries, row by row.
    public var m: [Double]

    /// A matrix from its rows.
    public init(rows r0: Vector3, _ r1: Vector3, _ r2: Vector3) {
        m = [r0.x, r0.y, r0.z, r1.x, r1.y, r1.z, r2.x, r2.y, r2.z]
    }
    /// A matrix from nine entries, row by row.
    public init(_ entries: [Double]) {
        precondition(entries.count == 9)
        m = entries
    }
    /// The identity.
    public static var identity: Matrix3 { Matrix3([1, 0, 0, 0, 1, 0, 0, 0, 1]) }
    /// A diagonal matrix.
    public static func diagonal(_ d: Vector3) -> Matrix3 { Matrix3([d.x, 0, 0, 0, d.y, 0, 0, 0, d.z]) }

    /// Entry at row `i`, column `j`.
    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { m[3 * i + j] }
        set { m[3 * i + j] = newValue }
    }
    /// Column `j` as a vector.
    public func column(_ j: Int) -> Vector3 { Vector3(m[j], m[3 + j], m[6 + j]) }
    /// Row `i` as a vector.
    public func row(_ i: Int) -> Vector3 { Vector3(m[3 * i], m[3 * i + 1], m[3 * i + 2]) }
    /// The transpose.
    public var transposed: Matrix3 { Matrix3(rows: column(0), column(1), column(2)) }
    /// The determinant.
    public var determinant: Double {
        m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
    }
    /// The inverse, or nil when the matrix is singular.
    public var inverse: Matrix3? {
        let d = determinant
        guard d != 0, d.isFinite else { return nil }
        let c = [
            m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
            m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
            m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3],
        ]
        return Matrix3(c.map { $0 / d })
    }
    /// Matrix times vector.
    public static func * (a: Matrix3, v: Vector3) -> Vector3 {
        Vector3(a.row(0).dot(v), a.row(1).dot(v), a.row(2).dot(v))
    }
    /// Matrix product.
    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        var r = [Double](repeating: 0, count: 9)
        for i in 0..<3 { for j in 0..<3 { for k in 0..<3 { r[3 * i + j] += a.m[3 * i + k] * b.m[3 * k + j] } } }
        return Matrix3(r)
    }
    /// Scalar product.
    public static func * (s: Double, a: Matrix3) -> Matrix3 { Matrix3(a.m.map { s * $0 }) }
}

/// Eigenvalues and eigenvectors of a small symmetric matrix (cyclic Jacobi rotations).
package struct SymmetricEigen: Sendable {
    /// Eigenvalues in descending order.
    package let values: [Double]
    /// Eigenvectors, `vectors[k]` belonging to `values[k]`, each of unit length.
    package let vectors: [[Double]]

    /// Decomposes the symmetric `n × n` matrix given row by row.
    package init(symmetric a: [Double], n: Int) {
        precondition(a.count == n * n)
        var A = a
        var V = [Double](repeating: 0, count: n * n)
        for i in 0..<n { V[i * n + i] = 1 }
        for _ in 0..<64 {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += A[p * n + q] * A[p * n + q] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = A[p * n + q]
                    if abs(apq) < 1e-300 { continue }
                    let theta = (A[q * n + q] - A[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot()
                    let s = t * c
                    for k in 0..<n {
                        let akp = A[k * n + p], akq = A[k * n + q]
                        A[k * n + p] = c * akp - s * akq
                        A[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = A[p * n + k], aqk = A[q * n + k]
                        A[p * n + k] = c * apk - s * aqk
                        A[q * n + k] = s * apk + c * aqk
                    }
                    for k in 0..<n {
                        let vkp = V[k * n + p], vkq = V[k * n + q]
                        V[k * n + p] = c * vkp - s * vkq
                        V[k * n + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        let order = (0..<n).sorted { A[$0 * n + $0] > A[$1 * n + $1] }
        values = order.map { A[$0 * n + $0] }
        vectors = order.map { j in (0..<n).map { V[$0 * n + j] } }
    }

    /// Decomposes a symmetric 3 × 3 matrix.
    package init(_ m: Matrix3) { self.init(symmetric: m.m, n: 3) }
}

/// Solves the small dense system `A x = b` (A given row by row) by Gaussian
/// elimination with partial pivoting; nil when A is singular or badly conditioned.
package func solveLinearSystem(_ a: [Double], _ b: [Double], n: Int) -> [Double]? {
    guard let solved = solveLinearSystems(a, b, n: n, columns: 1), solved.finite[0] else { return nil }
    return solved.x
}

/// Solves A X = B for `m` right-hand sides at once (B n × m, row by row), one elimination with
/// partial pivoting shared by all: column j gets exactly the operations a solve of that column
/// alone would. Nil when A is singular or badly conditioned; `finite[j]` says whether column j
/// of the solution is finite throughout.
private func solveLinearSystems(_ a: [Double], _ b: [Double], n: Int, columns m: Int) -> (x: [Double], finite: [Bool])? {
    var A = a, X = b
    var scale = 0.0
    for v in a { scale = max(scale, abs(v)) }
    guard scale > 0, scale.isFinite else { return nil }
    for col in 0..<n {
        var piv = col
        for r in (col + 1)..<max(col + 1, n) where abs(A[r * n + col]) > abs(A[piv * n + col]) { piv = r }
        if abs(A[piv * n + col]) <= 1e-13 * scale { return nil }
        if piv != col {
            for k in 0..<n { A.swapAt(col * n + k, piv * n + k) }
            for j in 0..<m { X.swapAt(col * m + j, piv * m + j) }
        }
        let d = A[col * n + col]
        for r in (col + 1)..<max(col + 1, n) {
            let f = A[r * n + col] / d
            if f == 0 { continue }
            for k in col..<n { A[r * n + k] -= f * A[col * n + k] }
            for j in 0..<m { X[r * m + j] -= f * X[col * m + j] }
        }
    }
    var finite = [Bool](repeating: true, count: m)
    for j in 0..<m {
        for r in stride(from: n - 1, through: 0, by: -1) {
            var s = X[r * m + j]
            for k in (r + 1)..<max(r + 1, n) { s -= A[r * n + k] * X[k * m + j] }
            X[r * m + j] = s / A[r * n + r]
            if !X[r * m + j].isFinite { finite[j] = false }
        }
    }
    return (X, finite)
}

/// The diagonal of A⁻¹ (A given row by row, n × n): entry j is what
/// `solveLinearSystem(a, eⱼ, n: n)?[j]` gives, by the same operations (one elimination shared
/// by the n right-hand sides), and NaN where that is nil. Standard errors need only this
/// diagonal, for every atom in every sweep.
package func inverseDiagonal(_ a: [Double], n: Int) -> [Double] {
    precondition(a.count == n * n)
    var identity = [Double](repeating: 0, count: n * n)
    for j in 0..<n { identity[j * n + j] = 1 }
    guard let solved = solveLinearSystems(a, identity, n: n, columns: n) else { return [Double](repeating: .nan, count: n) }
    return (0..<n).map { solved.finite[$0] ? solved.x[$0 * n + $0] : .nan }
}
