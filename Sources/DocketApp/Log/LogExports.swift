// The log's plain values that callers of the application layer read or build (`docket log`, `docket event
// append`, verify, backup, replay reports): re-exported one by one, so a caller imports `DocketApp` only and never
// the store (`EventStore`, LMDB) itself. What acts on the store goes through ``LogService``.

@_exported import struct EventLog.Anchor
@_exported import struct EventLog.AppendRequest
@_exported import struct EventLog.AppendResult
@_exported import struct EventLog.BackupManifest
@_exported import class EventLog.BulkCommits
@_exported import struct EventLog.Digest
@_exported import enum EventLog.ExpectedVersion
@_exported import enum EventLog.HandOff
@_exported import enum EventLog.JSONBounds
@_exported import enum EventLog.JSONScanner
@_exported import struct EventLog.LineSplitter
@_exported import struct EventLog.LogHead
@_exported import struct EventLog.MonthEnd
@_exported import enum EventLog.NDJSONLine
@_exported import struct EventLog.NewEvent
@_exported import struct EventLog.RandomUUIDs
@_exported import enum EventLog.ReadDirection
@_exported import struct EventLog.ReadModelCheck
@_exported import struct EventLog.ReadModelDigest
@_exported import struct EventLog.RecordedEvent
@_exported import struct EventLog.ReplayMarker
@_exported import struct EventLog.ReplayResult
@_exported import enum EventLog.ScratchFolders
@_exported import struct EventLog.SnapshotListing
@_exported import struct EventLog.SnapshotManifest
@_exported import struct EventLog.SnapshotUse
@_exported import struct EventLog.StagedFolder
@_exported import struct EventLog.VerifyReport
@_exported import DocketTime
