import Foundation
import Synchronization
import WaymarkCore

/// Templates being previewed before they are saved: the editor posts the draft, and the preview
/// frame loads it back by an unguessable id. Kept in memory for an hour, per person and tenant;
/// a restart (or another node) loses them, and the editor then shows the saved version.
final class PreviewDrafts: Sendable {
    private struct Draft {
        let tenantID: Int64
        let userID: Int64
        let candidate: TemplateCandidate
        let created: Date
    }

    static let lifetime: TimeInterval = 3_600
    let capacity: Int
    private let drafts = Mutex<[String: Draft]>([:])

    init(capacity: Int = 1_000) {
        self.capacity = capacity
    }

    /// Keeps `candidate` and returns its id.
    func keep(_ candidate: TemplateCandidate, session: AdminSession, now: Date) -> String {
        let id = SecureToken.random(byteCount: 16)
        drafts.withLock { drafts in
            drafts = drafts.filter { now.timeIntervalSince($0.value.created) < Self.lifetime }
            if drafts.count >= capacity, let oldest = drafts.min(by: { $0.value.created < $1.value.created })?.key { drafts[oldest] = nil }
            drafts[id] = Draft(tenantID: session.tenant.id, userID: session.userID, candidate: candidate, created: now)
        }
        return id
    }

    /// The draft `id` of this person in this tenant for `slot`, while it lasts.
    func draft(_ id: String, session: AdminSession, slot: TemplateSlot, now: Date) -> TemplateCandidate? {
        drafts.withLock { drafts in
            guard let draft = drafts[id], draft.tenantID == session.tenant.id, draft.userID == session.userID,
                draft.candidate.slot == slot, now.timeIntervalSince(draft.created) < Self.lifetime
            else { return nil }
            return draft.candidate
        }
    }
}
