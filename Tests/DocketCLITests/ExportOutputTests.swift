import Foundation
import TestSupport
import Testing

/// `docket export` on a destination that cannot take it all: a full disk, a file size limit.
@Suite(.serialized) struct ExportOutputTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    /// Runs `docket export args…` from a shell that first sets `setup` (its stdout: `stdout`), for what a test cannot set
    /// on a `Process`: a file size limit, with SIGXFSZ ignored so that a write past it fails with EFBIG, as on a full disk.
    func export(_ arguments: [String], setup: String, stdout: String = "/dev/null") throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quoted = ([DocketProcess.executable, "export"] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "\(setup); exec \(quoted) > '\(stdout)'"]
        var environment = ProcessInfo.processInfo.environment
        (environment["DOCKET_STORE"], environment["DOCKET_USER"]) = (store, "ann")
        environment.removeValue(forKey: "DOCKET_NOW")
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash is a plain exit status, not 30 seconds of symbolication
        process.environment = environment
        let error = Pipe()
        process.standardError = error
        try process.run()
        let text = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// A write that failed (here: a 2 KiB file size limit, as a full disk fails it) crashed `docket export -o FILE`
    /// with a backtrace (exit 132) and left FILE holding the export's first lines, which `docket import` takes
    /// without complaint when the cut falls at a line's end. Now one line naming the file and the reason (exit 73),
    /// and no file at all: the export is written beside FILE and renamed only once complete.
    @Test func anExportThatCannotBeWrittenFailsInOneLineAndLeavesNoFile() throws {
        try StoreScenario.populate(store)
        let output = folder.child("store.ndjson")
        let run = try export(["-o", output], setup: "trap '' XFSZ; ulimit -f 4")
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("docket: error: cannot write the export to \(output) ("), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["store"], "nothing left beside it")
        // The same export with room is whole, owner-only, and imports.
        let whole = try export(["-o", output], setup: ":")
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: output)[.posixPermissions] as? Int == 0o600)
        #expect(try DocketProcess.run(["import", output], store: folder.child("copy")).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["copy", "store", "store.ndjson"])
    }

    /// Exporting to stdout on a full disk (`> /dev/full`) crashed with a backtrace (exit 132); now one line, exit 73.
    @Test func anExportToAFullStdoutFailsInOneLine() throws {
        try StoreScenario.populate(store)
        let run = try export([], setup: ":", stdout: "/dev/full")
        #expect(run.status == 73, "\(run.stderr)")
        #expect(run.stderr == "docket: error: cannot write the export to stdout (No space left on device); nothing usable was written; export to a disk with room (-o FILE)\n")
    }

    /// An export made with `--from` imported into a store holding exactly the events before it was refused as
    /// "line 1: position 40 where 1 was expected", though the store held 39: the import builds a log from its first
    /// event. The refusal now says what the file is and what an import takes (nothing imported, exit 65, as before).
    @Test func anExportMadeWithFromIsRefusedByImportSayingWhy() throws {
        try StoreScenario.populate(store)
        let tail = folder.child("tail.ndjson")
        #expect(try DocketProcess.run(["export", "--from", "3", "-o", tail], store: store).status == 0)
        let run = try DocketProcess.run(["import", tail], store: folder.child("copy"))
        #expect(run.status == 65, "\(run.stderr)")
        #expect(
            run.stderr == "docket: error: line 1: the file starts at position 3, not 1 (an export made with --from): an import "
                + "takes the whole log; export again without --from, or copy the store with `docket backup` and `docket restore`; "
                + "nothing was imported\n")
        // The store folder the refused import made is gone again (it was left behind, empty); a store that was there
        // before stays.
        #expect(!FileManager.default.fileExists(atPath: folder.child("copy")))
        #expect(try DocketProcess.run(["init"], store: folder.child("kept")).status == 0)
        #expect(try DocketProcess.run(["import", tail], store: folder.child("kept")).status == 65)
        #expect(FileManager.default.fileExists(atPath: folder.child("kept") + "/data.mdb"))
    }

    /// `-o` onto a named pipe replaced the pipe with a regular file (the export went to the file, the reader waited on
    /// the pipe that was gone) and `-o` onto a symbolic link replaced the link: the export was staged beside the name and
    /// renamed over it. A pipe is now written in place, and a link's target is the file replaced.
    @Test func anExportToAPipeOrALinkKeepsIt() throws {
        try StoreScenario.populate(store)
        let expected = try DocketProcess.run(["export"], store: store)
        #expect(expected.status == 0 && !expected.stdout.isEmpty, "\(expected.stderr)")

        let fifo = folder.child("export.fifo")
        let received = folder.child("received.ndjson")
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/sh")
        reader.arguments = ["-c", "exec cat '\(fifo)' > '\(received)'"]
        try reader.run()
        let toPipe = try export(["-o", fifo], setup: ":")
        if !isFIFO(fifo) { kill(reader.processIdentifier, SIGKILL) }  // the pipe is gone: nobody will write to it
        reader.waitUntilExit()
        #expect(toPipe.status == 0, "\(toPipe.stderr)")
        #expect(isFIFO(fifo), "the pipe is still a pipe")
        #expect(String(decoding: FileManager.default.contents(atPath: received) ?? Data(), as: UTF8.self) == expected.stdout)

        let target = folder.child("target.ndjson")
        let link = folder.child("latest.ndjson")
        #expect(FileManager.default.createFile(atPath: target, contents: Data("old\n".utf8)))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.ndjson")
        let toLink = try export(["-o", link], setup: ":")
        #expect(toLink.status == 0, "\(toLink.stderr)")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.ndjson", "the link is still a link")
        #expect(String(decoding: FileManager.default.contents(atPath: target) ?? Data(), as: UTF8.self) == expected.stdout)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.contains(".partial-") }))
    }

    private func isFIFO(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
    }
}
