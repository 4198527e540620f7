import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import NanoAtomsEngine

/// Reads an SVG document back as XML, as an independent check of what a figure drew: its
/// elements by class, and the axes' data coordinates recovered from the tick marks and their
/// labels (so a test can ask where a line lies in data units without using our scales).
struct SVGInspector {
    /// The parsed document, kept alive: its elements are views into it.
    let document: XMLDocument
    let root: XMLElement

    /// Parses `svg`; throws if it is not well-formed XML.
    init(_ svg: String) throws {
        document = try XMLDocument(xmlString: svg, options: [])
        root = document.rootElement()!
    }

    /// Every element below the root, depth first.
    var all: [XMLElement] {
        var out: [XMLElement] = []
        func walk(_ e: XMLElement) {
            for c in e.children ?? [] { if let c = c as? XMLElement { out.append(c); walk(c) } }
        }
        walk(root)
        return out
    }

    /// An attribute's value. (Looked up in the attribute list: `attribute(forName:)` misses
    /// un-prefixed attributes of elements in a default namespace on Linux.)
    static func attribute(_ e: XMLElement, _ name: String) -> String? {
        e.attributes?.first { $0.name == name }?.stringValue
    }

    /// Elements whose class list contains every word of `className`.
    func elements(_ className: String) -> [XMLElement] {
        let wanted = Set(className.split(separator: " ").map(String.init))
        return all.filter { e in
            guard let c = SVGInspector.attribute(e, "class") else { return false }
            return wanted.isSubset(of: Set(c.split(separator: " ").map(String.init)))
        }
    }

    /// The texts of elements with `className`.
    func texts(_ className: String) -> [String] { elements(className).map { $0.stringValue ?? "" } }

    /// A numeric attribute.
    static func number(_ e: XMLElement, _ name: String) -> Double { Double(attribute(e, name) ?? "") ?? .nan }

    /// The data value at figure coordinate `p` along x (`horizontal`) or y, from a straight
    /// line through the ticks (tick mark positions paired with their labels' values).
    func dataValue(atFigure p: Double, horizontal: Bool) -> Double {
        let ticks = elements("tick").filter { e in
            let vertical = SVGInspector.number(e, "x1") == SVGInspector.number(e, "x2")
            return horizontal ? vertical : !vertical
        }
        let labels = texts(horizontal ? "tick-label x" : "tick-label y").map { Double($0.replacingOccurrences(of: "−", with: "-"))! }
        precondition(ticks.count == labels.count && labels.count >= 2, "ticks \(ticks.count), labels \(labels.count)")
        let positions = ticks.map { SVGInspector.number($0, horizontal ? "x1" : "y1") }
        let (p0, p1, v0, v1) = (positions.first!, positions.last!, labels.first!, labels.last!)
        return v0 + (p - p0) / (p1 - p0) * (v1 - v0)
    }
}
