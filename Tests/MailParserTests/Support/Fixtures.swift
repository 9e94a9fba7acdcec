import Foundation
import MailParser

/// The mail fixtures (`Tests/Fixtures/mail`), found relative to this file: the repository root is
/// three levels above `Tests/MailParserTests/Support`.
enum Fixtures {
    static let mailRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // MailParserTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository root
        .appendingPathComponent("Tests/Fixtures/mail")

    /// Every `.eml` file under the mail fixtures, as paths relative to ``mailRoot``, sorted.
    static let allMessages: [String] = messages(under: "")

    /// The `.eml` files under `folder` (relative to ``mailRoot``), sorted.
    static func messages(under folder: String) -> [String] {
        let base = folder.isEmpty ? mailRoot : mailRoot.appendingPathComponent(folder)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else {
            return []
        }
        let rootPath = mailRoot.standardizedFileURL.path + "/"
        var paths: [String] = []
        for case let url as URL in enumerator where url.pathExtension == "eml" {
            paths.append(String(url.standardizedFileURL.path.dropFirst(rootPath.count)))
        }
        return paths.sorted()
    }

    /// The files under `folder` (relative to ``mailRoot``) whose names end in `suffix`, sorted.
    static func files(under folder: String, suffix: String) -> [String] {
        let base = mailRoot.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { folder + "/" + $0 }
    }

    /// The bytes of the fixture at `path` (relative to ``mailRoot``).
    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: mailRoot.appendingPathComponent(path)))
    }

    /// The fixture at `path`, parsed.
    static func message(_ path: String) throws -> ParsedMessage {
        try ParsedMessage(parsing: bytes(path))
    }
}

/// `text` with every run of whitespace turned into one space, trimmed: bodies compare by words, not layout.
func normalizedWhitespace(_ text: String) -> String {
    text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
}
