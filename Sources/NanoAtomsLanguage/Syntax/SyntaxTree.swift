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

    /// Where the expression starts.
    package var location: SourceLocation {
        switch self {
        case .number(_, let l), .string(_, let l), .bool(_, let l), .list(_, let l), .variable(_, let l), .member(_, _, let l): return l
        case .call(let c): return c.location
        }
    }
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

    /// Where the statement starts.
    package var location: SourceLocation {
        switch self {
        case .assignment(_, _, let l), .forLoop(_, _, _, let l), .set(_, _, let l): return l
        case .expression(let e): return e.location
        }
    }
}
