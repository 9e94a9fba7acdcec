import Crypto
import DocketTime

/// The signature scheme of Docket's generic alert webhook (the one GitHub and Stripe use):
///
///     Docket-Signature: t=1764758400,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
///
/// `t` is the sender's Unix time in seconds; `v1` is HMAC-SHA256, keyed with the source's secret (its UTF-8 bytes,
/// `dkh_…` as `docket hook create` printed it), over the bytes of `t`, a `.`, and the raw request body, in lower-case
/// hex. A header may carry several `v1=` values (a sender signing with both secrets while it switches); one match is
/// enough. A timestamp more than ``tolerance`` away from the receiver's clock is refused, so a captured request
/// cannot be replayed later; ``ReplayGuard`` refuses it within that window.
public enum HookSignature {
    /// The header's name.
    public static let header = "Docket-Signature"
    /// How far the signed time may be from the receiver's clock, either way: 5 minutes.
    public static let tolerance: Int64 = 300

    /// Why a delivery's signature was refused.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// No `Docket-Signature` header.
        case missing
        /// The header is not `t=<seconds>,v1=<64 hex>[,v1=…]`.
        case malformed
        /// The signed time is further than the tolerance from now (seconds off, positive: in the past).
        case stale(secondsOff: Int64)
        /// No `v1` matches any of the source's secrets.
        case mismatch
        /// This exact signed request was taken before.
        case replayed

        public var description: String {
            switch self {
            case .missing: "no \(HookSignature.header) header; sign the body as docs/intake.md shows"
            case .malformed: "the \(HookSignature.header) header must be t=<unix seconds>,v1=<64 hex digits>"
            case .stale(let off):
                "the signature's time is \(abs(off)) s \(off > 0 ? "old" : "in the future") (at most \(HookSignature.tolerance) s); check the sender's clock"
            case .mismatch: "the signature does not match the source's secret; check the secret (docket hook rotate gives a new one)"
            case .replayed: "this signed request was already received; sign each delivery with its own time"
            }
        }
    }

    /// A parsed header: the signed time and the signatures.
    public struct Parsed: Sendable, Equatable {
        /// The signed Unix time, in seconds.
        public var timestamp: Int64
        /// Each `v1` value, 32 bytes.
        public var signatures: [[UInt8]]
    }

    /// The `Docket-Signature` value for `body` signed with `secret` at Unix time `timestamp` (seconds).
    public static func sign(_ body: some Collection<UInt8>, secret: String, timestamp: Int64) -> String {
        "t=\(timestamp),v1=\(hex(mac(body, secret: secret, timestamp: timestamp)))"
    }

    /// Checks `header` (nil when absent) against `body`, the source's current `secrets`, and `now`. Pure: the replay
    /// check is the caller's, with a ``ReplayGuard``, after this succeeds.
    public static func verify(
        header: String?, body: some Collection<UInt8>, secrets: [String], now: Timestamp
    ) -> Result<Parsed, Failure> {
        guard let header else { return .failure(.missing) }
        guard let parsed = parse(header) else { return .failure(.malformed) }
        let off = now.millisecondsSinceEpoch / 1000 - parsed.timestamp
        guard abs(off) <= tolerance else { return .failure(.stale(secondsOff: off)) }
        let signed = signedBytes(body, timestamp: parsed.timestamp)
        for secret in secrets {
            let key = SymmetricKey(data: Array(secret.utf8))
            for signature in parsed.signatures where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) {
                return .success(parsed)
            }
        }
        return .failure(.mismatch)
    }

    /// Parses `t=<seconds>,v1=<hex>[,v1=<hex>…]`; unknown keys (a future `v2`) are passed over. Nil when malformed.
    public static func parse(_ header: String) -> Parsed? {
        var timestamp: Int64?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.trimmingPrefix(while: { $0 == " " })
            guard let equals = pair.firstIndex(of: "=") else { return nil }
            let key = pair[..<equals]
            let value = pair[pair.index(after: equals)...]
            switch key {
            case "t":
                guard timestamp == nil, value.count <= 12, let t = Int64(value), t >= 0 else { return nil }
                timestamp = t
            case "v1":
                guard let bytes = bytes(hex: value), bytes.count == 32 else { return nil }
                signatures.append(bytes)
            default: continue
            }
        }
        guard let timestamp, !signatures.isEmpty, signatures.count <= 8 else { return nil }
        return Parsed(timestamp: timestamp, signatures: signatures)
    }

    private static func signedBytes(_ body: some Collection<UInt8>, timestamp: Int64) -> [UInt8] {
        var signed = Array("\(timestamp).".utf8)
        signed.append(contentsOf: body)
        return signed
    }

    private static func mac(_ body: some Collection<UInt8>, secret: String, timestamp: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: signedBytes(body, timestamp: timestamp), using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x61...0x66: c - 0x57
            case 0x41...0x46: c - 0x37
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = nibble(utf8[i]), let low = nibble(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
