/// The nanoatoms command language: lexer, parser, values and interpreter (in progress).
public enum NanoAtomsLanguage {
    /// The language version.
    public static let version = "0.1"
}
