import Foundation
import TestSupport
import Testing

/// kill -9 during the long operations that write a new folder (a replay, a restore): what is left must never be taken
/// for a good result, and the same command run again must finish the job. Ctrl-C and SIGTERM stop them in one line.
@Suite struct LongOperationKillTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }
    static let now = "2026-11-02T12:00:00Z"

    @discardableResult
    func docket(_ arguments: [String], store path: String? = nil, stdin: String = "") throws -> DocketRun {
        try DocketProcess.run(arguments, store: path ?? store, stdin: stdin, environment: ["DOCKET_NOW": Self.now])
    }

    /// A store of `count` tooling events, enough for a replay or a restore to take a while.
    func seed(_ count: Int) throws {
        #expect(try docket(["init"]).status == 0)
        let lines = (0..<count).map { #"{"stream":"load-\#($0 % 97)","type":"load.noted","payload":{"i":\#($0)}}"# }
        let appended = try docket(["event", "append", "--stdin", "--batch", "5000"], stdin: lines.joined(separator: "\n"))
        #expect(appended.status == 0, "\(appended.stderr)")
    }

    /// Each read model's name, checkpoint, entries and digest.
    func digests(of path: String) throws -> [String] {
        let run = try DocketProcess.run(["stats", "--read-models", "--json"], store: path)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let models = try #require(json["readModels"] as? [[String: Any]])
        return models.map { "\($0["name"] ?? "") \($0["checkpoint"] ?? "") \($0["entries"] ?? "") \($0["sha256"] ?? "")" }
    }

    /// Starts `docket arguments` and kills it (SIGKILL) half way: it is stopped (SIGSTOP) as soon as `reached` holds for
    /// its process id, and killed there unless `done` holds by then (a busy machine ran it to its end before the test
    /// looked), when it is let go on and must finish. Returns whether it was killed half way.
    ///
    /// Stopped first, so that what the test finds is what the kill left: a kill sent a fixed while after the work began
    /// could land after the work was done and before the process had ended, and the finished result was taken for one
    /// cut short.
    func killHalfWay(
        _ arguments: [String], store path: String? = nil, environment: [String: String] = ["DOCKET_NOW": LongOperationKillTests.now],
        once reached: (pid_t) -> Bool, unless done: (pid_t) -> Bool
    ) throws -> Bool {
        let (process, input, _, error) = try DocketProcess.start(arguments, store: path ?? store, environment: environment)
        try input.fileHandleForWriting.close()
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(20)
        while process.isRunning, Date() < deadline, !reached(pid) { usleep(500) }
        if process.isRunning {
            kill(pid, SIGSTOP)
            kill(pid, done(pid) ? SIGCONT : SIGKILL)
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit else { return true }
        let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(arguments) failed: \(stderr)")
        return false
    }

    /// Starts `docket arguments`, waits `delay` and kills it with SIGKILL. Returns whether it had already finished.
    func killRun(_ arguments: [String], after delay: useconds_t) throws -> Bool {
        let (process, input, _, _) = try DocketProcess.start(arguments, store: store, environment: ["DOCKET_NOW": Self.now])
        try input.fileHandleForWriting.close()
        usleep(delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return process.terminationReason == .exit
    }

    /// Whether `path` is a folder, or a file of at least `bytes` bytes.
    func holds(_ path: String, atLeast bytes: Int = 0) -> Bool {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return false }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return isFolder.boolValue || size >= bytes
    }

    /// The names in `path` that start with one of `prefixes`.
    func names(in path: String, startingWith prefixes: [String]) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { name in prefixes.contains { name.hasPrefix($0) } }
    }

    @Test func aReplayKilledHalfWayLeavesNoStoreAndTheSameReplayFinishesTheJob() throws {
        try seed(20_000)
        let reference = folder.child("reference")
        #expect(try docket(["replay", "--as-of", Self.now, "--into", reference, "--standalone"]).status == 0)
        let expected = try digests(of: reference)
        let into = folder.child("as-of")
        var killed = 0
        for trial in 0..<4 {
            let mode = trial.isMultiple(of: 2) ? ["--standalone"] : []
            let replay = ["replay", "--as-of", Self.now, "--into", into, "--no-snapshots"] + mode
            // Killed once its hidden folder is made, then once the store it builds there is made.
            let building = { (pid: pid_t) in into + "/.building-\(pid)" + (trial < 2 ? "" : "/data.mdb") }
            if try killHalfWay(replay, once: { holds(building($0)) }, unless: { _ in holds(into + "/data.mdb") }) {
                // Killed half way, the folder is no store (never a log prefix or half-folded models that open and answer).
                killed += 1
                let opened = try DocketProcess.run(["stats"], store: into)
                #expect(opened.status == 66, "trial \(trial) \(mode): a cut-short replay opened as a store: \(opened.stdout)")
                #expect(opened.stderr.contains("cut short"), "trial \(trial): \(opened.stderr)")
                // The same replay again clears what was left and finishes.
                let again = try docket(replay)
                #expect(again.status == 0, "trial \(trial) \(mode): \(again.stderr)")
            }
            #expect(try digests(of: into) == expected, "trial \(trial) \(mode)")
            try FileManager.default.removeItem(atPath: into)
        }
        #expect(killed > 0, "every run finished before it was killed")
    }

    @Test func aRestoreKilledHalfWayLeavesNoStoreAndTheSameRestoreFinishesTheJob() throws {
        try seed(20_000)
        let backup = folder.child("backup")
        #expect(try docket(["backup", backup]).status == 0)
        let expected = try digests(of: store)
        let into = folder.child("restored")
        var killed = 0
        // Killed once its hidden folder is made, once the copy is in it, once the copy's verification has begun (its
        // scratch rebuild), and once that rebuild has written a megabyte.
        let steps = ["", "/data.mdb", "/verify-scratch-PID", "/verify-scratch-PID/data.mdb"]
        for trial in 0..<4 {
            let restore = ["restore", backup, into]
            let building = { (pid: pid_t) in into + "/.building-\(pid)" + steps[trial].replacingOccurrences(of: "PID", with: "\(pid)") }
            let reached = { (pid: pid_t) in holds(building(pid), atLeast: trial == 3 ? 1 << 20 : 0) }
            if try killHalfWay(restore, once: reached, unless: { _ in holds(into + "/data.mdb") }) {
                // Killed half way, the folder is no store (never a copy that was not verified yet).
                killed += 1
                let opened = try DocketProcess.run(["stats"], store: into)
                #expect(opened.status == 66, "trial \(trial): a cut-short restore opened as a store: \(opened.stdout)")
                #expect(opened.stderr.contains("cut short"), "trial \(trial): \(opened.stderr)")
                // The same restore again clears what was left and finishes.
                let again = try docket(restore)
                #expect(again.status == 0, "trial \(trial): \(again.stderr)")
            }
            #expect(try digests(of: into) == expected, "trial \(trial)")
            #expect(try docket(["verify"], store: into).status == 0, "trial \(trial)")
            try FileManager.default.removeItem(atPath: into)
        }
        #expect(killed > 0, "every run finished before it was killed")
    }

    /// Ctrl-C (SIGINT) and SIGTERM during a rebuild: one line on stderr saying so and how to finish, exit 130 or 143
    /// (documented); it died of the signal without a word. The next open finishes the job.
    @Test(arguments: [(SIGINT, Int32(130), "interrupted (Ctrl-C)"), (SIGTERM, Int32(143), "stopped by SIGTERM")])
    func anInterruptStopsALongCommandInOneLine(signal: Int32, status: Int32, words: String) throws {
        try seed(20_000)
        let expected = try digests(of: store)
        var interrupted = 0
        for trial in 0..<4 {
            // Through env(1) with the signals' default actions: the test runner may have them ignored, and docket
            // keeps a signal ignored when it starts (as a shell's background job has SIGINT).
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["--default-signal=INT,TERM", DocketProcess.executable, "rebuild"]
            var environment = ProcessInfo.processInfo.environment
            (environment["DOCKET_STORE"], environment["DOCKET_USER"]) = (store, "ann")
            environment.removeValue(forKey: "DOCKET_NOW")
            process.environment = environment
            let error = Pipe()
            (process.standardInput, process.standardOutput, process.standardError) = (FileHandle.nullDevice, FileHandle.nullDevice, error)
            try process.run()
            // Signalled once docket catches the signal (its handler installed: the bit in /proc/PID/status's SigCgt),
            // then a while into the rebuild: a signal sent before, while a loaded machine was still starting the
            // process, ended it before it could say anything (as it ends any program).
            try Self.waitUntilCaught(signal, by: process.processIdentifier)
            usleep(useconds_t(trial * 40_000))
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            let stderr = String(decoding: error.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            guard process.terminationReason != .exit || process.terminationStatus != 0 else { continue }  // it had finished
            interrupted += 1
            #expect(process.terminationReason == .exit, "trial \(trial): it died of the signal")
            #expect(process.terminationStatus == status, "trial \(trial)")
            #expect(stderr.hasPrefix("docket: \(words);") && stderr.filter { $0 == "\n" }.count == 1, "trial \(trial): \(stderr)")
            #expect(try digests(of: store) == expected, "trial \(trial)")
        }
        #expect(interrupted > 0, "every rebuild finished before the signal")
    }

    /// Waits (up to ten seconds) until process `pid` has a handler for `signal`, or has ended.
    static func waitUntilCaught(_ signal: Int32, by pid: Int32) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return }
            if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigCgt:") }),
                let mask = UInt64(line.dropFirst("SigCgt:".count).trimmingCharacters(in: .whitespaces), radix: 16),
                mask & (1 << UInt64(signal - 1)) != 0
            {
                return
            }
            usleep(2_000)
        }
        Issue.record("docket did not catch signal \(signal) within ten seconds")
    }

    /// A verify or a snapshot take killed half way left its scratch folder (the rebuilt read models, a replay) in the
    /// store folder for good, unseen by stats and snapshot list; the next verify, replay or snapshot take removes it.
    @Test func theScratchFolderOfAKilledVerifyOrSnapshotTakeIsRemovedByTheNextRun() throws {
        #expect(try DocketProcess.run(["init"], store: store, environment: ["DOCKET_NOW": "2026-08-01T00:00:00Z"]).status == 0)
        for (i, month) in ["2026-08-15", "2026-09-15", "2026-10-15", "2026-11-01"].enumerated() {
            let lines = (0..<5_000).map { #"{"stream":"load-\#($0 % 97)","type":"load.noted","payload":{"i":\#($0)}}"# }
            let appended = try DocketProcess.run(
                ["event", "append", "--stdin", "--batch", "5000"], store: store, stdin: lines.joined(separator: "\n"),
                environment: ["DOCKET_NOW": "\(month)T0\(i):00:00Z"])
            #expect(appended.status == 0, "\(appended.stderr)")
        }
        let snapshots = store + "/snapshots"
        var killed = (verify: 0, take: 0)
        // A snapshot take's own scratch folders: its replay (.scratch-PID) and the snapshots it is writing (.taking-…-PID-N).
        let taking = { (pid: pid_t) in
            names(in: snapshots, startingWith: [".scratch-", ".taking-"]).filter { $0 == ".scratch-\(pid)" || $0.contains("-\(pid)-") }
        }
        for trial in 0..<3 {
            // Killed once its scratch folder is made, once the store it rebuilds there is made, and once that has a megabyte.
            let scratch = { (pid: pid_t) in self.store + "/verify-scratch-\(pid)" + (trial == 0 ? "" : "/data.mdb") }
            let verified = { (pid: pid_t) in !holds(self.store + "/verify-scratch-\(pid)") }
            if try killHalfWay(["verify"], once: { holds(scratch($0), atLeast: trial == 2 ? 1 << 20 : 0) }, unless: verified) {
                killed.verify += 1
            }
            if try killHalfWay(["snapshot", "take"], once: { !taking($0).isEmpty }, unless: { taking($0).isEmpty }) {
                killed.take += 1
            }
            try? FileManager.default.removeItem(atPath: snapshots + "/2026-10")  // another one to take next time
        }
        #expect(killed.verify > 0 && killed.take > 0, "every run finished before it was killed: \(killed)")
        #expect(try docket(["verify"]).status == 0)
        #expect(names(in: store, startingWith: ["verify-scratch-"]) == [])
        #expect(try docket(["snapshot", "take"]).status == 0)
        #expect(names(in: snapshots, startingWith: ["."]) == [])
        #expect(names(in: snapshots, startingWith: ["2026-"]).sorted() == ["2026-08", "2026-09", "2026-10"])
    }

    /// A rebuild killed half way leaves the read models behind the log (the next open catches them up): verify called
    /// every one of them damaged (exit 2, "run docket rebuild X" eight times), which it is not. It now compares each
    /// with the rebuild at its own checkpoint, says in a note that they are behind, and passes.
    @Test func verifyAfterAKilledRebuildSaysTheModelsAreBehindNotDamaged() throws {
        try seed(60_000)
        // Killed at a fifth to four fifths of the time a whole rebuild takes here (the machine may be busy).
        let start = Date()
        #expect(try docket(["rebuild"]).status == 0)
        let whole = Date().timeIntervalSince(start)
        var behind = 0
        for trial in 0..<8 where behind < 2 {
            _ = try killRun(["rebuild"], after: useconds_t(whole * Double(1 + trial % 4) / 5 * 1_000_000))
            let verify = try DocketProcess.run(["verify"], store: store)
            #expect(verify.status == 0, "trial \(trial): \(verify.stdout)\(verify.stderr)")
            if verify.stderr.contains("behind the log") {
                behind += 1
                let json = try DocketProcess.run(["verify", "--json"], store: store)
                #expect(json.status == 0 && json.stdout.contains("\"behindAt\""), "trial \(trial): \(json.stdout)")
            }
        }
        #expect(behind > 0, "no rebuild was killed half way")
    }

    /// An import killed half way left a store holding the first part of the log that opened, verified clean and took
    /// writes (after which the rest could never be imported). Every other command now refuses it, naming the import
    /// that finishes it; that import resumes and the store is then the exported one.
    @Test func aStoreWhoseImportWasCutShortIsRefusedUntilTheImportIsRunAgain() throws {
        try seed(20_000)
        let export = folder.child("log.ndjson")
        #expect(try docket(["export", "-o", export]).status == 0)
        let expected = try digests(of: store)
        var refused = 0
        for trial in 0..<4 {
            let target = folder.child("imported-\(trial)")
            // Killed once the store is made, once it holds a megabyte and three, and once the log is in (its anchor
            // written) and the read models are being built.
            let reached = [
                { holds(target + "/data.mdb") }, { holds(target + "/data.mdb", atLeast: 1 << 20) },
                { holds(target + "/data.mdb", atLeast: 3 << 20) }, { holds(target + "/anchors") },
            ][trial]
            let imported = { (_: pid_t) in !holds(target + "/IMPORTING") }
            if try killHalfWay(["import", export], store: target, environment: [:], once: { _ in reached() }, unless: imported) {
                let opened = try DocketProcess.run(["stats"], store: target)
                if opened.status != 66 {  // 66: killed before the store was made
                    #expect(opened.status == 6, "trial \(trial): a cut-short import opened as a store: \(opened.stdout)")
                    #expect(opened.stderr.contains("docket import \(export) --store \(target)"), "trial \(trial): \(opened.stderr)")
                    refused += 1
                }
                let again = try DocketProcess.run(["import", export], store: target)
                #expect(again.status == 0, "trial \(trial): \(again.stderr)")
            }
            #expect(try digests(of: target) == expected, "trial \(trial)")
        }
        #expect(refused > 0, "no import was killed half way")
    }

    /// A backup killed half way into an empty folder (a mount point) left files there without a manifest, and the same
    /// backup again was refused ("not empty"); into a new folder it left its hidden `.NAME.partial-PID` beside it for
    /// good. Now neither: what a killed backup left is cleared by the next one to the same folder, which restores.
    @Test func aBackupKilledHalfWayIsClearedByTheSameBackupRunAgain() throws {
        try seed(20_000)
        let mounted = folder.child("mounted")
        let fresh = folder.child("fresh")
        var killed = 0
        for trial in 0..<6 {
            let into = trial.isMultiple(of: 2) ? mounted : fresh
            try? FileManager.default.removeItem(atPath: into)
            if into == mounted { try FileManager.default.createDirectory(atPath: mounted, withIntermediateDirectories: true) }
            // Killed once its hidden folder is made (inside an empty folder, beside a new one), once the copy of the
            // store is begun there, and once it holds a megabyte.
            let hidden = { (pid: pid_t) in into == mounted ? mounted + "/.building-\(pid)" : self.folder.child(".fresh.partial-\(pid)") }
            let reached = { (pid: pid_t) in holds(hidden(pid) + (trial < 2 ? "" : "/data.mdb"), atLeast: trial < 4 ? 0 : 1 << 20) }
            if try killHalfWay(["backup", into], once: reached, unless: { _ in holds(into + "/MANIFEST.json") }) {
                killed += 1
                if into == mounted {
                    // What it left is no backup, and a restore says what it is.
                    let refused = try docket(["restore", into, folder.child("not-restored-\(trial)")])
                    #expect(refused.status == 2 && refused.stderr.contains("cut short"), "trial \(trial): \(refused.stderr)")
                }
                let again = try docket(["backup", into])
                #expect(again.status == 0, "trial \(trial): \(again.stderr)")
            }
            #expect(names(in: folder.path, startingWith: [".fresh.partial-"]) == [], "trial \(trial)")
            #expect(names(in: into, startingWith: ["."]) == [], "trial \(trial)")
            let restored = folder.child("restored-\(trial)")
            let restore = try docket(["restore", into, restored])
            #expect(restore.status == 0, "trial \(trial): \(restore.stderr)")
        }
        #expect(killed > 0, "every backup finished before it was killed")
    }

    /// An export -o killed half way leaves no FILE (only its hidden temporary file), and the next export to the same
    /// FILE removes that temporary file: each killed export left one for good.
    @Test func theTemporaryFileOfAKilledExportIsRemovedByTheNextExport() throws {
        try seed(20_000)
        let output = folder.child("exports")
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let file = output + "/log.ndjson"
        var killed = 0
        for trial in 0..<3 {
            // Killed once its temporary file is made, once it holds a megabyte, and once it holds four.
            let partial = { (pid: pid_t) in holds(output + "/.log.ndjson.partial-\(pid)", atLeast: [0, 1 << 20, 4 << 20][trial]) }
            if try killHalfWay(["export", "-o", file], once: partial, unless: { _ in holds(file) }) {
                killed += 1
                #expect(!FileManager.default.fileExists(atPath: file), "trial \(trial): a cut-short export has the file's name")
            }
            try? FileManager.default.removeItem(atPath: file)
        }
        #expect(killed > 0, "every export finished before it was killed")
        #expect(try docket(["export", "-o", file]).status == 0)
        #expect(names(in: output, startingWith: ["."]) == [])
    }
}
