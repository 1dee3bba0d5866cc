import GRDB
import WaymarkCore

// Enums stored as their raw text, for the columns a hand-written SELECT reads one by one
// (`StoredRecord.value`); a value the enum does not know is a `StoredValueError`, not a default.
extension MemberRole: DatabaseValueConvertible {}
extension DeliveryStatus: DatabaseValueConvertible {}
extension NotificationChannel: DatabaseValueConvertible {}
extension PageSection: DatabaseValueConvertible {}
