/// An expression of the language.
package indirect enum Expression: Sendable, Equatable {
    /// A number literal.
    case number(Double, SourceLocation)
    /// A string literal.
    case string(String, SourceLocation)
    /// `true` or `false`.
    case bool(Bool, SourceLocation)
    /// `[a, b, ...]`.
    case list([Expression], SourceLocation)
    /// A variable's name.
    case variable(String, SourceLocation)
    /// `value.member`.
    case member(Expression, String, SourceLocation)
    /// A command call (pipelines become calls whose first argument is the left side).
    case call(CommandCall)
    /// `-x` or `not x`; the location is the operator's.
    case unary(UnaryOperator, Expression, SourceLocation)
    /// `a + b`, `a < b`, `a and b`, ...; the location is the operator's.
    case binary(BinaryOperator, Expression, Expression, SourceLocation)
    /// `value[index]`; the location is the bracket's.
    case index(Expression, Expression, SourceLocation)
    /// `value[from:to]`, either end optional; the location is the bracket's.
    case slice(Expression, Expression?, Expression?, SourceLocation)
    /// `atoms where condition`: the condition's bare names are the atoms' columns.
    case selection(Expression, Expression, SourceLocation)

    /// Where the expression starts.
    package var location: SourceLocation {
        switch self {
        case .number(_, let l), .string(_, let l), .bool(_, let l), .list(_, let l), .variable(_, let l): return l
        case .member(let b, _, _), .index(let b, _, _), .slice(let b, _, _, _), .selection(let b, _, _), .binary(_, let b, _, _): return b.location
        case .unary(_, _, let l): return l
        case .call(let c): return c.start
        }
    }

    /// Where an error about this expression points: the operator, bracket or member for
    /// compound ones, else the start.
    package var errorLocation: SourceLocation {
        switch self {
        case .member(_, _, let l), .index(_, _, let l), .slice(_, _, _, let l), .selection(_, _, let l), .binary(_, _, _, let l), .unary(_, _, let l): return l
        default: return location
        }
    }
}

/// A prefix operator.
package enum UnaryOperator: String, Sendable {
    case negate = "-"
    case not
}

/// An infix operator, loosest first: `or`, `and`, comparisons, `+ -`, `* /`, `^`.
package enum BinaryOperator: String, Sendable, CaseIterable {
    case or, and
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "==", notEqual = "!="
    case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"

    /// Whether it compares (and so yields true or false).
    package var isComparison: Bool { [.less, .lessOrEqual, .greater, .greaterOrEqual, .equal, .notEqual].contains(self) }
}

/// A call of a declared command with its arguments.
package struct CommandCall: Sendable, Equatable {
    /// The command's name.
    package let name: String
    /// Where the name is.
    package let location: SourceLocation
    /// Positional arguments, in order.
    package var positional: [Expression]
    /// `key=value` arguments, in order, with where each key is.
    package var keywords: [KeywordArgument]

    /// Where the call's text starts: a pipeline's left side comes before the name.
    package var start: SourceLocation { min(location, positional.first?.location ?? location) }
}

/// A `key=value` argument.
package struct KeywordArgument: Sendable, Equatable {
    /// The key.
    package let name: String
    /// The value.
    package let value: Expression
    /// Where the key is.
    package let location: SourceLocation
}

/// A statement of the language.
package indirect enum Statement: Sendable, Equatable {
    /// `name = expression`.
    case assignment(String, Expression, SourceLocation)
    /// A bare expression (the shell prints its value).
    case expression(Expression)
    /// `for name in expression { body }`.
    case forLoop(String, Expression, [Statement], SourceLocation)
    /// `set option value`.
    case set(String, Expression, SourceLocation)
    /// `if condition { … } else if … { … } else { … }`: the branches in order, a nil
    /// condition for the final `else`.
    case conditional([(condition: Expression?, body: [Statement])], SourceLocation)
    /// `def name(params) { body }`, with the `#` comment lines just above it as its help.
    case definition(FunctionDefinition)
    /// `return` or `return expression` inside a definition.
    case returnStatement(Expression?, SourceLocation)

    /// Where the statement starts.
    package var location: SourceLocation {
        switch self {
        case .assignment(_, _, let l), .forLoop(_, _, _, let l), .set(_, _, let l), .conditional(_, let l), .returnStatement(_, let l): return l
        case .definition(let d): return d.location
        case .expression(let e): return e.location
        }
    }

    package static func == (a: Statement, b: Statement) -> Bool {
        switch (a, b) {
        case (.assignment(let n, let e, let l), .assignment(let n2, let e2, let l2)): return n == n2 && e == e2 && l == l2
        case (.expression(let e), .expression(let e2)): return e == e2
        case (.forLoop(let n, let e, let b, let l), .forLoop(let n2, let e2, let b2, let l2)): return n == n2 && e == e2 && b == b2 && l == l2
        case (.set(let o, let e, let l), .set(let o2, let e2, let l2)): return o == o2 && e == e2 && l == l2
        case (.conditional(let br, let l), .conditional(let br2, let l2)):
            return l == l2 && br.count == br2.count && zip(br, br2).allSatisfy { $0.condition == $1.condition && $0.body == $1.body }
        case (.definition(let d), .definition(let d2)): return d == d2
        case (.returnStatement(let e, let l), .returnStatement(let e2, let l2)): return e == e2 && l == l2
        default: return false
        }
    }
}

/// A command the user defined with `def`.
package struct FunctionDefinition: Sendable, Equatable {
    /// Its name.
    package let name: String
    /// Its parameters' names, in order; all positional and required.
    package let parameters: [String]
    /// Its body.
    package let body: [Statement]
    /// The `#` lines right above the `def`, without the `#`: what `help NAME` shows.
    package let documentation: String
    /// Where `def` is.
    package let location: SourceLocation
}
