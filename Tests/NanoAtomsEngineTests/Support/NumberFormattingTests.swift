import Foundation
import Testing
import NanoAtomsEngine

@Suite("Number formatting writes what C's printf writes")
struct NumberFormattingTests {
    /// Values of every magnitude and sign, from a fixed seed, plus the awkward ones.
    static let values: [Double] = {
        var g = SeededGenerator(seed: 7)
        var out: [Double] = [0, -0.0, 1, -1, 0.5, 9.9999995, 99999.95, 123456.5, 0.000123456, 1e-5, 9.999999e-5,
                             1e21, -3.14159265358979, 2.5e-300, 7.0e15, 0.1, 0.01, 1e6, 999999.4, 999999.6]
        for _ in 0..<4000 {
            let mantissa = Double.random(in: -10...10, using: &g)
            let exponent = Double(Int.random(in: -8...9, using: &g))
            out.append(mantissa * pow(10, exponent))
        }
        return out
    }()

    @Test("fixed(v, n) equals %.nf")
    func fixedMatchesPrintf() {
        var mismatches: [String] = []
        for v in Self.values where abs(v) < 1e12 {
            for d in [0, 1, 2, 3, 4, 6] {
                let ours = NumberFormatting.fixed(v, d), c = String(format: "%.\(d)f", v)
                // A decimal tie can round either way after scaling; allow one unit in the last place.
                if ours != c && abs((Double(ours) ?? .nan) - (Double(c) ?? .nan)) > 1.01 * pow(10, -Double(d)) + 4 * v.ulp {
                    mismatches.append("\(v) %.\(d)f: \(ours) vs \(c)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        let exact = Self.values.filter { abs($0) < 1e12 }.filter { NumberFormatting.fixed($0, 3) == String(format: "%.3f", $0) }.count
        #expect(Double(exact) > 0.999 * Double(Self.values.filter { abs($0) < 1e12 }.count))
    }

    @Test("significant(v, n) equals %.ng")
    func significantMatchesPrintf() {
        var mismatches: [String] = []
        for v in Self.values {
            for d in [1, 3, 4, 6, 10] {
                let ours = NumberFormatting.significant(v, d), c = String(format: "%.\(d)g", v)
                if ours != c && abs((Double(ours) ?? .nan) / (Double(c) ?? .nan) - 1) > 1.01 * pow(10, -Double(d - 1)) {
                    mismatches.append("\(v) %.\(d)g: \(ours) vs \(c)")
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(NumberFormatting.significant(1.5e-5) == "1.5e-05")
        #expect(NumberFormatting.significant(123456789) == "1.23457e+08")
        #expect(NumberFormatting.significant(0.0001) == "0.0001")
        #expect(NumberFormatting.significant(100) == "100")
        #expect(NumberFormatting.significant(-2.5) == "-2.5")
    }

    @Test("non-finite values, widths and hex bytes")
    func edges() {
        #expect(NumberFormatting.fixed(.nan, 2) == "nan")
        #expect(NumberFormatting.fixed(-.infinity, 2) == "-inf")
        #expect(NumberFormatting.significant(.infinity) == "inf")
        #expect(NumberFormatting.fixed(-0.001, 2) == String(format: "%.2f", -0.001))
        #expect(NumberFormatting.fixed(3.14159, 3, width: 8) == String(format: "%8.3f", 3.14159))
        #expect(NumberFormatting.fixed(-1234567.5, 3, width: 8) == String(format: "%8.3f", -1234567.5))
        #expect((0...255).allSatisfy { NumberFormatting.hexByte($0) == String(format: "%02x", $0) })
    }
}
