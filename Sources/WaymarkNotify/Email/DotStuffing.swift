/// RFC 5321 §4.5.2 transparency: the DATA section is sent with CRLF line endings, every line
/// that starts with "." gets a second ".", and `CRLF . CRLF` ends it.
enum DotStuffing {
    static func dataSection(_ message: [UInt8]) -> [UInt8] {
        let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), dot = UInt8(ascii: ".")
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 50 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            if atLineStart, byte == dot { output.append(dot) }
            if byte == cr || byte == lf {
                // CRLF, a bare CR or a bare LF all become one CRLF: SMTP allows no other line end.
                output.append(cr)
                output.append(lf)
                if byte == cr, index + 1 < message.count, message[index + 1] == lf { index += 1 }
                atLineStart = true
            } else {
                output.append(byte)
                atLineStart = false
            }
            index += 1
        }
        if !atLineStart { output.append(contentsOf: [cr, lf]) }
        output.append(contentsOf: [dot, cr, lf])
        return output
    }
}
