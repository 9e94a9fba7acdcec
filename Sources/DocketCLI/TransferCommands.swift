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
            Admin only. -o writes the file owner-only (0600); with stdout, the redirection's file takes your umask.
            """)

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var actorOptions: ActorOptions
    @Option(help: "Start at this position.") var from: UInt64 = 1
    @Option(name: .shortAndLong, help: "Write to this file instead of stdout.") var output: String?

    func run() throws {
        let path = storeOptions.path
        try reportingFailures(store: path) {
            let store = try StoreAccess.open(path, checkPages: true).log
            try store.requireAdmin(actorOptions.name, to: "export the log")
            var sink: (Data) -> Void = Terminal.outData
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: nil, attributes: [.posixPermissions: 0o600]),
                    let handle = FileHandle(forWritingAtPath: output)
                else { throw CLIError.destination("cannot write \(output); check the folder exists and is writable") }
                sink = handle.write
            }
            var buffer = ""
            try store.export(from: from) { line in
                buffer += line
                if buffer.utf8.count > 1 << 20 {
                    sink(Data(buffer.utf8))
                    buffer = ""
                }
            }
            sink(Data(buffer.utf8))
        }
    }
}

/// `docket import`: load an NDJSON export into an empty store.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load an NDJSON export into an empty store, keeping every id, time and hash.",
        discussion: """
            The store is created when missing (import into a new store: the export brings its users).
            The file is read in chunks and every line checked as it is written (JSON, positions, versions, hash
            chain); a bad line names its line number, and the events this import wrote are taken out again, so
            nothing is imported. Then the read models are built, once. An interrupted import resumes: run it again
            and it goes on after the events already in the store, when they are the file's first ones byte for byte.
            Into a store that already holds events, only an admin may import.
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
            let store = try StoreAccess.create(path, foldThreads: threads).log
            if try store.head().position > 0 {
                try store.requireAdmin(actorOptions.name, to: "import into a store that holds events")
            }
            // The input's size when it is a file or a served request's body (a pipe's is unknown).
            let expectedBytes = served?.count ?? file.flatMap { (try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int } ?? 0
            let count = try store.importLog(chunks: chunks, expectedBytes: expectedBytes) { already in
                Terminal.error("docket: the store already holds the file's first \(already) events, byte for byte; importing the rest")
            } progress: { stage, done, total in
                Terminal.progress(stage == "log" ? "importing the log" : "building \(stage)", done, total)
            }
            Terminal.out("imported \(count) events into \(path)\n")
        }
    }
}
