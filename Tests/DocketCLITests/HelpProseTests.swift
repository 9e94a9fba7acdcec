import Foundation
import TestSupport
import Testing

/// `--help` wraps each paragraph of a command's discussion to the terminal's width. The discussions are written across
/// source lines joined by Swift's line continuation; a line break left inside a sentence made argument-parser break
/// it there too, then wrap the rest at 80 columns, so help printed ragged (a full line, a two-word line, a full line).
/// Line breaks are kept only where they mean one: around a blank line, after a line ending in `:`, and before or after
/// an example, a list item or an indented line.
@Suite struct HelpProseTests {
    static let keepsItsLine = try! NSRegularExpression(pattern: #"^(- |\* |• |\d+[.)] |docket |\$ |\||  |#|[A-Z_]+=)"#)

    static func keepsItsLine(_ line: String) -> Bool {
        keepsItsLine.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
    }

    /// Every command's path and discussion, from `docket --experimental-dump-help`.
    static func discussions(_ command: [String: Any], path: [String]) -> [(String, String)] {
        let own = (path.joined(separator: " "), command["discussion"] as? String ?? "")
        let subcommands = command["subcommands"] as? [[String: Any]] ?? []
        return [own] + subcommands.flatMap { discussions($0, path: path + [$0["commandName"] as? String ?? "?"]) }
    }

    @Test func noDiscussionBreaksASentenceWhereTheSourceDoes() throws {
        let folder = TemporaryFolder()
        let run = try DocketProcess.runEmbedded(["--experimental-dump-help"], store: folder.child("none"))
        #expect(run.status == 0, "\(run.stderr)")
        let dump = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let all = Self.discussions(try #require(dump["command"] as? [String: Any]), path: ["docket"])
        #expect(all.filter { !$0.1.isEmpty }.count > 40, "the dump lists the commands' discussions")
        var broken: [String] = []
        for (path, discussion) in all {
            let lines = discussion.components(separatedBy: "\n")
            for (line, next) in zip(lines, lines.dropFirst())
            where !line.isEmpty && !next.isEmpty && !line.hasSuffix(":") && !line.hasSuffix("\\")
                && !Self.keepsItsLine(line) && !Self.keepsItsLine(next) {
                broken.append("\(path): …\(line.suffix(30)) / \(next.prefix(30))…")
            }
        }
        #expect(broken.isEmpty, "\(broken.count) sentences broken by a source line: \(broken.prefix(5))")
        // The other way round: an example joined into a paragraph by a line continuation runs on inside the prose
        // (`event append` printed "…as that event. One event:   docket event append --stream …" in one paragraph).
        let runOn = try NSRegularExpression(pattern: #":\s{2,}docket "#)  // an example's column, aligned with spaces
        let joined = all.flatMap { path, discussion in
            discussion.components(separatedBy: "\n").filter { line in
                !Self.keepsItsLine(line) && runOn.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil
            }.map { "\(path): \($0.prefix(60))…" }
        }
        #expect(joined.isEmpty, "examples run on inside a paragraph: \(joined)")
    }

    /// A line `--help` prints as it is written: an example command (`docket …`, `$ …`, `DOCKET_USER=… docket …`) or an
    /// indented line (an example's continuation, a table).
    static func isVerbatim(_ line: String) -> Bool {
        let text = line.drop { $0 == " " }
        return line.hasPrefix("  ") || text.hasPrefix("docket ") || text.hasPrefix("$ ")
            || text.prefix { $0 != " " }.wholeMatch(of: /[A-Z_]+=\S*/) != nil
    }

    /// `--help` wraps at 80 columns, also inside an example, which then no longer pastes as a command: every example
    /// (and indented) line of every command's discussion fits in 80 columns; a longer command is written on several
    /// lines joined by a trailing backslash, as a shell reads it.
    @Test func everyExampleLineFitsIn80Columns() throws {
        let folder = TemporaryFolder()
        let run = try DocketProcess.runEmbedded(["--experimental-dump-help"], store: folder.child("none"))
        #expect(run.status == 0, "\(run.stderr)")
        let dump = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let all = Self.discussions(try #require(dump["command"] as? [String: Any]), path: ["docket"])
        #expect(all.contains { $0.1.components(separatedBy: "\n").contains(where: Self.isVerbatim) }, "the discussions hold examples")
        let long = all.flatMap { path, discussion in
            discussion.components(separatedBy: "\n").filter { Self.isVerbatim($0) && $0.count > 80 }.map { "\(path): \($0)" }
        }
        #expect(long.isEmpty, "\(long.count) example lines over 80 columns:\n\(long.joined(separator: "\n"))")
    }
}
