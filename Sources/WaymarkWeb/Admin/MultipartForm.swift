/// A `multipart/form-data` body (RFC 7578) as the admin's one upload form sends it: text fields
/// and files by name. Only what browsers send is read: `Content-Disposition` with `name` and
/// `filename`, and `Content-Type`; anything malformed reads as no form at all.
struct MultipartForm {
    struct File: Sendable {
        let filename: String
        let contentType: String?
        let bytes: [UInt8]
    }

    private(set) var fields: [String: String] = [:]
    private(set) var files: [String: File] = [:]

    /// The boundary of a `multipart/form-data; boundary=…` content type.
    static func boundary(contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            let value = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
            return value.isEmpty || value.count > 70 ? nil : value
        }
        return nil
    }

    init?(_ body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var index = Self.find(delimiter, in: body[...])
        while let start = index {
            let afterDelimiter = start + delimiter.count
            if body[afterDelimiter...].starts(with: Array("--".utf8)) { break }
            let contentStart = afterDelimiter + 2  // CRLF
            guard contentStart <= body.count, let next = Self.find(delimiter, in: body[contentStart...]) else { return nil }
            parts.append(body[contentStart..<max(contentStart, next - 2)])  // without the CRLF before the next delimiter
            index = next
        }
        for part in parts {
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: part) else { return nil }
            let headerText = String(decoding: part[part.startIndex..<headerEnd], as: UTF8.self)
            let content = Array(part[(headerEnd + 4)...])
            var name: String?
            var filename: String?
            var contentType: String?
            for line in headerText.split(separator: "\r\n") {
                let pieces = line.split(separator: ":", maxSplits: 1)
                guard pieces.count == 2 else { continue }
                let value = pieces[1].trimmingCharacters(in: .whitespaces)
                switch pieces[0].lowercased() {
                case "content-disposition":
                    name = Self.parameter("name", in: value)
                    filename = Self.parameter("filename", in: value)
                case "content-type":
                    contentType = value
                default:
                    break
                }
            }
            guard let name else { continue }
            if let filename {
                files[name] = File(filename: filename, contentType: contentType, bytes: content)
            } else {
                fields[name] = String(decoding: content, as: UTF8.self)
            }
        }
    }

    private static func parameter(_ wanted: String, in disposition: String) -> String? {
        for piece in disposition.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == wanted else { continue }
            return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }

    /// The index where `needle` first starts in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, needle.count <= haystack.count else { return nil }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == first, haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
