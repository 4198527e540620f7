/// A text written piece by piece as UTF-8 bytes: the files nanoatoms writes (CSV, PDB, SVG)
/// hold tens of thousands of short pieces, and joining Swift strings costs a check and often
/// an allocation per piece, while appending bytes to one array costs a copy.
package struct TextBuffer: Sendable {
    /// The text so far, UTF-8.
    package private(set) var bytes: [UInt8] = []

    /// An empty text with room for about `capacity` bytes.
    package init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    /// The text as a string.
    package var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Number of bytes written.
    package var count: Int { bytes.count }

    /// Appends `text`.
    package mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends `text`, a literal.
    package mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends one ASCII character.
    package mutating func append(ascii c: Unicode.Scalar) { bytes.append(UInt8(ascii: c)) }

    /// Appends `n` copies of a space.
    package mutating func appendSpaces(_ n: Int) {
        if n > 0 { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: n)) }
    }

    /// Appends an integer in decimal, right-aligned in `width` columns (`%{width}d`).
    package mutating func append(_ n: Int, width: Int = 0) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var at = 24
            var m = n.magnitude
            repeat {
                at -= 1; buffer[at] = UInt8(ascii: "0") + UInt8(m % 10)
                m /= 10
            } while m > 0
            if n < 0 { at -= 1; buffer[at] = UInt8(ascii: "-") }
            appendSpaces(width - (24 - at))
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[at...]))
        }
    }

    /// Appends `v` with `decimals` decimals (``NumberFormatting/fixed(_:_:)``), right-aligned
    /// in `width` columns.
    package mutating func append(fixed v: Double, _ decimals: Int, width: Int = 0) {
        NumberFormatting.withFixed(v, decimals) { text in
            appendSpaces(width - text.count)
            bytes.append(contentsOf: text)
        }
    }

    /// Appends `v` with `digits` significant digits (``NumberFormatting/significant(_:_:)``).
    package mutating func append(significant v: Double, _ digits: Int = 6) {
        NumberFormatting.withSignificant(v, digits) { bytes.append(contentsOf: $0) }
    }

    /// Appends `text` with XML's five special characters escaped.
    package mutating func append(escapingXML text: String) {
        var text = text
        text.withUTF8 { utf8 in
            for b in utf8 {
                switch b {
                case UInt8(ascii: "&"): append("&amp;")
                case UInt8(ascii: "<"): append("&lt;")
                case UInt8(ascii: ">"): append("&gt;")
                case UInt8(ascii: "\""): append("&quot;")
                case UInt8(ascii: "'"): append("&apos;")
                default: bytes.append(b)
                }
            }
        }
    }

    /// Appends UTF-8 bytes.
    package mutating func append(bytes other: UnsafeBufferPointer<UInt8>) { bytes.append(contentsOf: other) }
}
