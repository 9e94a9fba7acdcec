import Foundation
import TestSupport
import Testing

/// `docket serve` refusing to start: an address in use, a socket in use or a --socket at a regular file each gave
/// exit 1 with NIO's bare `bind(...)` error or a debug dump of the problem; now one line naming it and the fix, exit 73.
@Suite(.serialized) struct ServeStartupTests {
    @Test func anAddressOrSocketInUseIsNamedWithItsFix() throws {
        let served = ServedStore()
        #expect(try served.docket(["init"]).status == 0)
        try served.start()
        let port = try #require(served.address.split(separator: ":").last.map(String.init))
        let cases: [([String], [String])] = [
            (["--listen", "127.0.0.1:\(port)", "--no-socket"], ["cannot listen on http://127.0.0.1:\(port)", "already in use", "--listen"]),
            (["--listen", "127.0.0.1:0"], ["another server is already listening on \(served.socket)", "stop it first"]),
            // A port in use beside a free socket: refused before the socket listens. It said "docket: listening on
            // unix:…" on stdout, then HummingbirdCore's "Waiting on child channel: CancellationError()", then the error.
            (["--listen", "127.0.0.1:\(port)", "--socket", served.folder.child("other.sock")], ["cannot listen on http://127.0.0.1:\(port)", "already in use"]),
        ]
        let file = served.folder.child("regular-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for (arguments, expected) in cases + [(["--listen", "127.0.0.1:0", "--socket", file], ["\(file) exists and is not a socket"])] {
            let run = try served.docket(["serve"] + arguments)
            #expect(run.status == 73, "\(arguments): \(run.stderr)")
            let lines = run.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(run.stderr)")
            #expect(lines.first?.hasPrefix("docket: error: ") == true, "\(run.stderr)")
            for text in expected { #expect(run.stderr.contains(text), "\(arguments): \(run.stderr)") }
            #expect(!run.stderr.contains("Problem("), "no debug dump")
            #expect(!run.stdout.contains("listening"), "\(arguments): nothing listened: \(run.stdout)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("x".utf8), "the file is left as it was")
        #expect(!FileManager.default.fileExists(atPath: served.folder.child("other.sock")), "no socket made")
    }
}
