import Foundation
import Testing
import NanoAtomsEngine

@Suite("Text written as bytes")
struct TextBufferTests {
    @Test("integers and fixed numbers in fields read as C's printf writes them")
    func fields() {
        for (n, width) in [(0, 5), (42, 5), (-7, 4), (123_456, 3), (Int.min + 1, 0)] {
            var t = TextBuffer()
            t.append(n, width: width)
            #expect(t.string == String(format: "%\(width)ld", n))
        }
        for (v, decimals, width) in [(3.14159, 3, 8), (-0.5, 2, 6), (1234567.891, 3, 8), (0.0, 2, 6), (-12.0, 3, 10)] {
            var t = TextBuffer()
            t.append(fixed: v, decimals, width: width)
            #expect(t.string == String(format: "%\(width).\(decimals)f", v))
        }
        var t = TextBuffer()
        t.append(significant: 0.000123456789, 6); t.append(ascii: " "); t.append(significant: 2.5e-7, 6)
        #expect(t.string == String(format: "%.6g %.6g", 0.000123456789, 2.5e-7))
    }

    @Test("XML's five special characters are escaped, other text (multi-byte too) is kept")
    func escaping() {
        var t = TextBuffer()
        t.append(escapingXML: "a<b & \"c\" > 'd' Å–δ")
        #expect(t.string == "a&lt;b &amp; &quot;c&quot; &gt; &apos;d&apos; Å–δ")
        #expect(escapeXML("plain 1.5 Å") == "plain 1.5 Å")
    }
}
