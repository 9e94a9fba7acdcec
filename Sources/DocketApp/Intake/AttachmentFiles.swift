import Foundation

/// Attachment bytes beside the log, content-addressed: `<root>/<first 2 hex>/<sha256>` (folders 0700, files 0600),
/// the root being `<store>/attachments`. Mail intake and the portal write them before the event naming them is
/// appended, so every event names a file that is there (`docket backup` copies them).
enum AttachmentFiles {
    /// The attachments folder of the store at `storePath`.
    static func root(ofStore storePath: String) -> String { storePath + "/attachments" }

    /// Writes `bytes` to `<root>/<first 2 hex>/<sha256>` unless already there (atomically: a temporary file renamed).
    /// A folder that is a file, cannot be made or cannot be written is a ``ApplicationFailure/Kind/destination``
    /// failure naming it and the fix.
    static func write(_ bytes: [UInt8], sha256: String, in root: String) throws {
        let files = FileManager.default
        guard let path = path(of: sha256, in: root) else { return }
        let hash = sha256.lowercased()
        let folder = root + "/" + hash.prefix(2)
        if files.fileExists(atPath: path) { return }
        for dir in [root, folder] {
            var isFolder: ObjCBool = false
            if files.fileExists(atPath: dir, isDirectory: &isFolder) {
                guard isFolder.boolValue else { throw unusable(dir, "it is a file, not a folder") }
                continue
            }
            do {
                try files.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw unusable(dir, "it cannot be created (\(reason(error)))")
            }
        }
        let temporary = folder + "/." + hash + "." + UUID().uuidString
        guard files.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw unusable(folder, "a file cannot be written there")
        }
        if rename(temporary, path) != 0 {
            let failure = errno
            try? files.removeItem(atPath: temporary)
            if !files.fileExists(atPath: path) { throw unusable(folder, "\(hash) cannot be stored there (\(String(cString: strerror(failure))))") }
        }
    }

    private static func unusable(_ folder: String, _ why: String) -> ApplicationFailure {
        ApplicationFailure(
            .destination, "cannot store attachments in \(folder): \(why); make it a folder Docket's user can write (or free disk space)")
    }

    /// The system's reason inside a Foundation file error (its POSIX error), else its code.
    private static func reason(_ error: any Error) -> String {
        let failure = error as NSError
        let posix = failure.domain == NSPOSIXErrorDomain ? failure : failure.userInfo[NSUnderlyingErrorKey] as? NSError
        if let posix, posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        return "\(failure.domain) error \(failure.code)"
    }

    /// The bytes stored for `sha256`, nil when there is no such file.
    static func read(sha256: String, in root: String) -> [UInt8]? {
        guard let path = path(of: sha256, in: root), let data = FileManager.default.contents(atPath: path) else { return nil }
        return [UInt8](data)
    }

    /// Whether the bytes for `sha256` are stored (a name that is no SHA-256 has none).
    static func exists(sha256: String, in root: String) -> Bool {
        path(of: sha256, in: root).map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    /// The file's path; nil unless `sha256` is 64 hex digits (so it can never leave the folder).
    private static func path(of sha256: String, in root: String) -> String? {
        let hash = sha256.lowercased()
        guard hash.utf8.count == 64, hash.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }) else { return nil }
        return root + "/" + hash.prefix(2) + "/" + hash
    }
}
