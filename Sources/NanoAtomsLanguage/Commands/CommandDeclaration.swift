import NanoAtomsEngine

/// One parameter of a command.
package struct Parameter: Sendable {
    /// Its name (also its keyword: `name=value`).
    package let name: String
    /// The types it accepts.
    package let types: [ValueType]
    /// Its default, or nil when it must be given.
    package let defaultValue: Value?
    /// Whether it may be given by position (otherwise only as `name=value`).
    package let positional: Bool
    /// Unit of a number, e.g. "Å".
    package let unit: String?
    /// One line on what it is.
    package let help: String
    /// The allowed strings, for a choice.
    package let choices: [String]?
    /// Whether it names a file (for completion).
    package let isPath: Bool
    /// Whether it takes all remaining positional arguments, as a list.
    package var variadic = false
    /// The numbers it accepts, checked when a call is bound (every number must be finite).
    package var range: ClosedRange<Double>? = nil
    /// Whether a number must be whole.
    package var whole = false

    /// This parameter, accepting only numbers within `range` (whole ones if `whole`).
    package func within(_ range: ClosedRange<Double>, whole: Bool = false) -> Parameter {
        var p = self
        p.range = range
        p.whole = whole
        return p
    }

    /// Why `v` is not a number this parameter accepts, or nil when it is.
    func problem(with v: Double) -> String? {
        let u = unit.map { " \($0)" } ?? ""
        if !v.isFinite { return "'\(name)' must be a finite number" }
        if whole && v != v.rounded() { return "'\(name)' must be a whole number, not \(formatNumber(v))" }
        if let r = range, !r.contains(v) {
            return "'\(name)' must lie between \(formatNumber(r.lowerBound)) and \(formatNumber(r.upperBound))\(u), not \(formatNumber(v))"
        }
        return nil
    }

    /// A parameter that takes every remaining positional argument as a list.
    package static func rest(_ name: String, _ help: String) -> Parameter {
        var p = Parameter(name: name, types: [.list], defaultValue: .list([]), positional: true, unit: nil, help: help, choices: nil, isPath: false)
        p.variadic = true
        return p
    }

    /// A required positional parameter.
    package static func required(_ name: String, _ types: [ValueType], _ help: String, path: Bool = false) -> Parameter {
        Parameter(name: name, types: types, defaultValue: nil, positional: true, unit: nil, help: help, choices: nil, isPath: path)
    }
    /// An optional positional parameter (absent unless given).
    package static func optional(_ name: String, _ types: [ValueType], _ help: String, path: Bool = false) -> Parameter {
        Parameter(name: name, types: types, defaultValue: Value.none, positional: true, unit: nil, help: help, choices: nil, isPath: path)
    }
    /// A `name=value` option with a default.
    package static func option(_ name: String, _ types: [ValueType], default value: Value, unit: String? = nil,
                              choices: [String]? = nil, _ help: String) -> Parameter {
        Parameter(name: name, types: types, defaultValue: value, positional: false, unit: unit, help: help, choices: choices, isPath: false)
    }

    /// How help shows it: `map`, `[out]` or `snr=none`.
    package var signature: String {
        if !positional { return "\(name)=\(defaultValue.map { $0.type == .none ? "none" : $0.summary } ?? "…")" }
        if variadic { return "[\(name)…]" }
        return defaultValue == nil ? name : "[\(name)]"
    }
}

/// The arguments of one call, bound to the command's parameters and type-checked.
package struct Arguments {
    let values: [String: Value]
    let command: String
    let location: SourceLocation

    func error(_ message: String) -> LanguageError { LanguageError("\(command): \(message)", at: location) }

    /// The value of `name` (`.none` for an absent optional).
    package subscript(_ name: String) -> Value { values[name] ?? .none }
    /// Whether `name` was given or has a non-none default.
    package func has(_ name: String) -> Bool { if case .none = self[name] { return false }; return true }

    package func volume(_ name: String) throws(LanguageError) -> VolumeValue {
        if case .volume(let v) = self[name] { return v }
        throw error("'\(name)' must be a volume")
    }
    package func atoms(_ name: String) throws(LanguageError) -> AtomsValue {
        switch self[name] {
        case .atoms(let a): return a
        case .table(let t):
            return AtomsValue(atoms: t.atoms, source: "a table", evidence: t.map)
        default: throw error("'\(name)' must be atoms")
        }
    }
    package func number(_ name: String) throws(LanguageError) -> Double? {
        switch self[name] {
        case .number(let v): return v
        case .none: return nil
        default: throw error("'\(name)' must be a number")
        }
    }
    package func string(_ name: String) throws(LanguageError) -> String? {
        switch self[name] {
        case .string(let s): return s
        case .none: return nil
        default: throw error("'\(name)' must be a string")
        }
    }
    package func bool(_ name: String) throws(LanguageError) -> Bool {
        if case .bool(let b) = self[name] { return b }
        throw error("'\(name)' must be true or false")
    }
    /// A whole number ≥ `minimum`.
    package func count(_ name: String, minimum: Int = 0) throws(LanguageError) -> Int? {
        guard let v = try number(name) else { return nil }
        guard v == v.rounded(), v >= Double(minimum), v < 1e9 else { throw error("'\(name)' must be a whole number ≥ \(minimum), not \(formatNumber(v))") }
        return Int(v)
    }
    /// A positive number.
    package func positive(_ name: String) throws(LanguageError) -> Double? {
        guard let v = try number(name) else { return nil }
        guard v > 0 else { throw error("'\(name)' must be positive, not \(formatNumber(v))") }
        return v
    }
}

/// A command of the language, declared once: its arguments, help, teaching text and what it
/// runs. Help, `explain`, argument checking and tab completion all read this declaration.
package struct CommandDeclaration: Sendable {
    /// The command's name.
    package let name: String
    /// Its parameters, positional ones first.
    package let parameters: [Parameter]
    /// What it returns.
    package let returns: ValueType
    /// One line of help.
    package let summary: String
    /// The teaching text: what the step does, why, what the paper says, what to look at.
    package let teaching: String
    /// An example of its use.
    package let example: String
    /// Runs the command.
    package let run: @Sendable (Arguments, Interpreter) throws -> Value

    /// `name arg [opt] key=default`.
    package var usage: String { ([name] + parameters.map(\.signature)).joined(separator: " ") }

    /// The help text: usage, summary, parameters.
    package var help: String {
        var out = "\(usage)\n  \(summary)\n"
        for p in parameters {
            let types = p.types.map(\.rawValue).joined(separator: " or ")
            var line = "  \(p.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(types)"
            if let u = p.unit { line += " (\(u))" }
            if let r = p.range { line += " \(formatNumber(r.lowerBound))–\(formatNumber(r.upperBound))" }
            if let c = p.choices { line += ": " + c.joined(separator: ", ") }
            line += ". \(p.help)"
            out += line + "\n"
        }
        out += "  returns: \(returns.rawValue)\n  example: \(example)"
        return out
    }
}
