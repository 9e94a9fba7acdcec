import DocketApp
import HTTPTypes

/// The CLI's exit-code categories (docs/cli.md) and the HTTP status each maps to.
public enum ExitStatus {
    /// The HTTP status for a command that ended with `code`.
    public static func httpStatus(for code: Int32) -> HTTPResponse.Status {
        switch code {
        case 0: return .ok
        case 2: return .internalServerError  // store damaged
        case 3: return .conflict  // stale expected version
        case 4: return .notFound
        case 5: return .forbidden
        case 6: return .conflict  // refused by a rule
        case 64: return .badRequest
        case 65: return .unprocessableContent
        case 66: return .serviceUnavailable  // no store
        case 73: return .conflict  // destination not usable
        default: return .internalServerError
        }
    }

    /// The exit code of a failure of `kind` (the CLI's `CLIError` gives the same).
    public static func code(for kind: ApplicationFailure.Kind) -> Int32 {
        switch kind {
        case .failure: return 1
        case .damaged: return 2
        case .conflict: return 3
        case .notFound: return 4
        case .forbidden: return 5
        case .refused: return 6
        case .usage: return 64
        case .badInput: return 65
        case .destination: return 73
        }
    }

    /// The category's name, used in problem types (`urn:docket:problem:<name>`).
    public static func category(for code: Int32) -> String {
        switch code {
        case 0: return "ok"
        case 2: return "damaged"
        case 3: return "conflict"
        case 4: return "not-found"
        case 5: return "forbidden"
        case 6: return "refused"
        case 64: return "usage"
        case 65: return "bad-input"
        case 66: return "no-store"
        case 73: return "destination"
        default: return "failure"
        }
    }
}
