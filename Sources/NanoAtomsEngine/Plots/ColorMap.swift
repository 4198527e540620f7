import Foundation

/// Colours for data: a perceptually uniform sequential map for continuous values and a
/// colour-blind-safe palette for categories.
package enum ColorMap {
    /// Control points of matplotlib's "viridis" at 0, 1/9, …, 1 (dark blue to yellow), which
    /// stays readable in grey and for colour-blind readers.
    static let viridis: [(Double, Double, Double)] = [
        (0x44, 0x01, 0x54), (0x48, 0x28, 0x78), (0x3e, 0x49, 0x89), (0x31, 0x68, 0x8e), (0x26, 0x82, 0x8e),
        (0x1f, 0x9e, 0x89), (0x35, 0xb7, 0x79), (0x6e, 0xce, 0x58), (0xb5, 0xde, 0x2b), (0xfd, 0xe7, 0x25),
    ]

    /// The sequential colour of `t` in [0, 1] (clamped), as `#rrggbb`.
    package static func sequential(_ t: Double) -> String {
        let x = min(max(t.isFinite ? t : 0, 0), 1) * Double(viridis.count - 1)
        let i = min(Int(x), viridis.count - 2)
        let f = x - Double(i)
        let a = viridis[i], b = viridis[i + 1]
        return hex(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1), a.2 + f * (b.2 - a.2))
    }

    /// Okabe & Ito's palette (2008), distinguishable under every common colour-vision deficiency.
    package static let categorical = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    /// Colour for missing values (an invalid fit).
    package static let missing = "#bbbbbb"

    static func hex(_ r: Double, _ g: Double, _ b: Double) -> String {
        func c(_ v: Double) -> Int { clampedInt(v.rounded(), 0...255) }
        return "#" + NumberFormatting.hexByte(c(r)) + NumberFormatting.hexByte(c(g)) + NumberFormatting.hexByte(c(b))
    }
}
