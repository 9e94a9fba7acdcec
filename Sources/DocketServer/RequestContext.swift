import Hummingbird
import NIOCore

/// The context of one request: Hummingbird's core storage plus the connection, from which the caller of a Unix
/// socket request is read (its peer credentials).
public struct DocketRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// Bodies up to 64 MiB (an NDJSON import, an email with attachments on stdin).
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
