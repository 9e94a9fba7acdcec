import ArgumentParser
import DocketApp
import Domain
import Foundation

/// `docket event …`: raw access to the log, for tooling, imports and tests.
struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Append raw events (admin only; for tooling and repairs; day-to-day work uses the commands).",
        subcommands: [EventAppendCommand.self])
}

/// The `--expected-version` argument: `any`, `none`, or a version number.
struct ExpectedVersionArgument: ExpressibleByArgument {
    let value: ExpectedVersion

    init?(argument: String) {
        switch argument {
        case "any": value = .any
        case "none", "no-stream": value = .noStream
        default:
            guard let number = UInt64(argument) else { return nil }
            value = number == 0 ? .noStream : .exact(number)
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(["any", "none"]) }
}

/// `docket event append`.
struct EventAppendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append one event, or many from NDJSON on stdin.",
        discussion: """
            Admin only. Tooling events (a type and stream Docket does not use) are appended as given. Docket's own \
            events and streams (ticket-, user-, client-, … and ticket.*, user.*, …) are written by the commands, \
            which enforce their rules; a raw append of them is refused unless --repair is given, and even then a \
            catalogued type must decode as that event.

            One event:
            docket event append --stream tool-sync --type tool.noted \\
                --payload '{"note":"hi"}'

            Many events, one JSON object a line (commandId and expectedVersion are optional):
            docket event append --stdin --batch 500 < events.ndjson
              {"stream":"…","type":"…","payload":{…},"commandId":"…","expectedVersion":3}

            Every line is checked before anything is appended: a bad line is named and nothing is written. With \
            --batch N, N lines then share one transaction; once a transaction is on the disk (when the next one has \
            committed, or at the end) the line `committed THROUGH-POSITION` is printed, so a caller knows what is \
            acknowledged (a batch the store refuses, e.g. for its expectedVersion, leaves the batches before it \
            committed).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions

    @Option(help: "The stream, e.g. tool-sync.") var stream: String?
    @Option(help: "The event type, e.g. tool.noted.") var type: String?
    @Option(help: "The payload: a JSON object.") var payload: String = "{}"
    @Option(help: "The payload's schema version.") var schemaVersion: UInt16 = 1
    @Option(help: "any, none, or the stream's current version.") var expectedVersion: ExpectedVersionArgument?
    @Option(help: "An id that makes a retry of this append write nothing.") var commandId: String?
    @Flag(help: "Read NDJSON events from stdin instead.") var stdin = false
    @Option(help: "With --stdin: events per transaction.") var batch: Int = 1
    @Flag(help: "Repair mode: allow Docket's own event types and streams (bypasses the commands' rules).") var repair = false

    func validate() throws {
        if stdin {
            guard stream == nil, type == nil, commandId == nil, expectedVersion == nil else {
                throw ValidationError("--stdin reads stream, type and payload from each line; drop --stream, --type, --command-id and --expected-version")
            }
            guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        } else {
            guard let stream, type != nil else {
                throw ValidationError("give --stream and --type (or --stdin to read events from stdin)")
            }
            for (value, label) in [(stream, "--stream"), (commandId, "--command-id")] {
                if let value, let problem = IdentifierCheck.problem(value, label) { throw ValidationError(problem) }
            }
        }
    }

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            if stdin {
                try appendFromStdin(path: path)
            } else {
                // A name outside the tooling charset is bad usage (exit 64); one that is Docket's own once trimmed and
                // lower-cased is refused below as Docket's data (exit 5).
                if !repair, let stream, let type, !TrustRules.touchesDocketData(stream: stream, type: type, ignoringCase: true),
                    let problem = TrustRules.toolingNameProblem(stream: stream, type: type)
                {
                    throw CLIError.usage(problem + "; nothing was appended")
                }
                let bytes = try canonicalJSON(payload, where: "--payload")
                try TrustRules.checkRawAppend(
                    stream: stream ?? "", type: type ?? "", schemaVersion: schemaVersion, payload: bytes, repair: repair, where: "")
                let request = AppendRequest(
                    stream: stream ?? "", expectedVersion: expectedVersion?.value ?? .any,
                    events: [NewEvent(type: type ?? "", schemaVersion: schemaVersion, payload: bytes)],
                    commandId: commandId, actor: actorOptions.name)
                let store = try StoreAccess.open(path).log
                try store.requireAdmin(actorOptions.name, to: "append raw events")
                let result = try store.append(request)
                let note = result.isRetry ? " (already appended by command \(commandId ?? ""); nothing written)" : ""
                Terminal.out("appended \(result.stream) version \(result.streamVersion) at position \(result.positions.upperBound)\(note)\n")
            }
        }
    }

    /// Reads stdin in chunks (the served invocation's input whole), checks every line, then appends (`BulkAppend`).
    private func appendFromStdin(path: String) throws {
        // Read once: the name comes from the environment, which Foundation copies whole at every read.
        let bulk = BulkAppend(actor: actorOptions.name, repair: repair, batch: batch)
        var served = ServedInvocation.current == nil ? nil : Terminal.standardInput()
        let stdin = served == nil ? ChunkReader(FileHandle.standardInput, size: BulkAppend.chunkBytes, what: "stdin", chunksKept: true) : nil
        try bulk.run(
            chunks: {
                if let data = served {
                    served = nil
                    return data.isEmpty ? nil : Array(data)[...]
                }
                return try stdin?.next()
            },
            open: { try StoreAccess.open(path).log })
    }
}

/// Parses `text` as a JSON object and re-encodes it canonically (sorted keys, no spaces); a key given twice in one
/// object is refused (a decoder keeps one of them silently).
func canonicalJSON(_ text: String, where label: String) throws -> [UInt8] {
    try BoundedInput.checkJSON(text.utf8, limit: InputLimits.jsonArgumentBytes, what: label)
    guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)), object is [String: Any],
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    else { throw CLIError.badInput("\(label) is not a JSON object; write it like '{\"key\":\"value\"}'") }
    try refuseDuplicateKeys(Array(text.utf8), where: label)
    return Array(data)
}

/// Refuses JSON text (valid) holding a key twice in one object, naming the key and where.
func refuseDuplicateKeys(_ bytes: [UInt8], where label: String) throws {
    guard let (key, path) = JSONValue.duplicateKey(in: bytes) else { return }
    let place = path.isEmpty ? "" : " in \(path)"
    throw CLIError.badInput("\(label): the key \"\(key)\" is given twice\(place); give each key once; nothing was appended")
}
