#if canImport(Glibc)
import Glibc
#endif

/// Output on its way to a technician's terminal, with its control characters made visible. What Docket prints
/// holds text from outside — an email's subject and body, an alert's summary, a contact's name — and a control
/// character in it (ESC above all) would otherwise be obeyed by the terminal: recolour or hide text, move the cursor,
/// retitle the window. Applied only where stdout or stderr is a terminal (by the embedded CLI and by the client of
/// `docket serve`), so that what a script or a file receives stays byte for byte what the command wrote.
public enum TerminalText {
    /// `bytes` as they should go to the open file `descriptor`: `visible(bytes)` when it is a terminal, else unchanged.
    public static func forDescriptor(_ descriptor: Int32, _ bytes: [UInt8]) -> [UInt8] {
        isatty(descriptor) == 1 ? visible(bytes) : bytes
    }

    /// `bytes` (UTF-8) with every control character but the line's own (LF, tab, and CR before LF) replaced by its
    /// visible picture: C0 controls by U+2400…U+241F (ESC shows as ␛), DEL by U+2421 (␡), C1 controls by U+FFFD (�).
    /// Returns `bytes` itself when there is nothing to replace.
    public static func visible(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = bytes.indices.first(where: { needsPicture(bytes, at: $0) }) else { return bytes }
        var out = Array(bytes[..<first])
        out.reserveCapacity(bytes.count + 16)
        var index = first
        while index < bytes.count {
            let byte = bytes[index]
            guard needsPicture(bytes, at: index) else {
                out.append(byte)
                index += 1
                continue
            }
            switch byte {
            case 0x7F:
                out += [0xE2, 0x90, 0xA1]  // U+2421 SYMBOL FOR DELETE
            case 0xC2:
                out += [0xEF, 0xBF, 0xBD]  // U+FFFD for a C1 control (its two bytes)
                index += 1
            default:
                out += [0xE2, 0x90, 0x80 + byte]  // U+2400 + the control's code
            }
            index += 1
        }
        return out
    }

    /// Whether the byte at `index` begins a control character to replace.
    private static func needsPicture(_ bytes: [UInt8], at index: Int) -> Bool {
        let byte = bytes[index]
        switch byte {
        case 0x0A, 0x09: return false
        case 0x0D: return index + 1 >= bytes.count || bytes[index + 1] != 0x0A
        case 0x00...0x1F, 0x7F: return true
        case 0xC2: return index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1])
        default: return false
        }
    }
}
