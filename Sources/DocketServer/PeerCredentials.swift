#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The process on the other end of a Unix socket, as the kernel reports it (`SO_PEERCRED`): it cannot be faked by
/// the client.
struct PeerCredentials: Sendable, Equatable {
    // The layout of Linux's `struct ucred`.
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0

    /// The credentials of `channel`'s peer; nil when the channel is not a Unix socket (or the OS has no SO_PEERCRED).
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        #if os(Linux)
        guard case .unixDomainSocket = channel.localAddress, let provider = channel as? any SocketOptionProvider else { return nil }
        let future: EventLoopFuture<PeerCredentials> = provider.unsafeGetSocketOption(
            level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return try? await future.get()
        #else
        return nil
        #endif
    }
}

/// The OS account name of `uid` (from the password database), nil when there is none.
func osLoginName(uid: UInt32) -> String? {
    var entry = passwd()
    var found: UnsafeMutablePointer<passwd>?
    var buffer = [CChar](repeating: 0, count: 4096)
    guard getpwuid_r(uid_t(uid), &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else { return nil }
    return String(cString: name)
}
