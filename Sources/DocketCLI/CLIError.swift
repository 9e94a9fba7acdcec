import ArgumentParser
import DocketApp
import Foundation

/// A failure the CLI reports as one line on stderr with a documented exit code: an application failure class
/// (whose exit code ``ApplicationFailure/Kind/exitCode`` gives), or no store to work on.
struct CLIError: Error, CustomStringConvertible {
    /// The exit code scripts can rely on (see `docket --help`).
    let exitCode: Int32
    /// One line naming the problem and the fix.
    let description: String

    init(_ kind: ApplicationFailure.Kind, _ message: String) {
        self.init(exitCode: kind.exitCode, description: message)
    }

    private init(exitCode: Int32, description: String) {
        self.exitCode = exitCode
        self.description = description
    }

    static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }
    static func badInput(_ message: String) -> CLIError { CLIError(.badInput, message) }
    /// No store at the path, or no server at `DOCKET_SERVER` (exit 66).
    static func noStore(_ message: String) -> CLIError { CLIError(exitCode: 66, description: message) }
    /// A failure of the client module (``DocketClient/ClientFailure``), with its own exit code.
    static func client(_ code: Int32, _ message: String) -> CLIError { CLIError(exitCode: code, description: message) }
    /// A refusal of the server in this process (a ``DocketServer/Problem`` at `docket serve`'s start), with its exit code.
    static func server(_ code: Int32, _ message: String) -> CLIError { CLIError(exitCode: code, description: message) }
    static func conflict(_ message: String) -> CLIError { CLIError(.conflict, message) }
    static func damaged(_ message: String) -> CLIError { CLIError(.damaged, message) }
    static func destination(_ message: String) -> CLIError { CLIError(.destination, message) }
    static func failure(_ message: String) -> CLIError { CLIError(.failure, message) }
    static func notFound(_ message: String) -> CLIError { CLIError(.notFound, message) }
    static func forbidden(_ message: String) -> CLIError { CLIError(.forbidden, message) }
    static func refused(_ message: String) -> CLIError { CLIError(.refused, message) }

    /// Maps anything thrown below the CLI to a `CLIError`: the application layer classifies it
    /// (``ApplicationFailure``), whose class gives the exit code.
    static func from(_ error: any Error, store: String) -> CLIError {
        if let error = error as? CLIError { return error }
        let failure = ApplicationFailure(classifying: error, store: store)
        return CLIError(failure.kind, failure.message)
    }
}

/// Runs a command body, turning any failure into one stderr line and its exit code.
func reportingFailures(store: String, _ body: () throws -> Void) throws {
    StoreFaults.install(
        message: "docket: error: the store at \(store) is damaged: liblmdb faulted reading data.mdb; "
            + "run `docket verify` and restore it from a backup\n",
        status: CLIError.damaged("").exitCode)
    let reader = RefusalReader.current ?? RefusalReader()
    do {
        try RefusalReader.$current.withValue(reader) { try body() }
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let failure = CLIError.from(reader.written(error), store: store)
        Terminal.error("docket: error: \(failure.description)")
        throw ExitCode(failure.exitCode)
    }
}
