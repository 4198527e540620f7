/// Splitting a file path into its folder and its last component, without Foundation's
/// `NSString.deletingLastPathComponent`, which traps on Linux (swift-corelibs-foundation in
/// Swift 6.3.1) for a relative path with no slash, such as `--out o`.
public enum PathComponents {
    /// The folder of `path`: "" for a bare name, "/" for an entry of the root; trailing
    /// slashes are ignored, as the shell does.
    public static func folder(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return "" }
        let head = trimmingTrailingSlashes(String(trimmed[..<slash]))
        return head.isEmpty ? "/" : head
    }

    /// The last component of `path` (trailing slashes ignored).
    public static func last(of path: String) -> String {
        let trimmed = trimmingTrailingSlashes(path)
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    private static func trimmingTrailingSlashes(_ path: String) -> String {
        var s = Substring(path)
        while s.count > 1, s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }
}
