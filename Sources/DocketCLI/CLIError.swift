import ArgumentParser
import DocketApp
import Foundation

/// A failure the CLI reports as one line on stderr with a documented exit code.
enum CLIError: Error, CustomStringConvertible {
    case usage(String)
    case badInput(String)
    case noStore(String)
    case conflict(String)
    case damaged(String)
    case destination(String)
    case failure(String)
    case notFound(String)
    case forbidden(String)
    case refused(String)

    var description: String {
        switch self {
        case .usage(let m), .badInput(let m), .noStore(let m), .conflict(let m), .damaged(let m), .destination(let m),
            .failure(let m), .notFound(let m), .forbidden(let m), .refused(let m):
            return m
        }
    }

    /// The exit code scripts can rely on (see `docket --help`).
    var exitCode: Int32 {
        switch self {
        case .failure: return 1
        case .damaged: return 2
        case .conflict: return 3
        case .notFound: return 4
        case .forbidden: return 5
        case .refused: return 6
        case .usage: return 64
        case .badInput: return 65
        case .noStore: return 66
        case .destination: return 73
        }
    }

    /// Maps anything thrown below the CLI to a `CLIError`: the application layer classifies it
    /// (``ApplicationFailure``), this maps the class to the exit code, in this one place.
    static func from(_ error: any Error, store: String) -> CLIError {
        if let error = error as? CLIError { return error }
        let failure = ApplicationFailure(classifying: error, store: store)
        switch failure.kind {
        case .failure: return .failure(failure.message)
        case .damaged: return .damaged(failure.message)
        case .conflict: return .conflict(failure.message)
        case .notFound: return .notFound(failure.message)
        case .forbidden: return .forbidden(failure.message)
        case .refused: return .refused(failure.message)
        case .usage: return .usage(failure.message)
        case .badInput: return .badInput(failure.message)
        case .destination: return .destination(failure.message)
        }
    }
}

/// Runs a command body, turning any failure into one stderr line and its exit code.
func reportingFailures(store: String, _ body: () throws -> Void) throws {
    StoreFaults.install(
        message: "docket: error: the store at \(store) is damaged: liblmdb faulted reading data.mdb; "
            + "run `docket verify` and restore it from a backup\n",
        status: CLIError.damaged("").exitCode)
    do {
        try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        let failure = CLIError.from(error, store: store)
        Terminal.error("docket: error: \(failure.description)")
        throw ExitCode(failure.exitCode)
    }
}
