import Foundation

/// Fast decimal formatting of numbers for the files nanoatoms writes (CSV, PDB, JSON, SVG).
///
/// Foundation's `String(format:)` goes through CoreFoundation on Linux and costs about a
/// microsecond per number; a model's CSV, PDB and figures hold tens of thousands of numbers.
/// These functions write the same text as C's `%.Nf` and `%.Ng` (up to the rounding of exact
/// decimal ties, which C resolves on the exact binary value) from integer arithmetic.
package enum NumberFormatting {
    /// Powers of ten exactly representable in a Double.
    private static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }
    /// Above this magnitude (after scaling) the product v·10ⁿ could round the wrong way: fall back.
    private static let exactLimit = 1.0e13

    /// `v` with `decimals` digits after the point, like C's `%.{decimals}f`; `nan`, `inf`
    /// and `-inf` for non-finite values.
    package static func fixed(_ v: Double, _ decimals: Int) -> String {
        withFixed(v, decimals) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 text of ``fixed(_:_:)``, held on the stack: for writers
    /// that copy it straight into a larger text (``TextBuffer``).
    package static func withFixed<R>(_ v: Double, _ decimals: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard v.isFinite else { return fallback(v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf"), body) }
        guard decimals >= 0, decimals <= 15 else { return fallback(String(format: "%.\(decimals)f", v), body) }
        let scaled = (abs(v) * powersOfTen[decimals]).rounded(.toNearestOrEven)
        guard scaled < exactLimit else { return fallback(String(format: "%.\(decimals)f", v), body) }
        var digits = UInt64(scaled)
        // Digits are written backwards from the end of a buffer on the stack (at most 13
        // integer digits, the point, 15 decimals and a sign), then read forwards once.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            var at = 32
            func put(_ b: UInt8) { at -= 1; buffer[at] = b }
            for _ in 0..<decimals {
                put(UInt8(ascii: "0") + UInt8(digits % 10))
                digits /= 10
            }
            if decimals > 0 { put(UInt8(ascii: ".")) }
            repeat {
                put(UInt8(ascii: "0") + UInt8(digits % 10))
                digits /= 10
            } while digits > 0
            if v.sign == .minus { put(UInt8(ascii: "-")) }
            return body(UnsafeBufferPointer(rebasing: buffer[at...]))
        }
    }

    /// `body` called with the bytes of a string made the slow way (rare cases).
    private static func fallback<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    /// `v` with `digits` significant digits, like C's `%.{digits}g`: fixed notation for
    /// decimal exponents from −4 to digits − 1, scientific (`1.5e-05`) otherwise, trailing
    /// zeros removed.
    package static func significant(_ v: Double, _ digits: Int = 6) -> String {
        withSignificant(v, digits) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 text of ``significant(_:_:)``, held on the stack.
    package static func withSignificant<R>(_ v: Double, _ digits: Int = 6, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard v.isFinite else { return fallback(v.isNaN ? "nan" : (v < 0 ? "-inf" : "inf"), body) }
        guard digits >= 1, digits <= 15 else { return fallback(String(format: "%.\(digits)g", v), body) }
        if v == 0 { return fallback(v.sign == .minus ? "-0" : "0", body) }
        let a = abs(v)
        var e = Int(log10(a).rounded(.down))
        // The `digits`-digit integer mantissa; log10 can be off by one near powers of ten.
        func mantissa(_ e: Int) -> Double? {
            let shift = digits - 1 - e
            guard abs(shift) <= 22 else { return nil }
            return (shift >= 0 ? a * powersOfTen[shift] : a / powersOfTen[-shift]).rounded(.toNearestOrEven)
        }
        var m = mantissa(e)
        if let low = m, low < powersOfTen[digits - 1] { e -= 1; m = mantissa(e) }
        if let high = m, high >= powersOfTen[digits] { e += 1; m = mantissa(e) }   // rounded up to 10ⁿ
        guard let m else { return fallback(String(format: "%.\(digits)g", v), body) }
        // The digits of the mantissa, most significant first, and the text, both on the stack
        // (at most 15 digits, a sign, "0.000" and an exponent).
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { ds in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { text in
                var q = UInt64(m)
                for i in stride(from: digits - 1, through: 0, by: -1) { ds[i] = UInt8(q % 10); q /= 10 }
                var last = digits - 1
                var count = 0
                func put(_ b: UInt8) { text[count] = b; count += 1 }
                if v < 0 { put(UInt8(ascii: "-")) }
                if e >= -4 && e < digits {
                    // Fixed: digits before the point are ds[0...e], the rest after it.
                    let intDigits = e + 1
                    let minLast = max(0, intDigits - 1)
                    while last > minLast && ds[last] == 0 { last -= 1 }
                    if intDigits <= 0 {
                        put(UInt8(ascii: "0"))
                        put(UInt8(ascii: "."))
                        for _ in 0..<(-intDigits) { put(UInt8(ascii: "0")) }
                        for i in 0...last { put(UInt8(ascii: "0") + ds[i]) }
                    } else {
                        for i in 0..<intDigits { put(UInt8(ascii: "0") + ds[i]) }
                        if last >= intDigits {
                            put(UInt8(ascii: "."))
                            for i in intDigits...last { put(UInt8(ascii: "0") + ds[i]) }
                        }
                    }
                } else {
                    while last > 0 && ds[last] == 0 { last -= 1 }
                    put(UInt8(ascii: "0") + ds[0])
                    if last > 0 {
                        put(UInt8(ascii: "."))
                        for i in 1...last { put(UInt8(ascii: "0") + ds[i]) }
                    }
                    put(UInt8(ascii: "e"))
                    put(UInt8(ascii: e < 0 ? "-" : "+"))
                    let ae = abs(e)
                    if ae >= 100 { put(UInt8(ascii: "0") + UInt8(ae / 100)) }
                    put(UInt8(ascii: "0") + UInt8(ae / 10 % 10))
                    put(UInt8(ascii: "0") + UInt8(ae % 10))
                }
                return body(UnsafeBufferPointer(rebasing: text[..<count]))
            }
        }
    }

    /// `v` in `width` columns with `decimals` decimals, like C's `%{width}.{decimals}f`.
    package static func fixed(_ v: Double, _ decimals: Int, width: Int) -> String {
        var text = TextBuffer(capacity: max(width, 24))
        text.append(fixed: v, decimals, width: width)
        return text.string
    }

    /// Two lower-case hexadecimal digits, like C's `%02x`, for 0...255.
    package static func hexByte(_ b: Int) -> String {
        let digits = Array("0123456789abcdef".utf8)
        let c = max(0, min(255, b))
        return String(decoding: [digits[c >> 4], digits[c & 15]], as: UTF8.self)
    }
}
