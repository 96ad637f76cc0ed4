//! What happened to a dossier, in words: one mapping from an audit action (`application.kpi_saved`)
//! to its Dutch label ("KPI bewaard"), used wherever a history is shown. An action without a label
//! gets a readable fallback by its area, never its code.

/// The Dutch label of the audit `action`.
pub fn label(action: &str) -> &'static str {
    match action {
        // The dossier, by the applicant.
        "application.started" => "Dossier gestart",
        "application.general_saved" => "Algemene gegevens bewaard",
        "application.action_added" => "Actie toegevoegd",
        "application.action_saved" => "Actie bewaard",
        "application.action_removed" => "Actie verwijderd",
        "application.reach_lines_saved" => "Tabel met bereik bewaard",
        "application.kpi_added" => "KPI toegevoegd",
        "application.kpi_saved" => "KPI bewaard",
        "application.kpi_removed" => "KPI verwijderd",
        "application.declarations_accepted" => "Verklaringen aanvaard",
        "application.submitted" | "application.submit" => "Dossier ingediend",
        "application.resubmit" => "Dossier opnieuw ingediend",
        "application.withdrawn" | "application.withdraw" => "Dossier ingetrokken",
        // The dossier, by ABB.
        "application.start_review" => "In beoordeling genomen",
        "application.assigned" => "Beoordelaar toegewezen",
        "application.checklist" => "Checklist bewaard",
        "application.note" => "Interne notitie geschreven",
        "application.message" => "Bericht aan de gemeente verstuurd",
        "application.message_to_abb" => "Bericht aan ABB verstuurd",
        "application.answer_reminded" => "Herinnering voor de gevraagde aanpassingen verstuurd",
        "application.request_changes" => "Aanpassingen gevraagd",
        "application.approve" => "Goedgekeurd",
        "application.partly_approve" => "Gedeeltelijk goedgekeurd",
        "application.reject" => "Afgewezen",
        "application.reopen" => "Beslissing heropend",
        "application.return_to_applicant" => "Teruggegeven aan de aanvrager",
        "application.late_submission_allowed" => "Laattijdige indiening toegestaan",
        // Attachments and the cooperation.
        "attachment.uploaded" => "Bijlage toegevoegd",
        "attachment.deleted" => "Bijlage verwijderd",
        "cooperation.member_invited" => "Gemeente uitgenodigd voor de samenwerking",
        "cooperation.member_confirmed" => "Deelname bevestigd",
        "cooperation.member_declined" => "Deelname geweigerd",
        "cooperation.member_removed" => "Gemeente uit de samenwerking gehaald",
        "cooperation.member_unconfirmed" => "Bevestiging van deelname ingetrokken",
        // Follow-up and money.
        "report.created" => "Voortgangsrapport klaargezet",
        "report.reminded" => "Herinnering voor een rapport verstuurd",
        "report.save" => "Rapport bewaard",
        "report.submit" => "Rapport ingediend",
        "report.resubmit" => "Rapport opnieuw ingediend",
        "report.accept" => "Rapport aanvaard",
        "report.send_back" => "Rapport teruggestuurd",
        "continuation.proposed" => "Voortzetting voorgesteld",
        "continuation.decided" => "Over de voortzetting beslist",
        "reclaim.proposed" => "Terugvordering voorgesteld",
        "reclaim.confirmed" => "Terugvordering bevestigd",
        "reclaim.waived" => "Afgezien van terugvordering",
        "payment.scheduled" => "Betaling gepland",
        "payment.recomputed" => "Betaling herberekend",
        "payment.approve" => "Betaling goedgekeurd",
        "payment.pay" => "Betaling als betaald gemarkeerd",
        "payment.cancel" | "payment.cancelled" => "Betaling geannuleerd",
        "allocation.proposed" => "Toewijzing voorgesteld",
        // Four eyes.
        "four_eyes.decision.proposed" => "Beslissing voorgesteld (vier ogen)",
        "four_eyes.decision.confirmed" => "Voorgestelde beslissing bevestigd",
        "four_eyes.decision.refused" => "Voorgestelde beslissing teruggestuurd",
        "four_eyes.decision.withdrawn" => "Voorgestelde beslissing ingetrokken",
        "four_eyes.reclaim.proposed" => {
            "Beslissing over een terugvordering voorgesteld (vier ogen)"
        }
        "four_eyes.reclaim.confirmed" => "Voorgestelde terugvordering bevestigd",
        "four_eyes.reclaim.refused" => "Voorgestelde terugvordering teruggestuurd",
        "four_eyes.reclaim.withdrawn" => "Voorgestelde terugvordering ingetrokken",
        "four_eyes.envelope.proposed" => "Nieuwe enveloppe voorgesteld (vier ogen)",
        "four_eyes.envelope.confirmed" => "Nieuwe enveloppe bevestigd",
        "four_eyes.envelope.refused" => "Nieuwe enveloppe teruggestuurd",
        "four_eyes.envelope.withdrawn" => "Nieuwe enveloppe ingetrokken",
        "call.envelope_changed" => "Enveloppe gewijzigd",
        "allocation.adjusted" => "Toewijzing aangepast",
        "allocation.confirmed" => "Toewijzing bevestigd",
        "access.denied" => "Toegang geweigerd",
        other => fallback(other),
    }
}

/// A readable label for an action without its own: the area it belongs to.
fn fallback(action: &str) -> &'static str {
    match action.split('.').next().unwrap_or_default() {
        "application" => "Wijziging aan het dossier",
        "attachment" => "Wijziging aan de bijlagen",
        "cooperation" => "Wijziging aan de samenwerking",
        "report" => "Wijziging aan een voortgangsrapport",
        "payment" => "Wijziging aan een betaling",
        "continuation" | "reclaim" => "Beslissing in de opvolging",
        "allocation" => "Wijziging aan de toewijzing",
        "call" => "Wijziging aan de oproep",
        "auth" | "user" | "api_token" => "Wijziging aan een account",
        _ => "Andere handeling",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_read_as_dutch_sentences() {
        assert_eq!(label("application.kpi_saved"), "KPI bewaard");
        assert_eq!(label("application.submitted"), "Dossier ingediend");
        assert_eq!(label("payment.pay"), "Betaling als betaald gemarkeerd");
    }

    #[test]
    fn an_unknown_action_gets_a_readable_fallback_never_its_code() {
        assert_eq!(
            label("application.something_new"),
            "Wijziging aan het dossier"
        );
        assert_eq!(label("weird"), "Andere handeling");
        assert!(!label("application.something_new").contains('.'));
    }
}
