import Foundation
import TestSupport
import Testing

/// Issue 14: `verify` checks the read models, never cries wolf under concurrent appends, and an import
/// killed at any moment resumes to the same store.
@Suite(.serialized) struct IntegrityCommandsTests {
    let folder = TemporaryFolder()
    var store: String { folder.child("store") }

    /// Flips bit 0 of the byte after every copy of `marker` in the store's data file.
    func flipByte(after needle: [UInt8], in path: String) throws -> Int {
        let file = URL(fileURLWithPath: path + "/data.mdb")
        var bytes = Array(try Data(contentsOf: file))
        let starts = (0...(bytes.count - needle.count - 1)).filter { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        for start in starts { bytes[start + needle.count] ^= 0x01 }
        try Data(bytes).write(to: file)
        return starts.count
    }

    @Test func aDamagedReadModelFailsVerifyNamingTheModelAndTheFix() throws {
        try StoreScenario.populate(store)
        #expect(try DocketProcess.run(["verify"], store: store).status == 0)
        let backup = folder.child("backup")
        #expect(try DocketProcess.run(["backup", backup], store: store).status == 0)
        // A queue row's `priority` (its length, 2, then `P1`…`P4`) and `source` (its length, then its raw value), next
        // to each other in the hand-written row (only there: an sla row has no source): the byte after is the
        // length of the subject.
        var flipped = 0
        for priority in 1...4 {
            for source in ["email", "portal", "phone", "alert"] {
                let priorityBytes: [UInt8] = Array("P\(priority)".utf8)
                let sourceBytes: [UInt8] = Array(source.utf8)
                let needle: [UInt8] = [2] + priorityBytes + [UInt8(sourceBytes.count)] + sourceBytes
                flipped += try flipByte(after: needle, in: backup)
            }
        }
        #expect(flipped > 0)
        let run = try DocketProcess.run(["verify"], store: backup)
        #expect(run.status == 2, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("read model queue differs from the log"))
        #expect(run.stderr.contains("docket rebuild queue"))
        #expect(run.stderr.split(separator: "\n").count == 1)
        let quick = try DocketProcess.run(["verify", "--log-only"], store: backup)
        #expect(quick.status == 0, "--log-only keeps today's check of the chain and indexes: \(quick.stderr)")
        #expect(try DocketProcess.run(["rebuild", "queue"], store: backup).status == 0)
        let fixed = try DocketProcess.run(["verify", "--json"], store: backup)
        #expect(fixed.status == 0, "\(fixed.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(fixed.stdout.utf8)) as? [String: Any])
        let models = try #require(object["readModels"] as? [[String: Any]])
        #expect(models.count >= 8)
        #expect(models.allSatisfy { $0["ok"] as? Bool == true })
    }

    @Test func verifyDuringConcurrentAppendsNeverReportsDamage() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
        let lines = (0..<400).map { #"{"stream":"load-\#($0 % 7)","type":"load.noted","payload":{"n":\#($0)}}"# }
        let (writer, input, _, _) = try DocketProcess.start(["event", "append", "--stdin", "--batch", "1"], store: store)
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        var runs = 0
        while writer.isRunning || runs < 3 {
            let run = try DocketProcess.run(["verify"], store: store)
            #expect(run.status == 0, "verify run \(runs) during appends: \(run.stdout)\(run.stderr)")
            runs += 1
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(runs >= 3)
    }

    /// A cut file (the last line half written) fails past the first committed batch of 10,000 events: one line on
    /// stderr naming the line, a non-zero exit, and the log is as it was (empty).
    @Test func aCutExportFailsWithOneLineAndLeavesTheLogEmpty() throws {
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
        let lines = (0..<12_000).map { #"{"stream":"load-\#($0 % 13)","type":"load.noted","payload":{"n":\#($0)}}"# }
        #expect(try DocketProcess.run(["event", "append", "--stdin", "--batch", "1000"], store: store, stdin: lines.joined(separator: "\n")).status == 0)
        let exportFile = folder.child("log.ndjson")
        #expect(try DocketProcess.run(["export", "-o", exportFile], store: store).status == 0)
        let text = try String(contentsOfFile: exportFile, encoding: .utf8)
        let count = text.split(separator: "\n").count
        let cutFile = folder.child("cut.ndjson")
        try String(text.dropLast(40)).write(toFile: cutFile, atomically: true, encoding: .utf8)
        let target = folder.child("cut")
        let run = try DocketProcess.run(["import", cutFile], store: target)
        #expect(run.status != 0)
        #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("line \(count): ") && run.stderr.contains("nothing was imported"), "\(run.stderr)")
        // The whole file then imports as into a new store: nothing of the failed import was left to resume after.
        let whole = try DocketProcess.run(["import", exportFile], store: target)
        #expect(whole.status == 0, "\(whole.stderr)")
        #expect(!whole.stderr.contains("already holds"), "\(whole.stderr)")
        let again = folder.child("again.ndjson")
        #expect(try DocketProcess.run(["export", "-o", again], store: target).status == 0)
        #expect(try String(contentsOfFile: again, encoding: .utf8) == text)
    }

    @Test func anImportKilledAtAnyMomentResumesToTheSameStore() throws {
        // A log of a few thousand events, exported once.
        #expect(try DocketProcess.run(["init"], store: store).status == 0)
        let lines = (0..<6_000).map { #"{"stream":"load-\#($0 % 13)","type":"load.noted","payload":{"n":\#($0)}}"# }
        #expect(try DocketProcess.run(["event", "append", "--stdin", "--batch", "500"], store: store, stdin: lines.joined(separator: "\n")).status == 0)
        let exportFile = folder.child("log.ndjson")
        #expect(try DocketProcess.run(["export", "-o", exportFile], store: store).status == 0)
        let expected = try String(contentsOfFile: exportFile, encoding: .utf8)
        var random = SplitMix64(seed: UInt64(Date().timeIntervalSince1970))
        for trial in 0..<4 {
            let target = folder.child("import-\(trial)")
            // Kill the import a few times at random moments, then let a run finish.
            for _ in 0..<3 {
                let (process, _, _, _) = try DocketProcess.start(["import", exportFile], store: target)
                usleep(useconds_t(random.next() % 400_000))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            let finish = try DocketProcess.run(["import", exportFile], store: target)
            #expect(finish.status == 0, "trial \(trial): \(finish.stderr)")
            let again = folder.child("again-\(trial).ndjson")
            #expect(try DocketProcess.run(["export", "-o", again], store: target).status == 0)
            #expect(try String(contentsOfFile: again, encoding: .utf8) == expected, "trial \(trial): the logs differ")
            let verify = try DocketProcess.run(["verify"], store: target)
            #expect(verify.status == 0, "trial \(trial): \(verify.stdout)\(verify.stderr)")
        }
    }
}
