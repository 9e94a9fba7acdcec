import EventLog
import Foundation

extension LogService {
    /// The SHA-256 of every attachment the log names (mail attachments, files added in the portal) whose bytes are not
    /// in the store's `attachments` folder, in the order the log first names them. An export carries the log only, so a
    /// store imported from one has none of them until the old store's folder is copied in; a store written by Docket
    /// has them all (they are written before the event naming them).
    @available(*, noasync, message: "blocks on the store; from async code call it inside app.run { }")
    public func missingAttachments() throws -> [String] {
        struct Mail: Decodable { var attachments: [File]? }
        struct File: Decodable { var sha256: String }
        let root = AttachmentFiles.root(ofStore: path)
        var missing: [String] = []
        var seen = Set<String>()
        let decoder = JSONDecoder()
        try store.scanRaw { event in
            guard event.streamHasPrefix("ticket-") else { return true }
            let named: [String]
            if event.typeIs("ticket.mail-received") {
                named = (try? decoder.decode(Mail.self, from: Data(event.payload)))?.attachments?.map(\.sha256) ?? []
            } else if event.typeIs("ticket.attachment-added") {
                named = (try? decoder.decode(File.self, from: Data(event.payload))).map { [$0.sha256] } ?? []
            } else {
                return true
            }
            for sha256 in named where seen.insert(sha256).inserted && !AttachmentFiles.exists(sha256: sha256, in: root) {
                missing.append(sha256)
            }
            return true
        }
        return missing
    }
}
