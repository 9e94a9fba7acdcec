import ArgumentParser
import DocketApp
import Foundation

/// `docket export`: NDJSON, one event per line.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log as NDJSON, one event per line with every envelope field.",
        discussion: """
            docket export -o store.ndjson
            docket import --store new-store store.ndjson     # then, into a new store
            Admin only. -o writes the file owner-only (0600), under a temporary name beside it renamed to FILE once \
            complete; with stdout, the redirection's file takes your umask. A write that fails (a full disk) is one \
            line naming the destination, exit 73, and -o leaves no file. The export is the log only: copy the \
            store's attachments/ folder beside it (or use `docket backup`, which keeps both).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Option(help: "Start at this position (for other tools: `docket import` takes only a whole export, from position 1).")
    var from: UInt64 = 1
    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let store = try StoreAccess.open(path, checkPages: true).log
            try store.requireAdmin(actorOptions.name, to: "export the log")
            // Inside the server, stdout is the client's (sent back with the answer); anywhere else every write is checked.
            let served = output == nil && ServedInvocation.current != nil
            let destination = try output.map(ExportOutput.file) ?? .standardOutput
            let sink: (String) throws -> Void = served ? { Terminal.outData(Data($0.utf8)) } : { try destination.append(Array($0.utf8)) }
            do {
                var buffer = ""
                try store.export(from: from) { line in
                    buffer += line
                    if buffer.utf8.count > 1 << 20 {
                        try sink(buffer)
                        buffer = ""
                    }
                }
                try sink(buffer)
                try destination.finish()
            } catch {
                destination.abandon()
                throw error
            }
        }
    }
}

/// `docket import`: load an NDJSON export into an empty store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load an NDJSON export into an empty store, keeping every id, time and hash.",
        discussion: """
            The store is created when missing (import into a new store: the export brings its users), and removed \
            again when the import fails. \
            The file is read in chunks and every line checked as it is written (JSON, positions, versions, hash \
            chain); a bad line names its line number, and the events this import wrote are taken out again, so \
            nothing is imported. Then the read models are built, once. An interrupted import resumes: run it again \
            and it goes on after the events already in the store, when they are the file's first ones byte for byte; \
            until then every other command refuses the store (exit 6), which holds only part of the log. \
            Into a store that already holds events, only an admin may import. An export is the log only: when the \
            log names mail or portal attachments the store's attachments folder does not hold, a note says how many \
            (copy the old store's attachments folder in).
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Argument(help: "The NDJSON file (default: stdin).") var file: String?
    @OptionGroup var foldThreads: FoldThreadsOptions

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let threads = try foldThreads.resolved()
            let input: FileHandle?
            if let file {
                try HostFiles.requireAccess(to: "read \(file)", instead: "send the file on stdin (`docket import < FILE`)")
                guard let handle = FileHandle(forReadingAtPath: file) else {
                    throw CLIError.badInput("cannot read \(file); check the path")
                }
                input = handle
            } else {
                input = ServedInvocation.current == nil ? FileHandle.standardInput : nil
            }
            // Read 8 MiB at a time: the import holds one chunk and one batch of events, whatever the file's size.
            var served = input == nil ? Terminal.standardInput() : nil
            let reader = input.map { ChunkReader($0, size: 8 << 20, what: file ?? "stdin") }
            let chunks = { () throws -> ArraySlice<UInt8>? in
                if let data = served {
                    served = nil
                    return data.isEmpty ? nil : Array(data)[...]
                }
                return try reader?.next()
            }
            let existed = FileManager.default.fileExists(atPath: path)
            // Until the import is complete, every other command refuses the store (an import cut short left a log
            // prefix that opened, verified clean and took writes, after which the rest could never be imported).
            let marker = ImportMarker(store: path)
            if !existed {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
            let store: LogService
            do {
                try marker.write(source: file)
                store = try StoreAccess.create(path, foldThreads: threads).log
                if try store.head().position > 0 {
                    try store.requireAdmin(actorOptions.name, to: "import into a store that holds events")
                }
            } catch {
                marker.remove()
                if !existed { try? FileManager.default.removeItem(atPath: path) }
                throw error
            }
            // The input's size when it is a file or a served request's body (a pipe's is unknown).
            let expectedBytes = served?.count ?? file.flatMap { (try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int } ?? 0
            let count: Int
            do {
                count = try store.importLog(chunks: chunks, expectedBytes: expectedBytes) { already in
                    Terminal.error("docket: the store already holds the file's first \(already) events, byte for byte; importing the rest")
                } progress: { stage, done, total in
                    Terminal.progress(stage == "log" ? "importing the log" : "building \(stage)", done, total)
                }
            } catch {
                // A failed import takes its events out again: the store is as it was.
                marker.remove()
                // A store folder this import made and left without an event goes again: nothing was imported.
                if !existed, (try? store.head().position) == 0 { try? FileManager.default.removeItem(atPath: path) }
                throw error
            }
            marker.remove()
            Terminal.out("imported \(count) events into \(path)\n")
            let missing = try store.missingAttachments()
            if !missing.isEmpty {
                // An export is the log only: without the files, mail and portal attachments are named but cannot be read.
                Terminal.error(
                    "docket: note: the log names \(missing.count) attachment file\(missing.count == 1 ? "" : "s") that \(path)/attachments "
                        + "does not hold (an export carries the log only, first: \(missing[0])); copy the old store's attachments folder "
                        + "into \(path)/attachments")
            }
        }
    }
}

/// `<store>/IMPORTING`: written when an import starts and removed when it ends, so a store whose import was cut short
/// (kill -9, Ctrl-C, a full disk) is refused by every other command until the same import is run again, instead of
/// opening as a store that holds only the first part of the log. It holds the imported file's absolute path (empty
/// for stdin), to name the command that finishes the job.
struct ImportMarker {
    static let fileName = "IMPORTING"
    let store: String
    var path: String { store + "/" + Self.fileName }

    /// Records that an import from `source` (nil: stdin) is under way.
    func write(source: String?) throws {
        let absolute = source.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
        guard FileManager.default.createFile(atPath: path, contents: Data((absolute ?? "").utf8), attributes: [.posixPermissions: 0o600])
        else { throw CLIError.destination("cannot write \(path); check the store folder") }
    }

    /// Removes the marker: the import ended (done, or failed and taken out again).
    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// The refusal of a store whose import was cut short, nil for any other store.
    static func refusal(of store: String) -> CLIError? {
        guard let data = FileManager.default.contents(atPath: store + "/" + fileName) else { return nil }
        let source = String(decoding: data, as: UTF8.self)
        let command = source.isEmpty ? "docket import --store \(store) < FILE" : "docket import \(source) --store \(store)"
        return .refused(
            "the store at \(store) holds only part of an import that was cut short; run the import again to finish it "
                + "(`\(command)`: it resumes after the events already in)")
    }
}
