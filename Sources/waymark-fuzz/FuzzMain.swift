import Foundation
import WaymarkFuzz

/// `waymark-fuzz TARGET [libFuzzer options] [CORPUS...]` in the fuzzing build (`scripts/fuzz`,
/// compiled with `-sanitize=fuzzer,address -DWAYMARK_FUZZ`); in the ordinary build it replays
/// files: `waymark-fuzz TARGET FILE|DIR...`. `waymark-fuzz --list` names the targets.
@main
struct FuzzMain {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count == 2, arguments[1] == "--list" {
            print(FuzzTarget.allCases.map(\.rawValue).joined(separator: "\n"))
            return
        }
        guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("usage: waymark-fuzz TARGET [libFuzzer options | inputs]; targets: \(names)\n".utf8))
            exit(2)
        }
        #if WAYMARK_FUZZ
        exit(LibFuzzer.run(target, options: Array(arguments.dropFirst(2))))
        #else
        exit(replay(target, paths: Array(arguments.dropFirst(2))))
        #endif
    }

    /// Runs every file named, or held in a folder named, through `target`; 1 if any finding.
    static func replay(_ target: FuzzTarget, paths: [String]) -> Int32 {
        var failed = false
        var count = 0
        for file in paths.flatMap(files(at:)) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            count += 1
            do {
                try target.run(Array(data))
            } catch {
                failed = true
                print("\(file): \(error)")
            }
        }
        print("\(target.rawValue): \(count) inputs, \(failed ? "findings above" : "no findings")")
        return failed ? 1 : 0
    }

    static func files(at path: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return [path] }
        return names.sorted().map { "\(path)/\($0)" }
    }
}

#if WAYMARK_FUZZ
/// libFuzzer's driver, with the target chosen on the command line (one binary for all targets).
enum LibFuzzer {
    nonisolated(unsafe) static var target = FuzzTarget.providers

    static func run(_ target: FuzzTarget, options: [String]) -> Int32 {
        Self.target = target
        var argv = ([CommandLine.arguments[0]] + options).map { strdup($0) }
        var argc = Int32(argv.count)
        return argv.withUnsafeMutableBufferPointer { buffer in
            guard var base = buffer.baseAddress else { return 2 }
            return LLVMFuzzerRunDriver(&argc, &base, LLVMFuzzerTestOneInput)
        }
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// libFuzzer's entry point. A finding stops the run the way a crash does, so libFuzzer saves it.
@_cdecl("LLVMFuzzerTestOneInput")
func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try LibFuzzer.target.run(input)
    } catch {
        FileHandle.standardError.write(Data("finding: \(error)\n".utf8))
        abort()
    }
    return 0
}
#endif
