import Foundation

/// A linear map from data values (`domain`) to figure coordinates (`range`); the range may
/// run backwards (y grows downwards in SVG).
package struct LinearScale: Sendable {
    /// The data interval.
    package let domain: (lower: Double, upper: Double)
    /// The figure interval it maps to.
    package let range: (start: Double, end: Double)

    /// A scale from `domain` to `range`; an empty domain is widened so nothing divides by zero.
    package init(domain: (Double, Double), range: (Double, Double)) {
        var (lo, hi) = domain
        if !(hi > lo) { lo -= 0.5; hi = lo + 1 }
        self.domain = (lo, hi)
        self.range = range
    }

    /// The figure coordinate of `value`.
    package func callAsFunction(_ value: Double) -> Double {
        range.start + (value - domain.lower) / (domain.upper - domain.lower) * (range.end - range.start)
    }
}

/// About `count` round tick values (steps of 1, 2 or 5 × 10ⁿ) covering `lower`...`upper`.
package func niceTicks(_ lower: Double, _ upper: Double, count: Int = 5) -> [Double] {
    guard lower.isFinite, upper.isFinite, upper > lower, count > 0 else { return lower.isFinite ? [lower] : [] }
    // A span that overflows, or one too narrow to tell from its ends, gets its ends as ticks
    // (the multiples of a step would not be finite, or would number in the trillions).
    let span = upper - lower
    guard span.isFinite, span > 1e-9 * max(abs(lower), abs(upper)), span > 1e-300 else { return [lower, upper] }
    let step = niceStep(span / Double(count))
    guard step.isFinite, step > 0, abs(lower / step) < 1e15, abs(upper / step) < 1e15 else { return [lower, upper] }
    // Multiples of the step, rounded to its decimals so 8 × 0.1 prints and compares as 0.8.
    let scale = pow(10, max(0, -floor(log10(step))) + 1)
    let first = Int((lower / step - 1e-9).rounded(.up)), last = Int((upper / step + 1e-9).rounded(.down))
    guard first <= last else { return [] }
    return (first...last).map { (Double($0) * step * scale).rounded() / scale }
}

/// The round step (1, 2 or 5 × 10ⁿ) nearest to `raw`.
func niceStep(_ raw: Double) -> Double {
    let power = pow(10, floor(log10(raw)))
    let f = raw / power
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power
}

/// `lower`...`upper` widened to the nearest round ticks, with a little padding for a lone value.
package func niceDomain(_ values: [Double], includeZero: Bool = false) -> (Double, Double) {
    let finite = values.filter(\.isFinite)
    guard var lo = finite.min(), var hi = finite.max() else { return (0, 1) }
    if includeZero { lo = min(lo, 0); hi = max(hi, 0) }
    if hi == lo { let pad = abs(lo) > 0 ? abs(lo) * 0.1 : 1; lo -= pad; hi += pad }
    // Values whose spread overflows (±1e308 in a garbage column) get a domain that still
    // divides: they draw at the edges rather than as NaN.
    guard (hi - lo).isFinite, hi - lo > 1e-300 else { return (max(lo, -1e300), min(max(hi, lo + 1), 1e300)) }
    // A little room so markers and error caps at the extremes are not cut by the frame.
    let room = 0.03 * (hi - lo)
    if !(includeZero && lo == 0) { lo -= room }
    hi += room
    let step = niceStep((hi - lo) / 8)
    guard step.isFinite, step > 0 else { return (lo, hi) }
    return ((lo / step).rounded(.down) * step, (hi / step).rounded(.up) * step)
}

/// A tick label with as many decimals as the tick spacing needs ("0.5", "10", "1e-05").
package func tickLabel(_ value: Double, step: Double) -> String {
    if value == 0 { return "0" }
    guard step.isFinite, step > 0, value.isFinite else { return String(format: "%.3g", value) }
    let magnitude = max(abs(value), step)
    if magnitude >= 1e5 || magnitude < 1e-3 { return String(format: "%.1e", value) }
    let decimals = clampedInt(-floor(log10(step) + 1e-9), 0...20)
    let text = NumberFormatting.fixed(value, decimals)
    return text.hasPrefix("-") ? "−" + text.dropFirst() : text
}
