import Foundation

/// A fresh folder under the system temp folder, removed when the value is released.
public final class TemporaryFolder: @unchecked Sendable {
    // @unchecked Sendable: `path` is immutable; removal happens once in deinit.
    public let path: String

    public init(_ label: String = "docket-test") {
        let base = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    /// A path inside the folder (not created).
    public func child(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
