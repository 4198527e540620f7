import Foundation
import Testing
@testable import NanoAtomsEngine

@Suite("Small dense linear algebra")
struct LinearAlgebraTests {
    @Test("the inverse's diagonal of a 2 × 2 matrix, by hand")
    func twoByTwo() {
        // [[4, 1], [2, 3]]⁻¹ = [[3, −1], [−2, 4]] / 10.
        let d = inverseDiagonal([4, 1, 2, 3], n: 2)
        #expect(abs(d[0] - 0.3) < 1e-15 && abs(d[1] - 0.4) < 1e-15)
    }

    @Test("the inverse's diagonal is what solving for each unit vector gives, bit for bit")
    func agreesWithSolving() {
        var g = SeededGenerator(seed: 7)
        for _ in 0..<50 {
            // A symmetric positive definite 5 × 5 matrix (BᵀB + I), some rows needing a pivot.
            let b = (0..<25).map { _ in Double.random(in: -1...1, using: &g) }
            var a = [Double](repeating: 0, count: 25)
            for i in 0..<5 { for j in 0..<5 { for k in 0..<5 { a[i * 5 + j] += b[k * 5 + i] * b[k * 5 + j] } } ; a[i * 6] += 1 }
            let d = inverseDiagonal(a, n: 5)
            for j in 0..<5 {
                var e = [Double](repeating: 0, count: 5); e[j] = 1
                #expect(d[j] == solveLinearSystem(a, e, n: 5)![j])
            }
        }
    }

    @Test("a singular matrix has no inverse: every entry is NaN")
    func singular() {
        #expect(inverseDiagonal([1, 2, 2, 4], n: 2).allSatisfy { $0.isNaN })
        #expect(inverseDiagonal([0, 0, 0, 0], n: 2).allSatisfy { $0.isNaN })
        #expect(inverseDiagonal([1, .nan, 0, 1], n: 2).allSatisfy { $0.isNaN })
    }
}

@Suite("Medians by selection")
struct MedianTests {
    @Test("the median by selection is the sorted middle (or the mean of the two middle ones), on odd, even and tied arrays")
    func agreesWithSorting() {
        var g = SeededGenerator(seed: 11)
        for count in [1, 2, 63, 64, 65, 1000, 1001, 5000] {
            for tied in [false, true] {
                let values = (0..<count).map { _ in tied ? Double(Int.random(in: 0..<7, using: &g)) : Double.random(in: -5...5, using: &g) }
                let s = values.sorted()
                let expected = count % 2 == 1 ? s[count / 2] : 0.5 * (s[count / 2 - 1] + s[count / 2])
                #expect(median(values) == expected, "count \(count), tied \(tied)")
            }
        }
        #expect(median([]).isNaN)
        // 3, 1, 2, 10: the middle two are 2 and 3.
        #expect(median([3, 1, 2, 10] + [Double](repeating: 100, count: 30) + [Double](repeating: -100, count: 30)) == 2.5)
    }

    @Test("the element of a given rank is where sorting puts it, with the smaller ones before it")
    func rank() {
        var g = SeededGenerator(seed: 12)
        var values = (0..<501).map { _ in Float.random(in: 0...1, using: &g) }
        let sorted = values.sorted()
        for k in [0, 17, 250, 500] {
            values.withUnsafeMutableBufferPointer { b in
                let x = Selection.element(ofRank: k, in: b)
                #expect(x == sorted[k])
                #expect(b[..<k].allSatisfy { $0 <= x } && b[(k + 1)...].allSatisfy { $0 >= x })
            }
        }
    }
}
