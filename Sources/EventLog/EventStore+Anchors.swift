import Foundation
import LMDB

extension EventStore {
    /// The `anchors` file of this store.
    public var anchorsPath: String { path + "/" + AnchorFile.fileName }

    /// Appends `head` to the anchors file after a commit, waiting for it to reach the disk when `sync` (and the store
    /// is durable). A failure to write it is not the command's failure (the events are committed, and an anchor behind
    /// the log is what `verify` accepts), but it is said on `warnings`: until an anchor is written again, a rollback of
    /// these commits would go unseen.
    func recordAnchor(_ head: LogHead, sync: Bool = true) {
        guard replay == nil, head.position > 0 else { return }
        do {
            try AnchorFile.append(Anchor(head), to: anchorsPath, sync: sync && environment.isDurable)
        } catch {
            let reason = (error as? EventLogError)?.message ?? "\(error)"
            warnings(
                "position \(head.position) was committed but not anchored (\(reason)); fix the anchors file (disk space, "
                    + "permissions, a link to a missing place): the next commit anchors the head again")
        }
    }

    /// Waits for the anchors written without waiting (`recordAnchor(_:sync:)` with false) to reach the disk: one
    /// `fdatasync` of the anchors file for all of them, after a bulk append's last transaction (`BulkCommits`). A
    /// failure is said on `warnings`, as for an anchor that could not be written.
    func syncAnchors() {
        guard replay == nil, environment.isDurable else { return }
        do {
            try AnchorFile.sync(anchorsPath)
        } catch {
            let reason = (error as? EventLogError)?.message ?? "\(error)"
            warnings(
                "the anchors of this append may not have reached the disk (\(reason)); fix the anchors file (disk space, "
                    + "permissions, a link to a missing place): the next commit anchors the head again")
        }
    }

    /// Appends the current head to the file at `destination` (an anchor kept elsewhere: `docket anchor --to`).
    @discardableResult
    public func anchor(to destination: String) throws -> Anchor {
        let anchor = Anchor(try head())
        try AnchorFile.append(anchor, to: destination)
        return anchor
    }

    /// Why the store looks rolled back, or nil when all is well: the meta pages are not what LMDB's commits leave
    /// behind, or the head is behind or differs from `anchor` (the latest anchor). Checked at every open (cheap: two
    /// meta pages read from the file, the anchors file's tail, one lookup): a store opened for writing reads the
    /// anchor inside its write transaction (no commit can race it); one opened read-only reads it before its read
    /// transaction begins, so the anchor belongs to a commit the transaction sees.
    func rollbackSuspicion(anchor: Anchor?, txn: borrowing Transaction) throws -> String? {
        var reasons: [String] = []
        if let meta = EventStore.metaPageSuspicion(in: path) { reasons.append(meta) }
        let head = try LogWriter.readHead(txn: txn, db: db)
        if let anchor, let problem = try anchorProblem(anchor, head: head, txn: txn) {
            reasons.append(problem)
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// Why the meta pages of the data file in `path` look rolled back, read from the file alone; nil when they do not
    /// (or there is no file yet).
    public static func metaPageSuspicion(in path: String) -> String? {
        guard let meta = MetaPages.readSettled(path + "/data.mdb"), !meta.isConsistent else { return nil }
        return "LMDB's two meta pages hold transaction ids \(meta.txnids.0) and \(meta.txnids.1), which commits never "
            + "leave behind: LMDB may have opened an older state of the file"
    }

    /// Why the state LMDB opened (`opened`, its last transaction id) is older than the newest meta page in the file, or
    /// nil: a damaged meta page LMDB refused to read, so it fell back to the other one — transaction 0, an empty store,
    /// for a store restored from a backup. The meta pages' ids look sound then; only this comparison shows it.
    static func olderStateProblem(opened: UInt64, meta: MetaPages?) -> String? {
        guard let meta else { return nil }
        let newest = max(meta.txnids.0, meta.txnids.1)
        guard opened < newest else { return nil }
        return "LMDB opened transaction \(opened) though a meta page of the file holds transaction \(newest): that page "
            + "is damaged and LMDB fell back to an older state of the file"
    }

    /// Refuses the store in `path` before it is opened when its meta pages look rolled back: opening it for writing
    /// commits into whatever state LMDB picked (the catalogue and format mark of an empty one), which overwrites a
    /// meta page and makes the damage worse. Cheap: the file's first two pages.
    public static func requireSoundMetaPages(in path: String) throws {
        guard let suspicion = metaPageSuspicion(in: path) else { return }
        throw EventLogError(
            .rolledBack,
            "the store at \(path) looks rolled back (\(suspicion)); run `docket verify`, restore it from a backup, or, "
                + "as an admin, accept it as it is with `docket verify --accept-rollback`")
    }

    /// What is wrong with the log against `anchor`, or nil when the log holds the anchored event.
    func anchorProblem(_ anchor: Anchor, head: LogHead, txn: borrowing Transaction) throws -> String? {
        let when = "anchored at position \(anchor.position) on \(anchor.recordedAt.iso8601)"
        if anchor.position > head.position {
            return "positions \(head.position &+ 1)…\(anchor.position) are missing: the log was \(when) and now ends at \(head.position)"
        }
        guard anchor.position > 0 else { return nil }
        let stored = try txn.get(db.events, key: Key.u64(anchor.position))?.withUnsafeBytes { try? RecordCodec.split($0).hash }
        guard stored == anchor.hash else {
            return "position \(anchor.position) is not the event it was when the log was \(when): the log diverged from its anchor"
        }
        return nil
    }

    /// Refuses writes while the store looks rolled back.
    func requireNoRollbackSuspicion() throws {
        guard let suspicion = integrityAlarm else { return }
        throw EventLogError(
            .rolledBack,
            "the store at \(path) looks rolled back (\(suspicion)); nothing was written. Run `docket verify`, restore "
                + "from a backup, or, as an admin, accept the store as it is with `docket verify --accept-rollback`")
    }

    /// Refuses to use the store at all while it looks rolled back: what it shows may be an older state (or, with a
    /// damaged meta page, nothing at all), so a read would answer wrongly without a word. `verify` alone goes on.
    public func requireNotRolledBack() throws {
        guard let suspicion = integrityAlarm else { return }
        throw EventLogError(
            .rolledBack,
            "the store at \(path) looks rolled back (\(suspicion)); run `docket verify`, restore it from a backup, or, "
                + "as an admin, accept it as it is with `docket verify --accept-rollback`")
    }

    /// The anchors that count for `verify`: the store's own file and any copies kept elsewhere; a copy holding none is
    /// refused (`.invalidEvent`, exit 65: a wrong file would otherwise pass as checked). Read before the
    /// verify's transaction begins, so every anchor read belongs to a commit the transaction sees. Each file with
    /// its anchors, the store's own first.
    func anchors(alsoFrom copies: [String]) throws -> [(file: String, anchors: [Anchor])] {
        var all = [(file: anchorsPath, anchors: try AnchorFile.read(anchorsPath))]
        for copy in copies {
            guard FileManager.default.fileExists(atPath: copy) else {
                throw EventLogError(.invalidEvent, "there is no anchors file at \(copy); check the path")
            }
            let found = try AnchorFile.read(copy)
            guard !found.isEmpty else {
                throw EventLogError(
                    .invalidEvent,
                    "\(copy) holds no anchor (no line `POSITION HASH RECORDED-AT`): it is not a copy of the anchors; give "
                        + "the file `docket anchor --to` writes")
            }
            all.append((copy, found))
        }
        return all
    }

    /// Records that an admin accepts the store as it is although it looks rolled back: a
    /// `store.rollback-accepted` event on stream `store-integrity` (what was anchored, what the store holds, the
    /// meta pages) and an `accepted` line in the anchors file. Returns nil when nothing looks rolled back.
    public func acceptRollback(actor: String, reason: String) throws -> AppendResult? {
        guard let suspicion = integrityAlarm else { return nil }
        let anchored = try AnchorFile.latest(anchorsPath)
        let head = try head()
        let meta = MetaPages.read(path + "/data.mdb")
        var object: [String: Any] = [
            "suspicion": suspicion, "reason": reason, "headPosition": head.position, "headHash": head.hash.hex,
        ]
        if let anchored {
            object["anchoredPosition"] = anchored.position
            object["anchoredHash"] = anchored.hash.hex
        }
        if let meta { object["metaTxnids"] = [meta.txnids.0, meta.txnids.1].map { String($0) } }
        let payload = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        let request = AppendRequest(
            stream: "store-integrity", events: [NewEvent(type: "store.rollback-accepted", payload: Array(payload))],
            actor: actor)
        let result = try appendIgnoringRollbackSuspicion([request])[0]
        try AnchorFile.append(Anchor(try self.head(), isAcceptance: true), to: anchorsPath)
        integrityAlarm = nil
        return result
    }
}
