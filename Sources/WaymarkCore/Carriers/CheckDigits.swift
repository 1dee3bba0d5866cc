/// How a carrier derives the check character of a tracking number from its serial part, so that a
/// mistyped number is caught before it is stored. Each rule works on uppercase ASCII; a serial with
/// a character the rule cannot weigh has no check character.
public enum CheckDigitRule: Hashable, Sendable {
    /// A weighted sum to the next multiple of 10. Characters are numbered from 0 at the left (at the
    /// right with `fromRight`); even positions are multiplied by `evenWeight`, odd ones by
    /// `oddWeight`. A letter counts as its ASCII code minus 3, modulo 10 (UPS puts letters in the
    /// serial). Products are added whole: this is not Luhn.
    case mod10(evenWeight: Int, oddWeight: Int, fromRight: Bool = false)
    /// The serial read as a decimal number, modulo 7 (DHL Express air waybills).
    case mod7
    /// UPU S10: eight digits weighted 8 6 4 2 3 5 9 7; the check is 11 minus the sum modulo 11,
    /// except that 10 becomes 0 and 11 becomes 5.
    case s10
    /// Luhn: from the digit next to the check digit leftwards, every other digit is doubled (and 9
    /// taken off a two-digit result); the check brings the sum to a multiple of 10.
    case luhn
    /// Digits multiplied by `weights` in order and added; the check is the sum modulo `modulo1`,
    /// then modulo `modulo2` (FedEx Express: weights 3 1 7, modulo 11 then 10).
    case weightedSum(weights: [Int], modulo1: Int, modulo2: Int)
    /// ISO 7064 MOD 37,36 as DPD prints it: a hybrid system over 0-9 and A-Z whose check
    /// character is itself a digit or a letter.
    case mod37_36

    /// The check character this rule derives from `serial`, or nil when the serial does not fit it.
    public func checkCharacter(for serial: some StringProtocol) -> Character? {
        let bytes = Array(serial.utf8)
        guard !bytes.isEmpty else { return nil }
        return switch self {
        case let .mod10(evenWeight, oddWeight, fromRight): Self.mod10(bytes, evenWeight, oddWeight, fromRight)
        case .mod7: Self.mod7(bytes)
        case .s10: Self.s10(bytes)
        case .luhn: Self.luhn(bytes)
        case let .weightedSum(weights, modulo1, modulo2): Self.weightedSum(bytes, weights, modulo1, modulo2)
        case .mod37_36: Self.mod37_36(bytes)
        }
    }

    /// Whether `check` is the check character of `serial` under this rule.
    public func isValid(serial: some StringProtocol, check: some StringProtocol) -> Bool {
        guard check.count == 1, let expected = checkCharacter(for: serial) else { return false }
        return check.first == expected
    }

    // MARK: - The algorithms

    private static func digitValue(_ byte: UInt8) -> Int? {
        (48...57).contains(byte) ? Int(byte - 48) : nil
    }

    private static func digitCharacter(_ value: Int) -> Character {
        Character(Unicode.Scalar(UInt8(48 + value)))
    }

    private static func mod10(_ bytes: [UInt8], _ evenWeight: Int, _ oddWeight: Int, _ fromRight: Bool) -> Character? {
        var total = 0
        for (position, byte) in (fromRight ? bytes.reversed() : bytes).enumerated() {
            let value: Int
            if let digit = digitValue(byte) {
                value = digit
            } else if (65...90).contains(byte) {
                value = (Int(byte) - 3) % 10
            } else {
                return nil
            }
            total += value * (position.isMultiple(of: 2) ? evenWeight : oddWeight)
        }
        return digitCharacter((10 - total % 10) % 10)
    }

    private static func mod7(_ bytes: [UInt8]) -> Character? {
        // Digit by digit, so a serial of any length cannot overflow.
        var remainder = 0
        for byte in bytes {
            guard let digit = digitValue(byte) else { return nil }
            remainder = (remainder * 10 + digit) % 7
        }
        return digitCharacter(remainder)
    }

    private static let s10Weights = [8, 6, 4, 2, 3, 5, 9, 7]

    private static func s10(_ bytes: [UInt8]) -> Character? {
        guard bytes.count == s10Weights.count else { return nil }
        var total = 0
        for (byte, weight) in zip(bytes, s10Weights) {
            guard let digit = digitValue(byte) else { return nil }
            total += digit * weight
        }
        return switch total % 11 {
        case 0: "5"
        case 1: "0"
        case let remainder: digitCharacter(11 - remainder)
        }
    }

    private static func luhn(_ bytes: [UInt8]) -> Character? {
        var total = 0
        for (position, byte) in bytes.reversed().enumerated() {
            guard let digit = digitValue(byte) else { return nil }
            if position.isMultiple(of: 2) {
                let doubled = digit * 2
                total += doubled > 9 ? doubled - 9 : doubled
            } else {
                total += digit
            }
        }
        return digitCharacter((10 - total % 10) % 10)
    }

    private static func weightedSum(_ bytes: [UInt8], _ weights: [Int], _ modulo1: Int, _ modulo2: Int) -> Character? {
        guard bytes.count == weights.count, modulo1 > 0, modulo2 > 0 else { return nil }
        var total = 0
        for (byte, weight) in zip(bytes, weights) {
            guard let digit = digitValue(byte) else { return nil }
            total += digit * weight
        }
        let check = total % modulo1 % modulo2
        return check < 10 ? digitCharacter(check) : nil
    }

    /// 0-9 are worth 0-9, A-Z 10-35.
    private static func base36Value(_ byte: UInt8) -> Int? {
        if let digit = digitValue(byte) { return digit }
        return (65...90).contains(byte) ? Int(byte) - 55 : nil
    }

    private static func mod37_36(_ bytes: [UInt8]) -> Character? {
        let modulus = 36
        // The running value stays in 1...36, with 36 standing for 0.
        var value = modulus
        for byte in bytes {
            guard let worth = base36Value(byte) else { return nil }
            value += worth
            if value > modulus { value -= modulus }
            value *= 2
            if value > modulus { value -= modulus + 1 }
        }
        var check = modulus + 1 - value
        if check == modulus { check = 0 }
        return check < 10 ? digitCharacter(check) : Character(Unicode.Scalar(UInt8(55 + check)))
    }
}
