import Testing
import WaymarkCore

/// Each algorithm against examples worked out by hand (the arithmetic is in the comments), then
/// against a real number of the carrier that uses it.
@Suite("Check digits")
struct CheckDigitTests {
    @Test("mod10 weighs even and odd positions from the left, adding products whole")
    func mod10() {
        // 1×3 + 2×1 + 3×3 = 14; 10 - 4 = 6
        #expect(CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1).checkCharacter(for: "123") == "6")
        // 5×1 + 9×3 = 32 (not Luhn: 27 is not reduced to 9); 10 - 2 = 8
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 3).checkCharacter(for: "59") == "8")
        // A sum that is a multiple of 10 gives 0, not 10: 5×1 + 5×1 = 10
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 1).checkCharacter(for: "55") == "0")
        // FedEx Ground 0414 4176 0228 964, Canada Post 0073938000549297
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 3).isValid(serial: "04144176022896", check: "4"))
        #expect(CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1).isValid(serial: "007393800054929", check: "7"))
        #expect(!CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1).isValid(serial: "007393800054929", check: "2"))
    }

    @Test("mod10 counts a letter as its ASCII code minus 3, modulo 10, as UPS serials need")
    func mod10Letters() {
        // A = 65 → 62 → 2; 2×1 + 1×2 = 4; 10 - 4 = 6
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 2).checkCharacter(for: "A1") == "6")
        // Z = 90 → 87 → 7; 7×1 = 7; 10 - 7 = 3
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 2).checkCharacter(for: "Z") == "3")
        // UPS 1Z 5R8939035756712 7
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 2).isValid(serial: "5R8939035756712", check: "7"))
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 2).checkCharacter(for: "a1") == nil)
        #expect(CheckDigitRule.mod10(evenWeight: 1, oddWeight: 2).checkCharacter(for: "1-2") == nil)
    }

    @Test("mod10 from the right starts the weights at the last serial digit")
    func mod10FromRight() {
        // Reversed "21": 2×3 + 1×1 = 7; 10 - 7 = 3. From the left it would be 1×3 + 2×1 = 5 → 5.
        #expect(CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1, fromRight: true).checkCharacter(for: "12") == "3")
        #expect(CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1).checkCharacter(for: "12") == "5")
        // USPS 9400 1112 0108 0805 4830 16
        #expect(CheckDigitRule.mod10(evenWeight: 3, oddWeight: 1, fromRight: true).isValid(serial: "940011120108080548301", check: "6"))
    }

    @Test("mod7 is the serial as a number modulo 7")
    func mod7() {
        // 331881002 = 7 × 47411571 + 5
        #expect(CheckDigitRule.mod7.checkCharacter(for: "331881002") == "5")
        #expect(CheckDigitRule.mod7.checkCharacter(for: "7") == "0")
        #expect(CheckDigitRule.mod7.checkCharacter(for: "13") == "6")
        // Longer than any integer type: still digit by digit. 10^30 mod 7 = 10^(30 mod 6) mod 7 = 1.
        #expect(CheckDigitRule.mod7.checkCharacter(for: "1" + String(repeating: "0", count: 30)) == "1")
        #expect(CheckDigitRule.mod7.isValid(serial: "7389105114", check: "6"))
        #expect(CheckDigitRule.mod7.checkCharacter(for: "12A") == nil)
    }

    @Test("S10 weighs 8 6 4 2 3 5 9 7 and maps the remainders 0 and 1 to 5 and 0")
    func s10() {
        // 1×8 + 2×6 + 3×4 + 4×2 + 5×3 + 6×5 + 7×9 + 8×7 = 204; 204 mod 11 = 6; 11 - 6 = 5
        #expect(CheckDigitRule.s10.checkCharacter(for: "12345678") == "5")
        // Sum 0: remainder 0 gives 5
        #expect(CheckDigitRule.s10.checkCharacter(for: "00000000") == "5")
        // 6×2 = 12: remainder 1 gives 0
        #expect(CheckDigitRule.s10.checkCharacter(for: "00060000") == "0")
        // 3×7 = 21: remainder 10 gives 1
        #expect(CheckDigitRule.s10.checkCharacter(for: "00000003") == "1")
        // Exactly eight digits.
        #expect(CheckDigitRule.s10.checkCharacter(for: "1234567") == nil)
        #expect(CheckDigitRule.s10.checkCharacter(for: "123456789") == nil)
    }

    @Test("Luhn doubles every other digit from the right, taking 9 off two-digit results")
    func luhn() {
        // 7992739871 from the right: 1 8 3 2 9 doubled → 2 7 6 4 9 (28), with 7 9 7 9 7 (39) = 67; 10 - 7 = 3
        #expect(CheckDigitRule.luhn.checkCharacter(for: "7992739871") == "3")
        // 5 doubled = 10 → 1; 10 - 1 = 9
        #expect(CheckDigitRule.luhn.checkCharacter(for: "5") == "9")
        // Purolator 320595463938, Old Dominion 07209562763
        #expect(CheckDigitRule.luhn.isValid(serial: "32059546393", check: "8"))
        #expect(CheckDigitRule.luhn.isValid(serial: "0720956276", check: "3"))
        #expect(!CheckDigitRule.luhn.isValid(serial: "0720956277", check: "3"))
    }

    @Test("Weighted sums take modulo 11, then modulo 10")
    func weightedSum() {
        let fedEx = CheckDigitRule.weightedSum(weights: [3, 1, 7, 3, 1, 7, 3, 1, 7, 3, 1], modulo1: 11, modulo2: 10)
        // 9×3 + 8×1 + 6×7 + 5×3 + 7×1 + 8×7 + 7×3 + 8×1 + 8×7 + 8×3 + 5×1 = 269; 269 mod 11 = 5; 5 mod 10 = 5
        #expect(fedEx.checkCharacter(for: "98657878885") == "5")
        // 1×7 + 1×3 = 10; 10 mod 11 = 10; 10 mod 10 = 0
        #expect(fedEx.checkCharacter(for: "00100000010") == "0")
        // One weight per digit, no more and no fewer.
        #expect(fedEx.checkCharacter(for: "9865787888") == nil)
        #expect(!fedEx.isValid(serial: "99657878885", check: "5"))
    }

    @Test("MOD 37,36 yields a digit or a letter")
    func mod37_36() {
        // Start 36; "A" adds 10 → 46 → 10; doubled 20. 37 - 20 = 17 → H
        #expect(CheckDigitRule.mod37_36.checkCharacter(for: "A") == "H")
        // 36 + 0 = 36 (stays); doubled 72 → 35. 37 - 35 = 2
        #expect(CheckDigitRule.mod37_36.checkCharacter(for: "0") == "2")
        // DPD 09 9800 0002 0033 F, and the 28-character label number ending in C
        #expect(CheckDigitRule.mod37_36.checkCharacter(for: "09980000020033") == "F")
        #expect(CheckDigitRule.mod37_36.isValid(serial: "008182709980000020033350276", check: "C"))
        #expect(!CheckDigitRule.mod37_36.isValid(serial: "008182709980000020033350276", check: "A"))
        #expect(CheckDigitRule.mod37_36.checkCharacter(for: "0-1") == nil)
    }

    @Test("An empty serial or a check of more than one character is never valid")
    func degenerate() {
        for rule: CheckDigitRule in [.mod10(evenWeight: 3, oddWeight: 1), .mod7, .s10, .luhn, .mod37_36] {
            #expect(rule.checkCharacter(for: "") == nil, "\(rule)")
            #expect(!rule.isValid(serial: "12345678", check: ""), "\(rule)")
            #expect(!rule.isValid(serial: "12345678", check: "55"), "\(rule)")
        }
    }
}
