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
        case 75: return .serviceUnavailable  // not now: try again later
        default: return .internalServerError
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
        case 75: return "try-later"
        default: return "failure"
        }
    }
}
