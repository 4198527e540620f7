/// One token of the language.
package struct Token: Sendable, Equatable {
    /// What kind of token.
    package enum Kind: Sendable, Equatable {
        /// A name: a variable, a command, a keyword argument or an option.
        case identifier(String)
        /// A number literal.
        case number(Double)
        /// A string literal, escapes resolved.
        case string(String)
        /// A reserved word (``reservedWords``).
        case keyword(String)
        /// One of `= | . , ; : ( ) [ ] { }`.
        case symbol(Character)
        /// An operator: `+ - * / ^ < <= > >= == !=`.
        case op(String)
        /// A bare path, e.g. `/data/np4.mrc` or `run1/atoms.csv` (see ``Lexer``).
        case path(String)
        /// A line break that ends a statement.
        case newline
        /// The end of the input.
        case end
    }
    /// The kind and value.
    package let kind: Kind
    /// Where it starts.
    package let location: SourceLocation
    /// Whether a space, a line start or a comment comes right before it: shell-style
    /// arguments use it, so `print a -1` passes two arguments while `a - 1` and `a-1` subtract,
    /// and `x [0]` is two values while `x[0]` indexes.
    package var spaced = true
}

/// The reserved words.
package let reservedWords: Set<String> = ["for", "in", "set", "true", "false", "and", "or", "not", "where", "if", "else", "def", "return"]
