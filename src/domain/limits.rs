//! How many of each thing a dossier holds. A dossier is read, checked and shown whole, so every
//! collection an applicant fills has a bound, checked the same way by the forms and the API:
//! at most [`MAX_KPIS_PER_ACTION`] KPIs per action (besides its reach KPI), at most as many
//! actions as the call's catalog, at most [`MAX_ATTACHMENTS_PER_DOSSIER`] attachments, and at
//! most as many members as the lead's reference region has other municipalities. Each check
//! answers a Dutch message that says what to do.

/// The most KPIs an applicant adds to one action, besides the reach KPI that follows the
/// action's reach.
pub const MAX_KPIS_PER_ACTION: usize = 20;

/// The most attachments one dossier holds (its own and its progress reports' together).
pub const MAX_ATTACHMENTS_PER_DOSSIER: usize = 50;

/// An action with `count` KPIs of its own (besides the reach KPI).
pub fn check_kpis(count: usize) -> Result<(), String> {
    if count > MAX_KPIS_PER_ACTION {
        Err(format!(
            "Een actie heeft hoogstens {MAX_KPIS_PER_ACTION} KPI's naast de bereik-KPI; u gaf er \
             {count}. Houd de belangrijkste over."
        ))
    } else {
        Ok(())
    }
}

/// Whether one more KPI may be added to an action that has `count` of its own.
pub fn check_kpi_added(count: usize) -> Result<(), String> {
    if count >= MAX_KPIS_PER_ACTION {
        Err(format!(
            "Deze actie heeft al {count} KPI's naast de bereik-KPI, het hoogste aantal \
             (hoogstens {MAX_KPIS_PER_ACTION}). Verwijder er een voor u een nieuwe toevoegt."
        ))
    } else {
        Ok(())
    }
}

/// A list of `count` actions for a call whose catalog has `catalog` actions (each action at
/// most once).
pub fn check_actions(count: usize, catalog: usize) -> Result<(), String> {
    if count > catalog {
        Err(format!(
            "Een dossier kiest hoogstens {catalog} acties, zoveel als de oproep er heeft, en elke \
             actie één keer; u gaf er {count}."
        ))
    } else {
        Ok(())
    }
}

/// Whether one more attachment may be added to a dossier that has `count`.
pub fn check_attachment_added(count: usize) -> Result<(), String> {
    if count >= MAX_ATTACHMENTS_PER_DOSSIER {
        Err(format!(
            "Een dossier heeft hoogstens {MAX_ATTACHMENTS_PER_DOSSIER} bijlagen. Verwijder een \
             bijlage die u niet meer nodig hebt voor u een nieuwe toevoegt."
        ))
    } else {
        Ok(())
    }
}

/// A cooperation inviting `count` members, in a reference region of `region_size`
/// municipalities (the lead included).
pub fn check_members(count: usize, region_size: usize) -> Result<(), String> {
    let most = region_size.saturating_sub(1);
    if count > most {
        Err(format!(
            "Een samenwerking blijft binnen één referentieregio: u kunt hoogstens {most} andere \
             gemeenten uitnodigen; u gaf er {count}."
        ))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_action_takes_at_most_twenty_kpis_besides_its_reach() {
        assert!(check_kpis(0).is_ok());
        assert!(check_kpis(20).is_ok());
        let refused = check_kpis(2_000).unwrap_err();
        assert!(refused.contains("hoogstens 20"), "{refused}");
        assert!(check_kpi_added(19).is_ok());
        assert!(check_kpi_added(20).unwrap_err().contains("hoogstens 20"));
    }

    #[test]
    fn a_dossier_lists_each_action_of_the_catalog_at_most_once() {
        assert!(check_actions(12, 12).is_ok());
        assert!(check_actions(13, 12).unwrap_err().contains("hoogstens 12"));
    }

    #[test]
    fn a_dossier_takes_at_most_fifty_attachments() {
        assert!(check_attachment_added(49).is_ok());
        assert!(
            check_attachment_added(50)
                .unwrap_err()
                .contains("hoogstens 50")
        );
    }

    #[test]
    fn a_cooperation_invites_at_most_the_rest_of_its_region() {
        assert!(check_members(4, 5).is_ok());
        assert!(check_members(5, 5).unwrap_err().contains("hoogstens 4"));
        assert!(check_members(1, 0).is_err());
    }
}
