import ArgumentParser
import Domain
import EventLog
import Foundation
import LMDB

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

    /// Maps anything thrown below the CLI to a `CLIError`.
    static func from(_ error: any Error, store: String) -> CLIError {
        switch error {
        case let error as CLIError:
            return error
        case let domain as DomainError:
            switch domain.code {
            case .notFound: return .notFound(domain.message)
            case .forbidden: return .forbidden(domain.message)
            case .invalid: return .badInput(domain.message)
            default: return .refused(domain.message)
            }
        case let decoding as EventDecodingError:
            return .damaged(decoding.description)
        case let conflict as WrongExpectedVersion:
            return .conflict(conflict.description)
        case let logError as EventLogError:
            switch logError.code {
            case .corrupt: return .damaged(logError.message)
            case .storeNotEmpty: return .destination(logError.message)
            case .unknownProjection: return .usage(logError.message)
            case .readOnly: return .refused(logError.message)
            case .rolledBack: return .damaged(logError.message)
            default: return .badInput(logError.message)
            }
        case let lmdb as LMDBError where lmdb.meansCorruption && lmdb.call.hasPrefix(PageCheck.prefix):
            return .damaged("the store at \(store) is damaged: \(lmdb.call); restore it from a backup")
        case let lmdb as LMDBError where lmdb.meansCorruption:
            let place = lmdb.database.map { " in database \($0)" } ?? ""
            return .damaged("the store at \(store) is damaged\(place) or is not a Docket store (\(lmdb)); restore it from a backup")
        case let lmdb as LMDBError where lmdb.code == .badValueSize:
            return .usage("an identifier is empty or longer than \(EventStore.maxNameLength) bytes (\(lmdb.call)); check the arguments")
        case let lmdb as LMDBError where lmdb.code == .mapFull:
            return .failure("the store at \(store) reached its size limit (\(lmdb)); free disk space or raise the limit")
        case let open as Environment.OpenError:
            return .failure("\(open)")
        default:
            return .failure("\(error)")
        }
    }
}

/// Runs a command body, turning any failure into one stderr line and its exit code.
func reportingFailures(store: String, _ body: () throws -> Void) throws {
    FaultGuard.install(
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
