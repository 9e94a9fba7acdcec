import Foundation

/// What a deployment sets once, passed to ``DocketApplication`` as one value: the application layer reads no
/// environment variables and no files of its own (the CLI reads `$DOCKET_SUPPORT_ADDRESS`; a server would read
/// its own settings).
public struct DocketConfiguration: Sendable, Equatable {
    /// The From address when none is configured.
    public static let defaultSupportAddress = "support@localhost.localdomain"

    /// The From address of every message Docket queues.
    public let supportAddress: String

    /// `supportAddress` trimmed; ``defaultSupportAddress`` when it is missing, has no `@`, or holds a line break
    /// or another control character (a value that could break the header is never written).
    public init(supportAddress: String? = nil) {
        let configured = supportAddress.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let usable = !configured.isEmpty && configured.contains("@")
            && !configured.unicodeScalars.contains { $0.properties.generalCategory == .control }
        self.supportAddress = usable ? configured : Self.defaultSupportAddress
    }
}
