import Testing
import WaymarkNotify

@Test func moduleLinks() { _ = WaymarkNotify.self }
