/// One token of the language.
public struct Token: Sendable, Equatable {
    /// What kind of token.
    public enum Kind: Sendable, Equatable {
        /// A name: a variable, a command, a keyword argument or an option.
        case identifier(String)
        /// A number literal.
        case number(Double)
        /// A string literal, escapes resolved.
        case string(String)
        /// `for`, `in`, `set`, `true` or `false`.
        case keyword(String)
        /// One of `= | . , ; ( ) [ ] { }`.
        case symbol(Character)
        /// A line break that ends a statement.
        case newline
        /// The end of the input.
        case end
    }
    /// The kind and value.
    public let kind: Kind
    /// Where it starts.
    public let location: SourceLocation
}

/// The reserved words.
public let reservedWords: Set<String> = ["for", "in", "set", "true", "false"]
