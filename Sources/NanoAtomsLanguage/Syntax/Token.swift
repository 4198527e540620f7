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
    package let kind: Kind
    /// Where it starts.
    package let location: SourceLocation
}

/// The reserved words.
package let reservedWords: Set<String> = ["for", "in", "set", "true", "false"]
