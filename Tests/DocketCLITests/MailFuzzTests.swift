import DocketApp
import Domain
import EventLog
import Foundation
import LMDB
import MailParser
import TestSupport
import Testing

/// Seeded random damage to the shared mail corpora, fed through email intake in process (parser, then
/// `receiveMail`, or `receiveUnparsedMail` when the parser refuses): no crash, no hang, and no partial write —
/// after each message the log either did not move or gained exactly the events of one append to one ticket.
///
/// `DOCKET_FUZZ_COUNT` sets the number of mutated messages (default 10,000, split over two shards that run
/// in parallel); `DOCKET_FUZZ_SEED` the seed (default fixed, so a failure reproduces). See docs/intake.md.
@Suite struct MailFuzzTests {
    static let shards = 2

    static var count: Int {
        ProcessInfo.processInfo.environment["DOCKET_FUZZ_COUNT"].flatMap { Int($0) } ?? 10_000
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["DOCKET_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x5EED_D0C4_E7
    }

    /// The raw bytes of every corpus message.
    static let corpus: [[UInt8]] = {
        let root = MailCorpusIntakeTests.corpora.path
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".eml") }.sorted()
        return files.compactMap { FileManager.default.contents(atPath: root + "/" + $0).map { [UInt8]($0) } }
    }()

    /// The longest one message may take through parsing and intake (a debug build on a slow machine).
    static let perMessageLimit: Duration = .seconds(2)

    @Test(arguments: 0..<shards)
    func mutatedMessagesNeverCrashHangOrWritePartially(shard: Int) throws {
        let corpus = Self.corpus
        try #require(corpus.count >= 200, "the mail corpora in Tests/Fixtures/mail are missing")
        let total = Self.count / Self.shards + (shard < Self.count % Self.shards ? 1 : 0)
        var seeding = SplitMix64(seed: Self.seed ^ UInt64(shard + 1) &* 0xD1B5_4A32_D192_ED03)
        var random = SplitMix64(seed: seeding.next())  // shards draw unrelated sequences
        let seed = "DOCKET_FUZZ_SEED=\(Self.seed) DOCKET_FUZZ_COUNT=\(Self.count)"

        let folder = TemporaryFolder("docket-fuzz")
        let clock = ManualClock("2026-11-02T09:00:00Z")
        var options = Environment.Options()
        options.durable = false
        let models = ReadModels()
        let store = try EventStore(path: folder.child("store"), options: options, clock: clock, projections: models.all)
        let service = DocketApplication(store: store, models: models, clock: clock)
        try service.directory.bootstrapAdmin(login: "ann", name: "Ann Admin", email: "ann@msp.example")
        try service.directory.user("intake", .add(AddUser(login: "intake", name: "Intake", email: "intake@msp.example", role: .dispatcher)), as: "ann")
        for (code, domains) in [("triage", [String]()), ("ddd", ["ddd.com"]), ("gmail", ["gmail.com"])] {
            try service.directory.client(
                code, .register(RegisterClient(code: code, name: code, domains: domains, timeZone: "UTC", currency: "USD")), as: "ann")
        }
        _ = try service.directory.addContact(to: "ddd", ContactDetails(name: "John Doe", email: "bbb@ddd.com"), as: "ann")
        var policy = MailPolicy(triageClient: "triage", attachmentsFolder: folder.child("attachments"))
        policy.reopenWindowMilliseconds = 86_400_000

        let watchdog = Watchdog(limit: 30, label: "shard \(shard), \(seed)")
        defer { watchdog.stop() }
        var tally: [String: Int] = [:]
        var slowest: Duration = .zero
        let clockTime = ContinuousClock()
        for index in 0..<total {
            var message = corpus[Int(random.next() % UInt64(corpus.count))]
            let mutations = 1 + Int(random.next() % 4)
            for _ in 0..<mutations { Mutator.mutate(&message, &random) }
            clock.advance(milliseconds: Int64(random.next() % 3_600_000))
            watchdog.started(index)

            let before = try store.head().position
            var outcome: MailOutcome?
            var failure: (any Error)?
            let took = clockTime.measure {
                do {
                    do {
                        let parsed = try ParsedMessage(parsing: message)
                        outcome = try service.intake.receiveMail(parsed, raw: message, policy: policy, as: "intake")
                    } catch let error as MailParseError where error.code != .emptyInput {
                        outcome = try service.intake.receiveUnparsedMail(message, error: error, policy: policy, as: "intake")
                        tally["unreadable (kept whole)", default: 0] += 1
                    }
                } catch {
                    failure = error
                }
            }
            slowest = max(slowest, took)
            #expect(took < Self.perMessageLimit, "message \(index) (shard \(shard), \(seed)) took \(took)")

            let after = try store.head().position
            let written = after >= before ? try store.read(from: before + 1, limit: Int(after - before)) : []
            let what = "message \(index) (shard \(shard), \(seed)): \(outcome.map { "\($0)" } ?? "\(failure.map { "\($0)" } ?? "")")"
            switch outcome {
            case .duplicate?, .dropped?, nil:
                #expect(after == before, "nothing may be written: \(what)")
            case .opened(let number)?, .reply(let number)?, .reopened(let number)?, .noted(let number, _)?, .staffReply(let number, _)?:
                #expect(after > before, "one append was expected: \(what)")
                #expect(written.count == Int(after - before))
                // One message is one transaction: the ticket's events, plus (for a new sender from a client's
                // domain) the unverified contact added to that client in the same transaction.
                let ticketEvents = written.filter { $0.stream == "ticket-\(number)" }
                let contactEvents = written.filter { $0.stream.hasPrefix("client-") && $0.type == "client.contact-added" }
                #expect(ticketEvents.count + contactEvents.count == written.count, "one ticket's stream and its client's new contact only: \(what)")
                #expect(contactEvents.count <= 1, "\(what)")
                #expect(Set(written.map(\.recordedAt)).count == 1, "one transaction: \(what)")
                #expect(Set(ticketEvents.map(\.commandId)).count == 1, "one command: \(what)")
                #expect(ticketEvents.first?.commandId?.hasPrefix("mail:") == true, "\(what)")
                #expect(written.filter { $0.type.hasPrefix("ticket.mail-received") }.count == 1, "one mail event: \(what)")
            }
            switch (outcome, failure) {
            case (.opened?, _): tally["opened", default: 0] += 1
            case (.reply?, _), (.reopened?, _), (.noted?, _), (.staffReply?, _): tally["threaded", default: 0] += 1
            case (.duplicate?, _): tally["duplicate", default: 0] += 1
            case (.dropped?, _): tally["dropped", default: 0] += 1
            case (nil, let error as MailParseError): tally["refused: \(error.code)", default: 0] += 1
            case (nil, let error?):
                tally["error", default: 0] += 1
                Issue.record("intake threw for \(what): \(error)")
            case (nil, nil): Issue.record("no outcome and no error: \(what)")
            }
        }
        let report = try store.verify()
        #expect(report.isClean, "\(report.problems)")
        print("MailFuzz shard \(shard): \(total) mutated messages, \(seed), slowest \(slowest), \(tally.sorted { $0.key < $1.key })")
        #expect(tally["opened", default: 0] > total / 10, "the mutations should still leave many readable messages")
    }
}

/// Byte-level damage of the kinds real mail suffers: flipped bytes, truncation, lost or repeated header lines,
/// broken MIME boundaries, and inserted junk.
enum Mutator {
    static let junk: [[UInt8]] = [
        "\r\n", "\r\n\r\n", "\n\n", "\r", "\0", "--", "=?utf-8?b?", "=?iso-8859-1?q?=E9=", "?=", "=\r\n", "=XY", ":",
        ";", "\"", "<", ">", "@", "boundary=", "Content-Type: multipart/mixed; boundary=\"x\"\r\n",
        "Content-Transfer-Encoding: base64\r\n", "Content-Transfer-Encoding: quoted-printable\r\n",
        "charset=\"utf-7\"", "Message-ID: <\r\n", "In-Reply-To: <>\r\n", "References: < < > >\r\n", " \t", "\u{FEFF}",
    ].map { Array($0.utf8) } + [[0xFF, 0xFE], [0xC3], [0x80, 0x80], [0xE2, 0x82]]

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        func position(_ count: Int) -> Int { count == 0 ? 0 : Int(random.next() % UInt64(count + 1)) }
        if random.next() % 64 == 0 {  // headers lost altogether: one unbroken line of what was there
            bytes = bytes.filter { $0 != 0x0A && $0 != 0x0D }
            return
        }
        switch random.next() % 8 {
        case 0:  // byte flips
            guard !bytes.isEmpty else { return }
            for _ in 0..<(1 + Int(random.next() % 8)) {
                let at = Int(random.next() % UInt64(bytes.count))
                bytes[at] ^= UInt8(truncatingIfNeeded: 1 &<< (random.next() % 8))
            }
        case 1:  // truncation
            bytes.removeSubrange(position(bytes.count)...)
        case 2, 3:  // header line deletion or duplication
            let lines = headerLines(bytes)
            guard !lines.isEmpty else { return }
            let line = lines[Int(random.next() % UInt64(lines.count))]
            if random.next() % 2 == 0 {
                bytes.removeSubrange(line)
            } else {
                let copy = Array(bytes[line])
                bytes.insert(contentsOf: copy, at: random.next() % 2 == 0 ? line.upperBound : headerLines(bytes).last?.upperBound ?? 0)
            }
        case 4, 5:  // boundary damage
            let lines = boundaryLines(bytes)
            guard !lines.isEmpty else {
                bytes.insert(contentsOf: Array("--".utf8), at: position(bytes.count))
                return
            }
            let line = lines[Int(random.next() % UInt64(lines.count))]
            let inside = line.lowerBound + 2 + Int(random.next() % UInt64(line.count - 2))  // lines hold more than `--`
            switch random.next() % 4 {
            case 0: bytes.removeSubrange(line)
            case 1: bytes.removeSubrange(inside..<line.upperBound)
            case 2: bytes[inside] = 0x58
            default: bytes.insert(contentsOf: Array(bytes[line]), at: line.upperBound)
            }
        case 6:  // random insertion of junk tokens
            let token = junk[Int(random.next() % UInt64(junk.count))]
            bytes.insert(contentsOf: token, at: position(bytes.count))
        default:  // random bytes, sometimes a long run
            if random.next() % 16 == 0 {
                bytes.insert(contentsOf: [UInt8](repeating: random.next() % 2 == 0 ? 0x41 : 0x3D, count: 20_000), at: position(bytes.count))
            } else {
                let noise = (0..<(1 + Int(random.next() % 64))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                bytes.insert(contentsOf: noise, at: position(bytes.count))
            }
        }
    }

    /// The byte ranges (each with its line break) of the header lines before the first blank line.
    static func headerLines(_ bytes: [UInt8]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            let line = start..<(index + 1)
            if bytes[start..<index].allSatisfy({ $0 == 0x0D }) { break }
            lines.append(line)
            start = index + 1
        }
        return lines
    }

    /// The byte ranges of lines starting with `--` (MIME boundary delimiters), line break included.
    static func boundaryLines(_ bytes: [UInt8]) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        for index in bytes.indices where bytes[index] == 0x0A || index == bytes.count - 1 {
            if index + 1 - start > 2, bytes[start] == 0x2D, bytes[start + 1] == 0x2D { lines.append(start..<(index + 1)) }
            start = index + 1
        }
        return lines
    }
}

/// A small, fast, seedable generator (SplitMix64), so a failing run reproduces from its seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Aborts the run, naming the message, when one message takes longer than `limit` seconds (a hang).
final class Watchdog: @unchecked Sendable {
    // @unchecked Sendable: every field is guarded by `lock`.
    private let lock = NSLock()
    private var index = -1
    private var since = Date()
    private var running = true

    init(limit: TimeInterval, label: String) {
        Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                let (stopped, current, started) = lock.withLock { (!running, index, since) }
                if stopped { return }
                if Date().timeIntervalSince(started) > limit {
                    fatalError("MailFuzz hang: message \(current) (\(label)) still running after \(limit) s")
                }
            }
        }.start()
    }

    func started(_ message: Int) { lock.withLock { index = message; since = Date() } }
    func stop() { lock.withLock { running = false } }
}
