import LMDB

extension EventStore {
    /// The names of the projections this store keeps.
    public var projectionNames: [String] { projections.map(\.name) }

    /// A projection's checkpoint: the last position it has applied.
    public func checkpoint(of name: String) throws -> UInt64 {
        _ = try projection(named: name)
        return try environment.read { txn in try checkpoint(name, txn: txn) }
    }

    /// Empties the projection `name` and replays the whole log into it, in write transactions of
    /// `batchSize` events. Appends made meanwhile are picked up before it returns.
    /// `progress` is called after each batch with (position reached, head).
    public func rebuild(
        _ name: String, batchSize: Int = 20_000, progress: (UInt64, UInt64) -> Void = { _, _ in }
    ) throws {
        let projection = try projection(named: name)
        try requireWritable()
        try environment.write { txn in
            for database in db.projections[name] ?? [] { try txn.empty(database) }
            try setCheckpoint(projection.name, to: 0, txn: txn)
        }
        try catchUp(projection, batchSize: batchSize, progress: progress)
    }

    /// Brings every projection that is behind the head up to it (a projection added since the log was
    /// written starts at checkpoint 0). Returns the names of those it moved.
    @discardableResult
    public func catchUpProjections(progress: (String, UInt64, UInt64) -> Void = { _, _, _ in }) throws -> [String] {
        var moved: [String] = []
        for projection in projections {
            let (mark, head) = try environment.read { txn in
                (try checkpoint(projection.name, txn: txn), try LogWriter.readHead(txn: txn, db: db).position)
            }
            if mark < head {
                try requireWritable()
                try catchUp(projection, batchSize: 20_000) { progress(projection.name, $0, $1) }
                moved.append(projection.name)
            }
        }
        return moved
    }

    private func catchUp(
        _ projection: any Projection, batchSize: Int, progress: (UInt64, UInt64) -> Void
    ) throws {
        while true {
            let (reached, head) = try environment.write { txn -> (UInt64, UInt64) in
                let head = try LogWriter.readHead(txn: txn, db: db).position
                let mark = try checkpoint(projection.name, txn: txn)
                guard mark < head else { return (mark, head) }
                let last = min(head, mark + UInt64(batchSize))
                try applying([projection], txn: txn) {
                    try txn.withCursor(db.events) { cursor in
                        var entry = try cursor.seek(atLeast: Key.u64(mark + 1))
                        while let found = entry, Key.u64(found.key) <= last {
                            try projection.apply(try decode(position: Key.u64(found.key), record: found.value), in: txn)
                            entry = try cursor.next()
                        }
                    }
                }
                try setCheckpoint(projection.name, to: last, txn: txn)
                return (last, head)
            }
            progress(reached, head)
            if reached >= head { return }
        }
    }

    func projection(named name: String) throws -> any Projection {
        guard let found = projections.first(where: { $0.name == name }) else {
            let known = projections.map(\.name).joined(separator: ", ")
            throw EventLogError(.unknownProjection, "there is no read model named '\(name)'; known: \(known)")
        }
        return found
    }

    /// Every key and value of the projection's databases, in order: for comparing two builds byte for byte.
    public func dump(projection name: String) throws -> [[UInt8]] {
        _ = try projection(named: name)
        return try environment.read { txn in
            var out: [[UInt8]] = []
            for database in db.projections[name] ?? [] {
                out.append(Array(database.name.utf8))
                try txn.withCursor(database) { cursor in
                    var entry = try cursor.first()
                    while let found = entry {
                        out.append(Array(found.key))
                        out.append(Array(found.value))
                        entry = try cursor.next()
                    }
                }
            }
            return out
        }
    }

    /// Writes a consistent, compacted copy of the store into `destination` (created owner-only; it must
    /// be missing or empty) while other processes go on writing.
    public func backup(to destination: String) throws {
        try FileSystem.prepareEmptyFolder(destination)
        try environment.copy(to: destination, compact: true)
        FileSystem.restrictFiles(in: destination)
    }
}
