import DocketTime
import Foundation

/// Times in JSON output are RFC 3339 strings: read models keep some as epoch milliseconds (fields named `…At`,
/// `at`, `due`, `dueDate`, `firstSeen`, `lastSeen`); those become strings (UTC, millisecond precision). The CLI's
/// `--json` and the API's answers both go through it.
public enum RFC3339Times {
    /// `value` (as `JSONSerialization` reads it) with every epoch-millisecond time field as an RFC 3339 string.
    public static func convert(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]:
            var out: [String: Any] = [:]
            for (key, item) in object {
                if isTimeKey(key), let number = item as? NSNumber, !isBoolean(number),
                    let milliseconds = Int64(exactly: number.doubleValue), milliseconds > 946_684_800_000
                {
                    out[key] = format(milliseconds)
                } else {
                    out[key] = convert(item)
                }
            }
            return out
        case let array as [Any]:
            return array.map(convert)
        default:
            return value
        }
    }

    static func isTimeKey(_ key: String) -> Bool {
        key.hasSuffix("At") || ["at", "due", "dueDate", "firstSeen", "lastSeen"].contains(key)
    }

    static func format(_ milliseconds: Int64) -> String {
        Timestamp(millisecondsSinceEpoch: milliseconds).iso8601
    }
}
