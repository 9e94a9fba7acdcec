import DocketTime
import Domain
import EventLog
import Foundation
import LMDB

/// What went wrong, in the categories a caller reports (the CLI maps each to its exit code, a server to a status):
/// anything the application layer or the log below it throws, classified in this one place.
public struct ApplicationFailure: Error, CustomStringConvertible, Sendable {
    /// The category.
    public enum Kind: Sendable, Equatable {
        /// Anything else (a failed system call, a full disk).
        case failure
        /// The store or an input read from it is damaged.
        case damaged
        /// Another writer changed the stream first.
        case conflict
        case notFound
        case forbidden
        /// The rules refuse it as asked (a closed ticket, a read-only store).
        case refused
        /// The arguments cannot work (an identifier too long).
        case usage
        /// The input is invalid.
        case badInput
        /// The destination cannot take it (a store that is not empty, a folder that cannot be written).
        case destination
        /// Not now: the same input may be taken later (``DomainError/Code/tryLater``).
        case tryLater

        /// The exit code of this class (docs/cli.md): the CLI exits with it, and the server's problem answers
        /// carry it. (66, no store, is the CLI's own.)
        public var exitCode: Int32 {
            switch self {
            case .failure: return 1
            case .damaged: return 2
            case .conflict: return 3
            case .notFound: return 4
            case .forbidden: return 5
            case .refused: return 6
            case .usage: return 64
            case .badInput: return 65
            case .destination: return 73
            case .tryLater: return 75
            }
        }
    }

    public let kind: Kind
    /// One line naming the problem and the fix.
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Classifies `error`, thrown while working on the store at `store` (named in the message when it matters).
    public init(classifying error: any Error, store: String) {
        switch error {
        case let failure as ApplicationFailure:
            self = failure
        case let domain as DomainError:
            switch domain.code {
            case .notFound: self.init(.notFound, domain.message)
            case .taken: self.init(.conflict, domain.message)
            case .forbidden: self.init(.forbidden, domain.message)
            case .invalid: self.init(.badInput, domain.message)
            case .tryLater: self.init(.tryLater, domain.message)
            default: self.init(.refused, domain.message)
            }
        case let decoding as EventDecodingError:
            self.init(.damaged, decoding.description)
        case let stale as StaleTicketVersion:
            self.init(.conflict, stale.message)
        case let conflict as WrongExpectedVersion:
            self.init(.conflict, conflict.description)
        case let logError as EventLogError:
            switch logError.code {
            case .corrupt: self.init(.damaged, logError.message)
            case .storeNotEmpty: self.init(.destination, logError.message)
            case .unknownProjection: self.init(.usage, logError.message)
            case .readOnly: self.init(.refused, logError.message)
            case .rolledBack: self.init(.damaged, logError.message)
            case .replayUnlinked: self.init(.refused, logError.message)
            default: self.init(.badInput, logError.message)
            }
        case let lmdb as LMDBError where lmdb.meansCorruption && lmdb.call.hasPrefix(PageCheck.prefix):
            self.init(.damaged, "the store at \(store) is damaged: \(lmdb.call); restore it from a backup")
        case let lmdb as LMDBError where lmdb.meansCorruption:
            let place = lmdb.database.map { " in database \($0)" } ?? ""
            self.init(.damaged, "the store at \(store) is damaged\(place) or is not a Docket store (\(lmdb)); restore it from a backup")
        case let lmdb as LMDBError where lmdb.code == .badValueSize:
            self.init(.usage, "an identifier is empty or longer than \(EventStore.maxNameLength) bytes (\(lmdb.call)); check the arguments")
        case let lmdb as LMDBError where lmdb.code == .mapFull:
            self.init(.failure, "the store at \(store) reached its size limit (\(lmdb)); free disk space or raise the limit")
        case let open as Environment.OpenError:
            self.init(.failure, "\(open)")
        default:
            self.init(.failure, "\(error)")
        }
    }

    /// The log's message when `error` is the log reporting damage (or a destination it cannot write), else nil.
    public static func logCorruption(_ error: any Error) -> String? {
        guard let logError = error as? EventLogError, logError.code == .corrupt else { return nil }
        return logError.message
    }

    /// The log's message when `error` is the log refusing a store that already holds events, else nil.
    public static func storeNotEmpty(_ error: any Error) -> String? {
        guard let logError = error as? EventLogError, logError.code == .storeNotEmpty else { return nil }
        return logError.message
    }

    /// The log's message when `error` is any error of the log itself, else nil.
    public static func logError(_ error: any Error) -> String? { (error as? EventLogError)?.message }

    /// `error` with the instants it names written by `write` (for people: in their zone, named), when it is a refusal
    /// that names instants (a domain refusal, or the log's, such as a write to a replay); any other error as it is.
    public static func timesWritten(_ error: any Error, _ write: (Timestamp) -> String) -> any Error {
        switch error {
        case let refusal as DomainError: refusal.timesWritten(write)
        case let refusal as EventLogError: refusal.timesWritten(write)
        default: error
        }
    }
}
