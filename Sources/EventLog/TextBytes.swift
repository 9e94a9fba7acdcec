/// Tests on the bytes of a text.
public enum TextBytes {
    /// Whether every byte of `bytes` is below 0x80 (ASCII, so valid UTF-8 as they are), tested eight at a time.
    @inlinable public static func areASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        var offset = 0
        var high: UInt64 = 0
        while bytes.count - offset >= 8 {
            high |= base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            offset += 8
        }
        while offset < bytes.count {
            high |= UInt64(base.load(fromByteOffset: offset, as: UInt8.self))
            offset += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }
}
