import Foundation

/// A drawing that becomes an SVG document: shapes and text in user units (1 unit = 1 px at
/// 100 %), with a white background and one font for the whole figure.
///
/// Coordinates are SVG's: x to the right, y downwards. Every value written is rounded to two
/// decimals so files stay small and diff well.
public struct SVGCanvas: Sendable {
    /// Width and height of the figure.
    public let width: Double, height: Double
    /// A title for the document (shown by browsers, read by screen readers).
    public var title: String
    private var body: [String] = []
    /// Indices of the body entries that hold an id (and so the id marker).
    private var clipEntries: [Int] = []
    /// Stands for the id prefix in `body`: a character that escaped text cannot contain.
    private static let idMarker = "\u{1}"

    /// The font stack: DejaVu Sans is what Debian's renderers have; the rest cover other systems.
    public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    /// An empty figure of `width` × `height`.
    public init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// A line segment.
    public mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                              width: Double = 1, dash: String? = nil, className: String? = nil) {
        body.append("<line\(attr("class", className)) x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"\(attr("stroke-dasharray", dash))/>")
    }

    /// An open polyline through `points`.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                                  dash: String? = nil, className: String? = nil) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append("<polyline\(attr("class", className)) points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" stroke-linejoin=\"round\"\(attr("stroke-dasharray", dash))/>")
    }

    /// A circle; `tooltip` becomes its `<title>`, which browsers show on hover.
    public mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil,
                                strokeWidth: Double = 1, opacity: Double? = nil, className: String? = nil, tooltip: String? = nil) {
        let open = "<circle\(attr("class", className)) cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(n(r))\" fill=\"\(fill)\"\(attr("stroke", stroke))\(stroke == nil ? "" : " stroke-width=\"\(n(strokeWidth))\"")\(attr("fill-opacity", opacity.map(n)))"
        body.append(tooltip.map { open + "><title>\(escapeXML($0))</title></circle>" } ?? open + "/>")
    }

    /// A rectangle.
    public mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                              stroke: String? = nil, strokeWidth: Double = 1, className: String? = nil) {
        body.append("<rect\(attr("class", className)) x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" fill=\"\(fill)\"\(attr("stroke", stroke))\(stroke == nil ? "" : " stroke-width=\"\(n(strokeWidth))\"")/>")
    }

    /// Horizontal alignment of text relative to its anchor point.
    public enum Anchor: String, Sendable { case start, middle, end }

    /// Text whose baseline starts (or is centred, or ends) at (x, y), rotated by `rotate` degrees about that point.
    public mutating func text(_ string: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start,
                              rotate: Double = 0, bold: Bool = false, fill: String = "#000", className: String? = nil) {
        let transform = rotate == 0 ? "" : " transform=\"rotate(\(n(rotate)) \(n(x)) \(n(y)))\""
        body.append("<text\(attr("class", className)) x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor.rawValue)\" fill=\"\(fill)\"\(bold ? " font-weight=\"bold\"" : "")\(transform)>\(escapeXML(string))</text>")
    }

    /// A raster image (PNG bytes) drawn into the rectangle, pixels kept sharp.
    public mutating func image(png: [UInt8], _ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        let data = Data(png).base64EncodedString()
        body.append("<image x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,\(data)\"/>")
    }

    /// Starts a group (`<g>`) that following shapes belong to until `endGroup()`.
    public mutating func beginGroup(className: String, clipTo clip: (x: Double, y: Double, w: Double, h: Double)? = nil) {
        if let clip {
            // The id is written with a placeholder that `inlineElement` replaces with a prefix.
            let id = "\(SVGCanvas.idMarker)clip\(body.count)"
            clipEntries.append(body.count)
            clipEntries.append(body.count + 1)
            body.append("<clipPath id=\"\(id)\"><rect x=\"\(n(clip.x))\" y=\"\(n(clip.y))\" width=\"\(n(clip.w))\" height=\"\(n(clip.h))\"/></clipPath>")
            body.append("<g class=\"\(className)\" clip-path=\"url(#\(id))\">")
        } else {
            body.append("<g class=\"\(className)\">")
        }
    }

    /// Ends the innermost group.
    public mutating func endGroup() { body.append("</g>") }

    /// The SVG document.
    public var document: String { "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + render(idPrefix: "") }

    /// The `<svg>` element with every id prefixed with `idPrefix`.
    private func render(idPrefix: String) -> String {
        var body = self.body
        for e in clipEntries { body[e] = body[e].replacingOccurrences(of: SVGCanvas.idMarker, with: idPrefix) }
        return """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="\(n(height))" viewBox="0 0 \(n(width)) \(n(height))" font-family="\(SVGCanvas.fontFamily)">
        <title>\(escapeXML(title))</title>
        <rect width="100%" height="100%" fill="#fff"/>
        \(body.joined(separator: "\n"))
        </svg>

        """
    }

    /// The figure as an `<svg>` element to inline in HTML (no XML declaration), its ids
    /// prefixed with `idPrefix` so that several figures on one page do not share an id.
    public func inlineElement(idPrefix: String) -> String { render(idPrefix: idPrefix) }

    private func n(_ v: Double) -> String { formatCoordinate(v) }
    private func attr(_ name: String, _ value: String?) -> String { value.map { " \(name)=\"\(escapeXML($0))\"" } ?? "" }
}

/// A coordinate with at most two decimals and no trailing zeros ("12", "3.5", "-0.25").
func formatCoordinate(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let r = (v * 100).rounded() / 100
    if r == r.rounded() && abs(r) < 1e15 { return String(Int(r)) }
    var s = NumberFormatting.fixed(r, 2)
    while s.hasSuffix("0") { s.removeLast() }
    return s
}

/// `text` with XML's five special characters escaped.
public func escapeXML(_ text: String) -> String {
    // Most text (numbers, labels) has nothing to escape: check the bytes first.
    if !text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return text }
    var out = ""
    out.reserveCapacity(text.count)
    for c in text {
        switch c {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&apos;"
        default: out.append(c)
        }
    }
    return out
}
