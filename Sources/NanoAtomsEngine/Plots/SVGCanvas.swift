import Foundation

/// A drawing that becomes an SVG document: shapes and text in user units (1 unit = 1 px at
/// 100 %), with a white background and one font for the whole figure.
///
/// Coordinates are SVG's: x to the right, y downwards. Every value written is rounded to two
/// decimals so files stay small and diff well.
package struct SVGCanvas: Sendable {
    /// Width and height of the figure.
    package let width: Double, height: Double
    /// A title for the document (shown by browsers, read by screen readers).
    package var title: String
    /// The elements so far, each followed by a line break.
    private var body = TextBuffer()
    /// Offsets in `body` where an id begins: `inlineElement` prefixes each.
    private var idOffsets: [Int] = []
    /// Number of elements so far (a clip path is named after its place).
    private var elements = 0

    /// The font stack: DejaVu Sans is what Debian's renderers have; the rest cover other systems.
    package static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"

    /// An empty figure of `width` × `height`.
    package init(width: Double, height: Double, title: String) {
        self.width = width
        self.height = height
        self.title = title
    }

    /// A line segment.
    package mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String = "#000",
                              width: Double = 1, dash: String? = nil, className: String? = nil) {
        elements += 1
        body.append("<line"); attr("class", className)
        number(" x1=\"", x1); number("\" y1=\"", y1); number("\" x2=\"", x2); number("\" y2=\"", y2)
        body.append("\" stroke=\""); body.append(stroke); number("\" stroke-width=\"", width); body.append(ascii: "\"")
        attr("stroke-dasharray", dash)
        body.append("/>\n")
    }

    /// An open polyline through `points`.
    package mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5,
                                  dash: String? = nil, className: String? = nil) {
        guard !points.isEmpty else { return }
        elements += 1
        body.append("<polyline"); attr("class", className); body.append(" points=\"")
        for (i, p) in points.enumerated() {
            if i > 0 { body.append(ascii: " ") }
            body.append(coordinate: p.0); body.append(ascii: ","); body.append(coordinate: p.1)
        }
        body.append("\" fill=\"none\" stroke=\""); body.append(stroke); number("\" stroke-width=\"", width)
        body.append("\" stroke-linejoin=\"round\""); attr("stroke-dasharray", dash)
        body.append("/>\n")
    }

    /// A circle; `tooltip` becomes its `<title>`, which browsers show on hover.
    package mutating func circle(_ cx: Double, _ cy: Double, r: Double, fill: String, stroke: String? = nil,
                                strokeWidth: Double = 1, opacity: Double? = nil, className: String? = nil, tooltip: String? = nil) {
        elements += 1
        body.append("<circle"); attr("class", className)
        number(" cx=\"", cx); number("\" cy=\"", cy); number("\" r=\"", r)
        body.append("\" fill=\""); body.append(fill); body.append(ascii: "\"")
        attr("stroke", stroke)
        if stroke != nil { number(" stroke-width=\"", strokeWidth); body.append(ascii: "\"") }
        if let opacity { number(" fill-opacity=\"", opacity); body.append(ascii: "\"") }
        if let tooltip {
            body.append("><title>"); body.append(escapingXML: tooltip); body.append("</title></circle>\n")
        } else {
            body.append("/>\n")
        }
    }

    /// A rectangle.
    package mutating func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, fill: String,
                              stroke: String? = nil, strokeWidth: Double = 1, className: String? = nil) {
        elements += 1
        body.append("<rect"); attr("class", className)
        number(" x=\"", x); number("\" y=\"", y); number("\" width=\"", w); number("\" height=\"", h)
        body.append("\" fill=\""); body.append(fill); body.append(ascii: "\"")
        attr("stroke", stroke)
        if stroke != nil { number(" stroke-width=\"", strokeWidth); body.append(ascii: "\"") }
        body.append("/>\n")
    }

    /// Horizontal alignment of text relative to its anchor point.
    package enum Anchor: String, Sendable { case start, middle, end }

    /// Text whose baseline starts (or is centred, or ends) at (x, y), rotated by `rotate` degrees about that point.
    package mutating func text(_ string: String, _ x: Double, _ y: Double, size: Double = 12, anchor: Anchor = .start,
                              rotate: Double = 0, bold: Bool = false, fill: String = "#000", className: String? = nil) {
        elements += 1
        body.append("<text"); attr("class", className)
        number(" x=\"", x); number("\" y=\"", y); number("\" font-size=\"", size)
        body.append("\" text-anchor=\""); body.append(anchor.rawValue)
        body.append("\" fill=\""); body.append(fill); body.append(ascii: "\"")
        if bold { body.append(" font-weight=\"bold\"") }
        if rotate != 0 {
            number(" transform=\"rotate(", rotate); number(" ", x); number(" ", y); body.append(")\"")
        }
        body.append(ascii: ">"); body.append(escapingXML: string); body.append("</text>\n")
    }

    /// A raster image (PNG bytes) drawn into the rectangle, pixels kept sharp.
    package mutating func image(png: [UInt8], _ x: Double, _ y: Double, _ w: Double, _ h: Double) {
        elements += 1
        number("<image x=\"", x); number("\" y=\"", y); number("\" width=\"", w); number("\" height=\"", h)
        body.append("\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
        body.append(Data(png).base64EncodedString())
        body.append("\"/>\n")
    }

    /// Starts a group (`<g>`) that following shapes belong to until `endGroup()`.
    package mutating func beginGroup(className: String, clipTo clip: (x: Double, y: Double, w: Double, h: Double)? = nil) {
        if let clip {
            // The clip path's id, and the reference to it, get a prefix in `inlineElement`.
            let id = "clip\(elements)"
            elements += 2
            body.append("<clipPath id=\""); idOffsets.append(body.count); body.append(id)
            number("\"><rect x=\"", clip.x); number("\" y=\"", clip.y); number("\" width=\"", clip.w); number("\" height=\"", clip.h)
            body.append("\"/></clipPath>\n")
            body.append("<g class=\""); body.append(className); body.append("\" clip-path=\"url(#")
            idOffsets.append(body.count); body.append(id); body.append(")\">\n")
        } else {
            body.append("<g class=\""); body.append(className); body.append("\">\n")
            elements += 1
        }
    }

    /// Ends the innermost group.
    package mutating func endGroup() { body.append("</g>\n"); elements += 1 }

    /// The SVG document.
    package var document: String { render(idPrefix: "", declaration: true) }

    /// The `<svg>` element with every id prefixed with `idPrefix`.
    private func render(idPrefix: String, declaration: Bool) -> String {
        var out = TextBuffer(capacity: body.count + 512 + idOffsets.count * idPrefix.utf8.count)
        if declaration { out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") }
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\""); out.append(coordinate: width)
        out.append("\" height=\""); out.append(coordinate: height)
        out.append("\" viewBox=\"0 0 "); out.append(coordinate: width); out.append(ascii: " "); out.append(coordinate: height)
        out.append("\" font-family=\""); out.append(SVGCanvas.fontFamily); out.append("\">\n<title>")
        out.append(escapingXML: title); out.append("</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n")
        if body.count == 0 { out.append(ascii: "\n") }
        // The body, with the prefix written where each id begins.
        body.bytes.withUnsafeBufferPointer { b in
            var start = 0
            for offset in idOffsets {
                out.append(bytes: UnsafeBufferPointer(rebasing: b[start..<offset]))
                out.append(idPrefix)
                start = offset
            }
            out.append(bytes: UnsafeBufferPointer(rebasing: b[start...]))
        }
        out.append("</svg>\n")
        return out.string
    }

    /// The figure as an `<svg>` element to inline in HTML (no XML declaration), its ids
    /// prefixed with `idPrefix` so that several figures on one page do not share an id.
    package func inlineElement(idPrefix: String) -> String { render(idPrefix: idPrefix, declaration: false) }

    /// Appends `prefix` and a coordinate to the body.
    private mutating func number(_ prefix: StaticString, _ v: Double) {
        body.append(prefix); body.append(coordinate: v)
    }
    /// Appends ` name="value"` (escaped) when there is a value.
    private mutating func attr(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        body.append(ascii: " "); body.append(name); body.append("=\""); body.append(escapingXML: value); body.append(ascii: "\"")
    }
}

extension TextBuffer {
    /// Appends a coordinate as ``formatCoordinate(_:)`` writes it.
    mutating func append(coordinate v: Double) {
        guard v.isFinite else { append(ascii: "0"); return }
        let r = (v * 100).rounded() / 100
        if r == r.rounded() && abs(r) < 1e15 { append(Int(r)); return }
        NumberFormatting.withFixed(r, 2) { text in
            var end = text.count
            while end > 0 && text[end - 1] == UInt8(ascii: "0") { end -= 1 }
            append(bytes: UnsafeBufferPointer(rebasing: text[..<end]))
        }
    }
}

/// A coordinate with at most two decimals and no trailing zeros ("12", "3.5", "-0.25").
func formatCoordinate(_ v: Double) -> String {
    var text = TextBuffer(capacity: 16)
    text.append(coordinate: v)
    return text.string
}

/// `text` with XML's five special characters escaped.
package func escapeXML(_ text: String) -> String {
    // Most text (numbers, labels) has nothing to escape: check the bytes first.
    if !text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) { return text }
    var out = TextBuffer(capacity: text.utf8.count + 16)
    out.append(escapingXML: text)
    return out.string
}
