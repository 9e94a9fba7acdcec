import CLMDB

/// A failed LMDB call: which call failed, LMDB's result code, and LMDB's own message.
public struct LMDBError: Error, Equatable, CustomStringConvertible, Sendable {
    /// LMDB result codes the rest of Docket matches on. Unknown codes keep their raw value.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The raw `int` LMDB (or errno) returned.
        public let rawValue: Int32

        public init(rawValue: Int32) { self.rawValue = rawValue }

        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        public static let pageNotFound = Code(rawValue: MDB_PAGE_NOTFOUND)
        public static let invalid = Code(rawValue: MDB_INVALID)
        public static let versionMismatch = Code(rawValue: MDB_VERSION_MISMATCH)
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        public static let databasesFull = Code(rawValue: MDB_DBS_FULL)
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        public static let transactionFull = Code(rawValue: MDB_TXN_FULL)
        public static let badValueSize = Code(rawValue: MDB_BAD_VALSIZE)

        public var description: String { String(cString: mdb_strerror(rawValue)) }
    }

    /// The result code.
    public let code: Code
    /// The C function that failed, e.g. `mdb_env_open`.
    public let call: String

    public init(code: Code, call: String) {
        self.code = code
        self.call = call
    }

    /// LMDB's message for the code (`mdb_strerror`).
    public var message: String { code.description }

    public var description: String { "\(call) failed: \(message) (\(code.rawValue))" }

    /// The named database the failed call was about, when the call names one (`mdb_get(events)` → `events`).
    public var database: String? {
        guard let open = call.firstIndex(of: "("), let close = call[open...].firstIndex(of: ")") else { return nil }
        let name = call[call.index(after: open)..<close]
        return name.isEmpty || name.contains("/") ? nil : String(name)
    }

    /// True when the store's files are damaged or are not an LMDB store.
    public var meansCorruption: Bool {
        code == .corrupted || code == .pageNotFound || code == .invalid || code == .versionMismatch
    }
}

/// Throws an `LMDBError` naming `call` unless `result` is `MDB_SUCCESS`.
@inline(__always)
func check(_ result: Int32, _ call: @autoclosure () -> String) throws(LMDBError) {
    if result != MDB_SUCCESS {
        throw LMDBError(code: .init(rawValue: result), call: call())
    }
}
