/// A person's name as it came from outside (the display name of a mail's sender): what Docket keeps and writes back
/// into the mail it sends. A hostile sender chooses it freely — line breaks, control characters, a paragraph of text —
/// and it is copied into the `To:` header and the greeting of the acknowledgement, so it is made one line
/// (``OneLine/flattened(_:)``) and cut to ``maxCharacters``.
public enum DisplayName {
    /// The longest name kept, in characters; longer names are cut.
    public static let maxCharacters = 100

    /// `text` as a display name: one line, at most ``maxCharacters`` characters; nil when nothing is left.
    public static func fromOutside(_ text: String?) -> String? {
        guard let text else { return nil }
        var name = OneLine.flattened(text)
        if name.count > maxCharacters { name = OneLine.flattened(String(name.prefix(maxCharacters))) }
        return name.isEmpty ? nil : name
    }
}
