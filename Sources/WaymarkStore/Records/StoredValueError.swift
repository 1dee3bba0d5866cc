import Foundation

/// A value in the database file that this version of Waymark cannot read: a row edited by hand,
/// written by a newer release, or a column renamed without a migration. Reading it fails with this
/// instead of inventing a default, and says where the bad value is, so an operator can fix that
/// one row. The value itself is left out where it could be a shopper's personal data.
public struct StoredValueError: Error, Equatable, CustomStringConvertible {
    public var table: String
    public var column: String
    /// The row's primary key: `shp_…`, `42`, or `tenant_id=3, provider=aftership` for a compound key.
    public var rowID: String
    /// What is wrong with the value.
    public var problem: String

    public init(table: String, column: String, rowID: String, problem: String) {
        self.table = table
        self.column = column
        self.rowID = rowID
        self.problem = problem
    }

    public var description: String {
        "cannot read column '\(column)' of table '\(table)', row id \(rowID): \(problem)"
    }
}
