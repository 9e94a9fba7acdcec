import DocketTime

/// The version of dated, numbered versions that is in force at `instant`.
///
/// Rule (the same as ``ContractState/terms(at:)``): among the versions whose `effectiveFrom` is at or before
/// `instant`, the one with the greatest `effectiveFrom` is in force; between versions with the same
/// `effectiveFrom`, the higher amendment number (the one recorded later) wins. Nil before the first version.
func versionInForce<Version>(
    _ versions: [Version], at instant: Timestamp, effectiveFrom: (Version) -> Timestamp,
    amendment: (Version) -> Int
) -> Version? {
    var best: Version?
    for version in versions where effectiveFrom(version) <= instant {
        guard let current = best else {
            best = version
            continue
        }
        if (effectiveFrom(version), amendment(version)) > (effectiveFrom(current), amendment(current)) {
            best = version
        }
    }
    return best
}
