import Foundation
import NIOCore
import NIOHTTPTypes

/// The connections of one listener whose request is still arriving: its head was read, its end not yet. SIGTERM
/// closes the idle connections at once and waits for the busy ones; a client that sent half a request and stopped
/// (a stalled upload, a hung script) would keep the server from stopping for as long as it stayed connected. So
/// ``close(after:)``, called when the server starts to stop, closes these connections once the drain has lasted that
/// long. Only requests still arriving are closed: every route reads its whole body before it acts, so nothing of
/// such a request has run, while a command already running finishes and is answered.
final class ArrivingRequests: @unchecked Sendable {
    // @unchecked Sendable: `channels` and `closing` are only touched while holding `lock`.
    private let lock = NSLock()
    private var channels: [ObjectIdentifier: any Channel] = [:]
    private var closing: Task<Void, Never>?

    /// A channel handler (after HTTP decoding) that keeps this list.
    func handler() -> ArrivingRequestHandler { ArrivingRequestHandler(requests: self) }

    func began(_ channel: any Channel) { lock.withLock { channels[ObjectIdentifier(channel)] = channel } }

    func ended(_ channel: any Channel) { _ = lock.withLock { channels.removeValue(forKey: ObjectIdentifier(channel)) } }

    /// After `drain`, closes every connection whose request is still arriving then.
    func close(after drain: Duration) {
        let task = Task { [self] in
            try? await Task.sleep(for: drain)
            guard !Task.isCancelled else { return }
            for channel in lock.withLock({ Array(channels.values) }) { channel.close(promise: nil) }
        }
        lock.withLock { closing = task }
    }

    /// Cancels a pending ``close(after:)`` (the listener stopped before it was due).
    func stop() { lock.withLock { closing }?.cancel() }
}

/// Tells ``ArrivingRequests`` when a request starts and ends arriving on its connection.
final class ArrivingRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    private let requests: ArrivingRequests

    init(requests: ArrivingRequests) { self.requests = requests }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: requests.began(context.channel)
        case .end: requests.ended(context.channel)
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        requests.ended(context.channel)
        context.fireChannelInactive()
    }

    /// The client closed its side of the connection (it gave up, or was stopped): the connection is closed, so that
    /// work of its request still waiting is not run (``RequestWork``; `isActive` is then false) and nothing is
    /// written for nobody. An HTTP client that half-closes and waits for its answer is not served: as nginx counts it,
    /// that is a client that went away.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            requests.ended(context.channel)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
