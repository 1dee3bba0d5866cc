import Foundation

/// A link on delivered tracking pages: the merchant's review page, or one of up to four
/// products. Shoppers reach it through `/{tenant}/go/{id}`, which counts the click.
public struct AfterDeliveryLink: Sendable, Equatable, Identifiable {
    public enum Kind: String, Sendable, Equatable {
        case review, product
    }

    public var id: Int64
    public var kind: Kind
    public var title: String
    /// A product's picture (https), shown beside its title.
    public var imageURL: String?
    public var url: String

    public init(id: Int64, kind: Kind, title: String, imageURL: String? = nil, url: String) {
        self.id = id
        self.kind = kind
        self.title = title
        self.imageURL = imageURL
        self.url = url
    }
}

/// The links a merchant saves, already checked: at most one review link and
/// `maximumProducts` product links, in the order they show.
public struct AfterDeliveryLinks: Sendable, Equatable {
    public static let maximumProducts = 4
    public static let maximumTitleLength = 100

    public struct Link: Sendable, Equatable {
        public var title: String
        public var imageURL: String?
        public var url: String

        public init(title: String, imageURL: String? = nil, url: String) {
            self.title = title
            self.imageURL = imageURL
            self.url = url
        }
    }

    public var review: Link?
    public var products: [Link]

    public init(review: Link? = nil, products: [Link] = []) {
        self.review = review
        self.products = Array(products.prefix(Self.maximumProducts))
    }
}

/// Clicks on one link on one UTC day, counted in memory and written in batches.
public struct LinkClickDay: Sendable, Hashable {
    public var linkID: Int64
    public var day: String

    public init(linkID: Int64, day: String) {
        self.linkID = linkID
        self.day = day
    }
}
