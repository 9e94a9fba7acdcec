// The log's time types come from DocketTime; users of EventLog get them with it.
@_exported import DocketTime
