import Foundation

/// What the operators do to values: arithmetic and comparisons on numbers, element-wise on
/// lists (a column is a list of numbers, so `tab.uiso * 8 * pi^2` converts every atom's Uiso);
/// `and`, `or`, `not` on true/false, element-wise on lists of them; `+` joins strings.
/// Arithmetic follows IEEE 754: 1/0 is inf, 0/0 is nan, and nan compares false.
enum Operators {
    /// Lists nested deeper than this are refused: element-wise work recurses once per level,
    /// and a loop can nest a list a million deep (x = [x]).
    static let maximumNesting = 100

    /// `op value`.
    static func apply(_ op: UnaryOperator, _ v: Value, at: SourceLocation, depth: Int = 0) throws(LanguageError) -> Value {
        guard depth <= maximumNesting else { throw nestingError(at) }
        switch (op, v) {
        case (.negate, .number(let x)): return .number(-x)
        case (.not, .bool(let b)): return .bool(!b)
        case (_, .list(let items)):
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for i in items { out.append(try apply(op, i, at: at, depth: depth + 1)) }
            return .list(out)
        case (.negate, _):
            throw LanguageError("cannot negate \(article(v)) (only numbers and lists of numbers)", at: at)
        case (.not, _):
            throw LanguageError("'not' needs true or false, not \(article(v)) (compare first, e.g. not (cn < 9))", at: at)
        }
    }

    /// `a op b` for every operator but `and` and `or` on single values (the interpreter
    /// short-circuits those).
    static func apply(_ op: BinaryOperator, _ a: Value, _ b: Value, at: SourceLocation, depth: Int = 0) throws(LanguageError) -> Value {
        guard depth <= maximumNesting else { throw nestingError(at) }
        switch (a, b) {
        case (.list(let l), .list(let r)):
            guard l.count == r.count else {
                throw LanguageError("'\(op.rawValue)' needs lists of the same length, not \(l.count) and \(r.count) items", at: at)
            }
            var out: [Value] = []
            out.reserveCapacity(l.count)
            for (x, y) in zip(l, r) { out.append(try apply(op, x, y, at: at, depth: depth + 1)) }
            return .list(out)
        case (.list(let l), _):
            var out: [Value] = []
            out.reserveCapacity(l.count)
            for x in l { out.append(try apply(op, x, b, at: at, depth: depth + 1)) }
            return .list(out)
        case (_, .list(let r)):
            var out: [Value] = []
            out.reserveCapacity(r.count)
            for y in r { out.append(try apply(op, a, y, at: at, depth: depth + 1)) }
            return .list(out)
        case (.number(let x), .number(let y)):
            if let b = compare(op, x, y) { return .bool(b) }
            switch op {
            case .add: return .number(x + y)
            case .subtract: return .number(x - y)
            case .multiply: return .number(x * y)
            case .divide: return .number(x / y)
            case .power: return .number(Foundation.pow(x, y))
            default: break
            }
        case (.string(let x), .string(let y)):
            if let b = compare(op, x, y) { return .bool(b) }
            if op == .add { return .string(x + y) }
        case (.bool(let x), .bool(let y)):
            switch op {
            case .and: return .bool(x && y)
            case .or: return .bool(x || y)
            case .equal: return .bool(x == y)
            case .notEqual: return .bool(x != y)
            default: break
            }
        default:
            // Values of different kinds are never equal.
            if op == .equal { return .bool(false) }
            if op == .notEqual { return .bool(true) }
        }
        if op == .and || op == .or {
            throw LanguageError("'\(op.rawValue)' needs true or false on both sides, not \(article(a)) and \(article(b))", at: at)
        }
        throw LanguageError("cannot \(verb(op)) \(article(a)) and \(article(b))", at: at)
    }

    private static func nestingError(_ at: SourceLocation) -> LanguageError {
        LanguageError("lists nested more than \(maximumNesting) deep: operators work on numbers and on lists of them", at: at)
    }

    /// `x op y` for a comparison, nil for other operators.
    private static func compare<T: Comparable>(_ op: BinaryOperator, _ x: T, _ y: T) -> Bool? {
        switch op {
        case .less: return x < y
        case .lessOrEqual: return x <= y
        case .greater: return x > y
        case .greaterOrEqual: return x >= y
        case .equal: return x == y
        case .notEqual: return x != y
        default: return nil
        }
    }

    private static func verb(_ op: BinaryOperator) -> String {
        switch op {
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        case .power: return "raise to a power"
        default: return "compare (\(op.rawValue))"
        }
    }

    /// "a number", "a string", "atoms", ...: how a message names a value's kind.
    static func article(_ v: Value) -> String {
        switch v.type {
        case .atoms: return "atoms"
        case .none: return "nothing"
        case .any: return "a value"
        default: return "a \(v.type.rawValue)"
        }
    }
}
