import Foundation

/// A chart's frame: a canvas with a plot area, x and y scales, axes with round ticks, axis
/// labels with units, a title and a legend. Figures draw their data inside it.
///
/// Sized for a journal figure (520 × 380 units ≈ 8.7 cm wide at 150 dpi) with text large
/// enough to read at that size. Elements carry classes (`point`, `fit`, `tick-label x`, …) so
/// tests and style sheets can find them.
package struct PlotFrame: Sendable {
    /// The drawing.
    package var canvas: SVGCanvas
    /// Data to figure coordinates.
    package let x: LinearScale, y: LinearScale
    /// The plot area: left, top, width, height.
    package let area: (left: Double, top: Double, width: Double, height: Double)

    /// Default figure size.
    package static let defaultSize = (width: 520.0, height: 380.0)

    /// A frame with axes drawn for `xDomain` × `yDomain`; `rightMargin` leaves room for a colour
    /// bar. With `xCategories`, the x axis is categories: ticks at 1, 2, … labelled with them.
    package init(title: String, xLabel: String, yLabel: String, xDomain: (Double, Double), yDomain: (Double, Double),
                width: Double = PlotFrame.defaultSize.width, height: Double = PlotFrame.defaultSize.height,
                rightMargin: Double = 20, grid: Bool = true, xCategories: [String]? = nil) {
        canvas = SVGCanvas(width: width, height: height, title: title)
        area = PlotFrame.plotArea(width: width, height: height, rightMargin: rightMargin)
        x = LinearScale(domain: xDomain, range: (area.left, area.left + area.width))
        y = LinearScale(domain: yDomain, range: (area.top + area.height, area.top))
        drawAxes(title: title, xLabel: xLabel, yLabel: yLabel, grid: grid, categories: xCategories)
    }

    /// The plot area a frame of this size has: left, top, width, height.
    package static func plotArea(width: Double = defaultSize.width, height: Double = defaultSize.height,
                                rightMargin: Double = 20) -> (left: Double, top: Double, width: Double, height: Double) {
        (66, 36, width - 66 - rightMargin, height - 36 - 54)
    }

    /// Domains around `h` × `v` (with `padding` on each side) widened so one unit is as long
    /// on both axes in a plot area of `areaWidth` × `areaHeight`: atoms stay round.
    package static func equalAspectDomains(h: (Double, Double), v: (Double, Double), padding: Double,
                                          areaWidth: Double, areaHeight: Double) -> (h: (Double, Double), v: (Double, Double)) {
        var h = (h.0 - padding, h.1 + padding), v = (v.0 - padding, v.1 + padding)
        let scale = min(areaWidth / max(h.1 - h.0, 1e-9), areaHeight / max(v.1 - v.0, 1e-9))
        let hExtra = (areaWidth / scale - (h.1 - h.0)) / 2, vExtra = (areaHeight / scale - (v.1 - v.0)) / 2
        h = (h.0 - hExtra, h.1 + hExtra)
        v = (v.0 - vExtra, v.1 + vExtra)
        return (h, v)
    }

    private mutating func drawAxes(title: String, xLabel: String, yLabel: String, grid: Bool, categories: [String]?) {
        let bottom = area.top + area.height, right = area.left + area.width
        let xTicks = categories.map { c in c.indices.map { Double($0 + 1) } } ?? niceTicks(x.domain.lower, x.domain.upper, count: 6)
        let yTicks = niceTicks(y.domain.lower, y.domain.upper, count: 5)
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        canvas.beginGroup(className: "axes")
        for t in xTicks {
            let px = x(t)
            if grid { canvas.line(px, area.top, px, bottom, stroke: "#e6e6e6", className: "grid") }
            canvas.line(px, bottom, px, bottom + 5, className: "tick")
            let label = categories.map { $0[Int(t) - 1] } ?? tickLabel(t, step: xStep)
            canvas.text(label, px, bottom + 19, size: 11, anchor: .middle, className: "tick-label x")
        }
        for t in yTicks {
            let py = y(t)
            if grid { canvas.line(area.left, py, right, py, stroke: "#e6e6e6", className: "grid") }
            canvas.line(area.left - 5, py, area.left, py, className: "tick")
            canvas.text(tickLabel(t, step: yStep), area.left - 8, py + 4, size: 11, anchor: .end, className: "tick-label y")
        }
        canvas.rect(area.left, area.top, area.width, area.height, fill: "none", stroke: "#000", strokeWidth: 1, className: "frame")
        canvas.text(xLabel, area.left + area.width / 2, bottom + 42, size: 13, anchor: .middle, className: "axis-label x")
        canvas.text(yLabel, 18, area.top + area.height / 2, size: 13, anchor: .middle, rotate: -90, className: "axis-label y")
        canvas.text(title, area.left, 22, size: 14, bold: true, className: "plot-title")
        canvas.endGroup()
    }

    /// Starts a group clipped to the plot area, for data that may stray outside the axes.
    package mutating func beginData(className: String) {
        canvas.beginGroup(className: className, clipTo: (area.left, area.top, area.width, area.height))
    }

    /// How a legend entry is drawn.
    package enum LegendMark: Sendable {
        /// A filled circle.
        case marker(String)
        /// An open circle.
        case hollowMarker(String)
        /// A line, optionally dashed.
        case line(String, dash: String?)
    }

    /// Draws a legend box in the corner of the plot area that covers the fewest of `avoiding`
    /// (the data's figure coordinates), trying top right, top left, bottom right, bottom left.
    /// With `outside`, the legend goes right of the plot area instead (leave a right margin for it).
    package mutating func legend(_ entries: [(label: String, mark: LegendMark)], avoiding points: [(Double, Double)] = [],
                                outside: Bool = false) {
        guard !entries.isEmpty else { return }
        let rowHeight = 17.0
        let width = 34 + 6.6 * Double(entries.map(\.label.count).max() ?? 0)
        let height = rowHeight * Double(entries.count) + 8
        let corners = outside ? [(area.left + area.width + 10, area.top)] :
                      [(area.left + area.width - width - 8, area.top + 8), (area.left + 8, area.top + 8),
                       (area.left + area.width - width - 8, area.top + area.height - height - 8),
                       (area.left + 8, area.top + area.height - height - 8)]
        func covered(_ c: (Double, Double)) -> Int {
            points.filter { $0.0 >= c.0 - 6 && $0.0 <= c.0 + width + 6 && $0.1 >= c.1 - 6 && $0.1 <= c.1 + height + 6 }.count
        }
        let (left, top) = corners.min { covered($0) < covered($1) }!
        canvas.beginGroup(className: "legend")
        canvas.rect(left, top, width, height, fill: "#ffffff", stroke: "#999", strokeWidth: 0.8)
        for (i, e) in entries.enumerated() {
            let cy = top + 4 + rowHeight * (Double(i) + 0.5)
            switch e.mark {
            case .marker(let c): canvas.circle(left + 14, cy, r: 4, fill: c)
            case .hollowMarker(let c): canvas.circle(left + 14, cy, r: 4, fill: "#fff", stroke: c, strokeWidth: 1.5)
            case .line(let c, let dash): canvas.line(left + 5, cy, left + 23, cy, stroke: c, width: 2, dash: dash)
            }
            canvas.text(e.label, left + 28, cy + 4, size: 11, className: "legend-label")
        }
        canvas.endGroup()
    }

    /// Draws a vertical colour bar for values `lower`...`upper` right of the plot area.
    package mutating func colorBar(lower: Double, upper: Double, label: String) {
        let left = area.left + area.width + 16, width = 14.0
        let steps = 48
        canvas.beginGroup(className: "colorbar")
        for s in 0..<steps {
            let t = (Double(s) + 0.5) / Double(steps)
            let top = area.top + area.height * (1 - Double(s + 1) / Double(steps))
            canvas.rect(left, top, width, area.height / Double(steps) + 0.6, fill: ColorMap.sequential(t))
        }
        canvas.rect(left, area.top, width, area.height, fill: "none", stroke: "#000", strokeWidth: 0.8)
        let scale = LinearScale(domain: (lower, upper), range: (area.top + area.height, area.top))
        let ticks = niceTicks(scale.domain.lower, scale.domain.upper, count: 5)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for t in ticks {
            canvas.line(left + width, scale(t), left + width + 4, scale(t))
            canvas.text(tickLabel(t, step: step), left + width + 7, scale(t) + 4, size: 11, className: "tick-label colorbar")
        }
        canvas.text(label, left + width + 52, area.top + area.height / 2, size: 13, anchor: .middle, rotate: -90, className: "axis-label colorbar")
        canvas.endGroup()
    }
}
