import CLMDB

/// A named database inside an environment. Opened once at start-up and valid for the environment's life.
public struct Database: Hashable, Sendable {
    let handle: MDB_dbi
    /// The name it was opened with.
    public let name: String
}

/// Options for `Transaction.put`.
public struct PutOptions: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with `LMDBError.Code.keyExists` instead of overwriting.
    public static let noOverwrite = PutOptions(rawValue: UInt32(MDB_NOOVERWRITE))
    /// The key sorts after every key in the database (a fast path for sequential keys).
    public static let append = PutOptions(rawValue: UInt32(MDB_APPEND))
}

/// A key and value read from LMDB. The bytes point into the memory map and are valid only until the
/// transaction that read them ends: decode or copy them inside the transaction's closure.
public struct Entry {
    public let key: UnsafeRawBufferPointer
    public let value: UnsafeRawBufferPointer
}

extension MDB_val {
    init(_ buffer: UnsafeRawBufferPointer) {
        self.init(mv_size: buffer.count, mv_data: UnsafeMutableRawPointer(mutating: buffer.baseAddress))
    }

    var buffer: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: mv_data, count: mv_size)
    }
}
