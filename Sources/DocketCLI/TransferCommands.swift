import ArgumentParser
import DocketApp
import Foundation

/// `docket export`: NDJSON, one event per line.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the log as NDJSON, one event per line with every envelope field.",
        discussion: """
            docket export -o store.ndjson   then   docket import --store new-store store.ndjson
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
            and it goes on after the events already in the store, when they are the file's first ones byte for byte. \
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
            let store = try StoreAccess.create(path, foldThreads: threads).log
            if try store.head().position > 0 {
                try store.requireAdmin(actorOptions.name, to: "import into a store that holds events")
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
                // A store folder this import made and left without an event goes again: nothing was imported.
                if !existed, (try? store.head().position) == 0 { try? FileManager.default.removeItem(atPath: path) }
                throw error
            }
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
