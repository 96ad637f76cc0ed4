//! One row in every table, inserted through the entities and read back: proves that every entity
//! matches the migrated schema (names, types, defaults) on the backend under test.
//! Keep it in step with the migrations: one block per table, in creation order.

use entity::*;
use sea_orm_migration::sea_orm::{ActiveModelTrait, DatabaseConnection, DbErr, EntityTrait, Set};

use super::{date, timestamp};

/// The row inserted into each table.
#[allow(dead_code, reason = "each test reads only the rows it needs")]
pub struct Rows {
    pub reference_region: reference_region::Model,
    pub municipality: municipality::Model,
    pub region_membership: region_membership::Model,
    pub population_figure: population_figure::Model,
    pub partner_organisation: partner_organisation::Model,
    pub plan: plan::Model,
    pub theme: theme::Model,
    pub action: action::Model,
    pub app_user: app_user::Model,
    pub session: session::Model,
    pub auth_token: auth_token::Model,
    pub login_attempt: login_attempt::Model,
    pub api_token: api_token::Model,
    pub call: call::Model,
    pub call_project_year: call_project_year::Model,
    pub call_named_applicant: call_named_applicant::Model,
    pub call_action: call_action::Model,
    pub call_action_amount: call_action_amount::Model,
    pub application: application::Model,
    pub application_member: application_member::Model,
    pub application_action: application_action::Model,
    pub kpi: kpi::Model,
    pub application_snapshot: application_snapshot::Model,
    pub review: review::Model,
    pub message: message::Model,
    pub change_request: change_request::Model,
    pub allocation: allocation::Model,
    pub allocation_line: allocation_line::Model,
    pub decision: decision::Model,
    pub decision_line: decision_line::Model,
    pub progress_report: progress_report::Model,
    pub kpi_result: kpi_result::Model,
    pub continuation: continuation::Model,
    pub payment: payment::Model,
    pub attachment: attachment::Model,
    pub audit_log: audit_log::Model,
    pub email_outbox: email_outbox::Model,
    pub known_device: known_device::Model,
    pub password_reset_request: password_reset_request::Model,
}

pub async fn insert_one_row_per_table(db: &DatabaseConnection) -> Result<Rows, DbErr> {
    let reference_region = reference_region::ActiveModel {
        code: Set("reference_region.code".to_owned()),
        name: Set("reference_region.name".to_owned()),
        later_name: Set(Some("reference_region.later_name".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = reference_region::Entity::find_by_id(reference_region.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&reference_region),
        "reference_region reads back as inserted"
    );
    assert_eq!(
        reference_region.version, 1,
        "default of reference_region.version"
    );

    let municipality = municipality::ActiveModel {
        nis_code: Set(1),
        name: Set("municipality.name".to_owned()),
        name_fr: Set(Some("municipality.name_fr".to_owned())),
        province: Set("municipality.province".to_owned()),
        arrondissement: Set(Some("municipality.arrondissement".to_owned())),
        valid_from: Set(date()),
        valid_to: Set(Some(date())),
        successor_id: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = municipality::Entity::find_by_id(municipality.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&municipality),
        "municipality reads back as inserted"
    );
    assert_eq!(municipality.version, 1, "default of municipality.version");

    let region_membership = region_membership::ActiveModel {
        municipality_id: Set(municipality.id),
        reference_region_id: Set(reference_region.id),
        valid_from: Set(date()),
        valid_to: Set(Some(date())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = region_membership::Entity::find_by_id(region_membership.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&region_membership),
        "region_membership reads back as inserted"
    );
    assert_eq!(
        region_membership.version, 1,
        "default of region_membership.version"
    );

    let population_figure = population_figure::ActiveModel {
        municipality_id: Set(municipality.id),
        reference_year: Set(1),
        residents: Set(Some(1)),
        residents_source: Set(Some("population_figure.residents_source".to_owned())),
        non_eu15_residents: Set(Some(1)),
        non_eu15_source: Set(Some("population_figure.non_eu15_source".to_owned())),
        imported_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = population_figure::Entity::find_by_id(population_figure.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&population_figure),
        "population_figure reads back as inserted"
    );
    assert!(
        !population_figure.non_eu15_fictitious,
        "default of population_figure.non_eu15_fictitious"
    );
    assert_eq!(
        population_figure.version, 1,
        "default of population_figure.version"
    );

    let partner_organisation = partner_organisation::ActiveModel {
        code: Set("partner_organisation.code".to_owned()),
        name: Set("partner_organisation.name".to_owned()),
        agreement: Set("partner_organisation.agreement".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = partner_organisation::Entity::find_by_id(partner_organisation.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&partner_organisation),
        "partner_organisation reads back as inserted"
    );
    assert_eq!(
        partner_organisation.version, 1,
        "default of partner_organisation.version"
    );

    let plan = plan::ActiveModel {
        code: Set("plan.code".to_owned()),
        title: Set("plan.title".to_owned()),
        source: Set("plan.source".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = plan::Entity::find_by_id(plan.id).one(db).await?;
    assert_eq!(found.as_ref(), Some(&plan), "plan reads back as inserted");
    assert_eq!(plan.version, 1, "default of plan.version");

    let theme = theme::ActiveModel {
        plan_id: Set(plan.id),
        number: Set(1),
        title: Set("theme.title".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = theme::Entity::find_by_id(theme.id).one(db).await?;
    assert_eq!(found.as_ref(), Some(&theme), "theme reads back as inserted");
    assert_eq!(theme.version, 1, "default of theme.version");

    let action = action::ActiveModel {
        plan_id: Set(plan.id),
        theme_id: Set(theme.id),
        code: Set("action.code".to_owned()),
        title: Set("action.title".to_owned()),
        objectives: Set("action.objectives".to_owned()),
        policy_domains: Set("action.policy_domains".to_owned()),
        timing: Set(Some("action.timing".to_owned())),
        indicators: Set(Some("action.indicators".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = action::Entity::find_by_id(action.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&action),
        "action reads back as inserted"
    );
    assert!(
        !action.samenleven_eligible,
        "default of action.samenleven_eligible"
    );
    assert_eq!(action.version, 1, "default of action.version");

    let app_user = app_user::ActiveModel {
        email: Set("app_user.email".to_owned()),
        name: Set("app_user.name".to_owned()),
        password_hash: Set(Some("app_user.password_hash".to_owned())),
        role: Set(app_user::UserRole::Admin),
        municipality_id: Set(Some(municipality.id)),
        partner_organisation_id: Set(Some(partner_organisation.id)),
        created_at: Set(timestamp()),
        last_login_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = app_user::Entity::find_by_id(app_user.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&app_user),
        "app_user reads back as inserted"
    );
    assert!(app_user.active, "default of app_user.active");
    assert_eq!(app_user.version, 1, "default of app_user.version");

    let session = session::ActiveModel {
        id: Set("session.id".to_owned()),
        user_id: Set(app_user.id),
        csrf_token: Set("session.csrf_token".to_owned()),
        created_at: Set(timestamp()),
        last_seen_at: Set(timestamp()),
        expires_at: Set(timestamp()),
        ip: Set(Some("session.ip".to_owned())),
        user_agent: Set(Some("session.user_agent".to_owned())),
    }
    .insert(db)
    .await?;
    let found = session::Entity::find_by_id(session.id.clone())
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&session),
        "session reads back as inserted"
    );

    let auth_token = auth_token::ActiveModel {
        user_id: Set(app_user.id),
        purpose: Set(auth_token::TokenPurpose::Invite),
        token_hash: Set("auth_token.token_hash".to_owned()),
        created_at: Set(timestamp()),
        expires_at: Set(timestamp()),
        used_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = auth_token::Entity::find_by_id(auth_token.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&auth_token),
        "auth_token reads back as inserted"
    );

    let login_attempt = login_attempt::ActiveModel {
        email: Set("login_attempt.email".to_owned()),
        ip: Set("login_attempt.ip".to_owned()),
        attempted_at: Set(timestamp()),
        success: Set(true),
        refused: Set(true),
        known_device_id: Set(Some(7)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = login_attempt::Entity::find_by_id(login_attempt.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&login_attempt),
        "login_attempt reads back as inserted"
    );

    let api_token = api_token::ActiveModel {
        user_id: Set(app_user.id),
        name: Set("api_token.name".to_owned()),
        token_hash: Set("api_token.token_hash".to_owned()),
        created_at: Set(timestamp()),
        last_used_at: Set(Some(timestamp())),
        revoked_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = api_token::Entity::find_by_id(api_token.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&api_token),
        "api_token reads back as inserted"
    );

    let call = call::ActiveModel {
        code: Set("call.code".to_owned()),
        title: Set("call.title".to_owned()),
        plan_id: Set(plan.id),
        state: Set(call::CallState::Closed),
        period_start: Set(date()),
        period_end: Set(date()),
        submission_opens_at: Set(timestamp()),
        submission_closes_at: Set(timestamp()),
        reference_year: Set(1),
        single_applicant_min_exclusive: Set(1),
        pooled_min_inclusive: Set(1),
        incentive_min_share_bp: Set(1),
        cofinancing_bp: Set(1),
        incentive_cents_per_project_year: Set(1),
        advance_bp: Set(1),
        continuation_min_bp: Set(1),
        coverage_aim_numerator: Set(Some(2)),
        coverage_aim_denominator: Set(Some(3)),
        notes: Set(Some("call.notes".to_owned())),
        parameters_source: Set(Some("call.parameters_source".to_owned())),
        created_at: Set(timestamp()),
        updated_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call::Entity::find_by_id(call.id).one(db).await?;
    assert_eq!(found.as_ref(), Some(&call), "call reads back as inserted");
    assert_eq!(call.version, 1, "default of call.version");

    let call_project_year = call_project_year::ActiveModel {
        call_id: Set(call.id),
        year_number: Set(1),
        starts_on: Set(date()),
        ends_on: Set(date()),
        envelope_cents: Set(1),
        interim_report_due: Set(date()),
        year_report_due: Set(date()),
        submission_opens_at: Set(Some(timestamp())),
        submission_closes_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call_project_year::Entity::find_by_id(call_project_year.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&call_project_year),
        "call_project_year reads back as inserted"
    );
    assert_eq!(
        call_project_year.version, 1,
        "default of call_project_year.version"
    );

    let call_named_applicant = call_named_applicant::ActiveModel {
        call_id: Set(call.id),
        nis_code: Set(1),
        name: Set("call_named_applicant.name".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call_named_applicant::Entity::find_by_id(call_named_applicant.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&call_named_applicant),
        "call_named_applicant reads back as inserted"
    );
    assert_eq!(
        call_named_applicant.version, 1,
        "default of call_named_applicant.version"
    );

    let call_partner_agreement = call_partner_agreement::ActiveModel {
        call_id: Set(call.id),
        partner_organisation_id: Set(partner_organisation.id),
        amount_cents_per_project_year: Set(1),
        source: Set("call_partner_agreement.source".to_owned()),
        illustrative: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call_partner_agreement::Entity::find_by_id(call_partner_agreement.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&call_partner_agreement),
        "call_partner_agreement reads back as inserted"
    );
    assert_eq!(
        call_partner_agreement.version, 1,
        "default of call_partner_agreement.version"
    );

    let call_action = call_action::ActiveModel {
        call_id: Set(call.id),
        action_id: Set(action.id),
        unit_cost_cents: Set(1),
        max_reach: Set(1),
        unit_label: Set("traject".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call_action::Entity::find_by_id(call_action.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&call_action),
        "call_action reads back as inserted"
    );
    assert_eq!(call_action.version, 1, "default of call_action.version");

    let call_action_amount = call_action_amount::ActiveModel {
        call_action_id: Set(call_action.id),
        year_number: Set(2),
        unit_cost_cents: Set(2),
        source: Set(Some("call_action_amount.source".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = call_action_amount::Entity::find_by_id(call_action_amount.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&call_action_amount),
        "call_action_amount reads back as inserted"
    );
    assert_eq!(
        call_action_amount.version, 1,
        "default of call_action_amount.version"
    );

    let application = application::ActiveModel {
        call_id: Set(call.id),
        reference: Set("application.reference".to_owned()),
        kind: Set(application::ApplicationKind::Partner),
        lead_municipality_id: Set(Some(municipality.id)),
        partner_organisation_id: Set(Some(partner_organisation.id)),
        title: Set("application.title".to_owned()),
        summary: Set(Some("application.summary".to_owned())),
        contact_name: Set(Some("application.contact_name".to_owned())),
        contact_email: Set(Some("application.contact_email".to_owned())),
        contact_phone: Set(Some("application.contact_phone".to_owned())),
        first_project_year: Set(1),
        last_project_year: Set(1),
        state: Set(application::ApplicationState::InReview),
        sections_status: Set(Some("application.sections_status".to_owned())),
        declarations_accepted_at: Set(Some(timestamp())),
        assigned_reviewer_id: Set(Some(app_user.id)),
        submitted_at: Set(Some(timestamp())),
        decided_at: Set(Some(timestamp())),
        created_by: Set(Some(app_user.id)),
        created_at: Set(timestamp()),
        updated_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = application::Entity::find_by_id(application.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&application),
        "application reads back as inserted"
    );
    assert_eq!(application.version, 1, "default of application.version");

    let application_member = application_member::ActiveModel {
        application_id: Set(application.id),
        call_id: Set(call.id),
        municipality_id: Set(municipality.id),
        role: Set(application_member::MemberRole::Member),
        consent_state: Set(application_member::ConsentState::Declined),
        consent_at: Set(Some(timestamp())),
        invited_at: Set(timestamp()),
        joined_in_year: Set(Some(2)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = application_member::Entity::find_by_id(application_member.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&application_member),
        "application_member reads back as inserted"
    );
    assert_eq!(
        application_member.version, 1,
        "default of application_member.version"
    );

    let application_action = application_action::ActiveModel {
        application_id: Set(application.id),
        call_action_id: Set(call_action.id),
        priority_rank: Set(1),
        baseline_reach: Set(1),
        planned_reach: Set(1),
        grant_cents: Set(1),
        own_contribution_cents: Set(1),
        description: Set("application_action.description".to_owned()),
        partners: Set(Some("application_action.partners".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = application_action::Entity::find_by_id(application_action.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&application_action),
        "application_action reads back as inserted"
    );
    assert_eq!(
        application_action.version, 1,
        "default of application_action.version"
    );

    let kpi = kpi::ActiveModel {
        application_action_id: Set(application_action.id),
        indicator: Set("kpi.indicator".to_owned()),
        unit: Set("kpi.unit".to_owned()),
        baseline: Set(1),
        target: Set(1),
        target_date: Set(date()),
        measurement: Set("kpi.measurement".to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = kpi::Entity::find_by_id(kpi.id).one(db).await?;
    assert_eq!(found.as_ref(), Some(&kpi), "kpi reads back as inserted");
    assert!(!kpi.is_reach_kpi, "default of kpi.is_reach_kpi");
    assert_eq!(kpi.version, 1, "default of kpi.version");

    let application_snapshot = application_snapshot::ActiveModel {
        application_id: Set(application.id),
        sequence: Set(1),
        snapshot: Set("application_snapshot.snapshot".to_owned()),
        created_at: Set(timestamp()),
        created_by: Set(Some(app_user.id)),
        cover_note: Set(Some("application_snapshot.cover_note".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = application_snapshot::Entity::find_by_id(application_snapshot.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&application_snapshot),
        "application_snapshot reads back as inserted"
    );

    let review = review::ActiveModel {
        application_id: Set(application.id),
        reviewer_id: Set(app_user.id),
        checklist: Set("review.checklist".to_owned()),
        internal_note: Set(Some("review.internal_note".to_owned())),
        created_at: Set(timestamp()),
        updated_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = review::Entity::find_by_id(review.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&review),
        "review reads back as inserted"
    );
    assert_eq!(review.version, 1, "default of review.version");

    let message = message::ActiveModel {
        application_id: Set(application.id),
        author_id: Set(Some(app_user.id)),
        body: Set("message.body".to_owned()),
        created_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = message::Entity::find_by_id(message.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&message),
        "message reads back as inserted"
    );
    assert!(!message.internal, "default of message.internal");
    assert!(!message.from_applicant, "default of message.from_applicant");

    let change_request = change_request::ActiveModel {
        application_id: Set(application.id),
        requested_by: Set(app_user.id),
        sections: Set("change_request.sections".to_owned()),
        message: Set("change_request.message".to_owned()),
        requested_at: Set(timestamp()),
        resolved_at: Set(Some(timestamp())),
        answer_due_on: Set(Some(date())),
        reminded_on: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = change_request::Entity::find_by_id(change_request.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&change_request),
        "change_request reads back as inserted"
    );

    let allocation = allocation::ActiveModel {
        call_id: Set(call.id),
        year_number: Set(1),
        state: Set(allocation::AllocationState::Confirmed),
        envelope_cents: Set(1),
        incentives_cents: Set(0),
        created_by: Set(Some(app_user.id)),
        created_at: Set(timestamp()),
        confirmed_by: Set(Some(app_user.id)),
        confirmed_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = allocation::Entity::find_by_id(allocation.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&allocation),
        "allocation reads back as inserted"
    );
    assert_eq!(allocation.version, 1, "default of allocation.version");

    let allocation_line = allocation_line::ActiveModel {
        allocation_id: Set(allocation.id),
        application_action_id: Set(application_action.id),
        requested_cents: Set(1),
        proposed_cents: Set(1),
        adjusted_cents: Set(Some(1)),
        reason: Set("allocation_line.reason".to_owned()),
        agreement_cents: Set(Some(1)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = allocation_line::Entity::find_by_id(allocation_line.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&allocation_line),
        "allocation_line reads back as inserted"
    );
    assert_eq!(
        allocation_line.version, 1,
        "default of allocation_line.version"
    );

    let decision = decision::ActiveModel {
        application_id: Set(application.id),
        outcome: Set(decision::DecisionOutcome::PartlyApproved),
        motivation: Set("decision.motivation".to_owned()),
        decided_by: Set(app_user.id),
        decided_at: Set(timestamp()),
        total_granted_cents: Set(1),
        incentive_cents: Set(1),
        reopened_at: Set(Some(timestamp())),
        reopened_by: Set(Some(app_user.id)),
        reopen_reason: Set(Some("decision.reopen_reason".to_owned())),
        incentive_by_year: Set(Some("{\"1\": 1}".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = decision::Entity::find_by_id(decision.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&decision),
        "decision reads back as inserted"
    );
    assert_eq!(decision.version, 1, "default of decision.version");

    let decision_line = decision_line::ActiveModel {
        decision_id: Set(decision.id),
        application_action_id: Set(application_action.id),
        year_number: Set(1),
        granted_cents: Set(1),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = decision_line::Entity::find_by_id(decision_line.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&decision_line),
        "decision_line reads back as inserted"
    );

    let progress_report = progress_report::ActiveModel {
        application_id: Set(application.id),
        year_number: Set(1),
        kind: Set(progress_report::ReportKind::Year),
        state: Set(progress_report::ReportState::SentBack),
        due_on: Set(date()),
        submitted_at: Set(Some(timestamp())),
        reviewed_by: Set(Some(app_user.id)),
        reviewed_at: Set(Some(timestamp())),
        review_note: Set(Some("progress_report.review_note".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = progress_report::Entity::find_by_id(progress_report.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&progress_report),
        "progress_report reads back as inserted"
    );
    assert_eq!(
        progress_report.version, 1,
        "default of progress_report.version"
    );

    let kpi_result = kpi_result::ActiveModel {
        progress_report_id: Set(progress_report.id),
        kpi_id: Set(kpi.id),
        actual_value: Set(Some(1)),
        motivation: Set(Some("kpi_result.motivation".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = kpi_result::Entity::find_by_id(kpi_result.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&kpi_result),
        "kpi_result reads back as inserted"
    );
    assert_eq!(kpi_result.version, 1, "default of kpi_result.version");

    let continuation = continuation::ActiveModel {
        application_action_id: Set(application_action.id),
        year_number: Set(1),
        proposed: Set(true),
        confirmed: Set(Some(true)),
        reason: Set("continuation.reason".to_owned()),
        decided_by: Set(Some(app_user.id)),
        decided_at: Set(Some(timestamp())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = continuation::Entity::find_by_id(continuation.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&continuation),
        "continuation reads back as inserted"
    );
    assert_eq!(continuation.version, 1, "default of continuation.version");

    let payment = payment::ActiveModel {
        application_id: Set(application.id),
        year_number: Set(1),
        tranche: Set(payment::Tranche::Reclaim),
        amount_cents: Set(1),
        state: Set(payment::PaymentState::Cancelled),
        computation: Set(Some("payment.computation".to_owned())),
        payee_municipality_id: Set(Some(municipality.id)),
        payee_partner_organisation_id: Set(Some(partner_organisation.id)),
        due_on: Set(Some(date())),
        paid_on: Set(Some(date())),
        created_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = payment::Entity::find_by_id(payment.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&payment),
        "payment reads back as inserted"
    );
    assert_eq!(payment.version, 1, "default of payment.version");

    let attachment = attachment::ActiveModel {
        application_id: Set(application.id),
        municipality_id: Set(Some(municipality.id)),
        progress_report_id: Set(Some(progress_report.id)),
        kind: Set("attachment.kind".to_owned()),
        original_name: Set("attachment.original_name".to_owned()),
        stored_name: Set("attachment.stored_name".to_owned()),
        content_type: Set("attachment.content_type".to_owned()),
        size_bytes: Set(1),
        sha256: Set("attachment.sha256".to_owned()),
        uploaded_by: Set(Some(app_user.id)),
        uploaded_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = attachment::Entity::find_by_id(attachment.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&attachment),
        "attachment reads back as inserted"
    );

    let audit_log = audit_log::ActiveModel {
        at: Set(timestamp()),
        actor_user_id: Set(Some(1)),
        actor_label: Set("audit_log.actor_label".to_owned()),
        action: Set("audit_log.action".to_owned()),
        resource_type: Set("audit_log.resource_type".to_owned()),
        resource_id: Set(Some("audit_log.resource_id".to_owned())),
        ip: Set(Some("audit_log.ip".to_owned())),
        before: Set(Some("audit_log.before".to_owned())),
        after: Set(Some("audit_log.after".to_owned())),
        details: Set(Some("audit_log.details".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = audit_log::Entity::find_by_id(audit_log.id).one(db).await?;
    assert_eq!(
        found.as_ref(),
        Some(&audit_log),
        "audit_log reads back as inserted"
    );

    let email_outbox = email_outbox::ActiveModel {
        created_at: Set(timestamp()),
        to_address: Set("email_outbox.to_address".to_owned()),
        subject: Set("email_outbox.subject".to_owned()),
        body_text: Set("email_outbox.body_text".to_owned()),
        body_html: Set(Some("email_outbox.body_html".to_owned())),
        state: Set(email_outbox::OutboxState::Failed),
        next_attempt_at: Set(timestamp()),
        last_error: Set(Some("email_outbox.last_error".to_owned())),
        sent_at: Set(Some(timestamp())),
        related_type: Set(Some("email_outbox.related_type".to_owned())),
        related_id: Set(Some("email_outbox.related_id".to_owned())),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = email_outbox::Entity::find_by_id(email_outbox.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&email_outbox),
        "email_outbox reads back as inserted"
    );
    assert_eq!(email_outbox.attempts, 0, "default of email_outbox.attempts");

    let known_device = known_device::ActiveModel {
        user_id: Set(app_user.id),
        token_hash: Set("known_device.token_hash".to_owned()),
        created_at: Set(timestamp()),
        last_used_at: Set(timestamp()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = known_device::Entity::find_by_id(known_device.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&known_device),
        "known_device reads back as inserted"
    );

    let password_reset_request = password_reset_request::ActiveModel {
        email: Set("password_reset_request.email".to_owned()),
        ip: Set("password_reset_request.ip".to_owned()),
        requested_at: Set(timestamp()),
        mailed: Set(true),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let found = password_reset_request::Entity::find_by_id(password_reset_request.id)
        .one(db)
        .await?;
    assert_eq!(
        found.as_ref(),
        Some(&password_reset_request),
        "password_reset_request reads back as inserted"
    );

    Ok(Rows {
        reference_region,
        municipality,
        region_membership,
        population_figure,
        partner_organisation,
        plan,
        theme,
        action,
        app_user,
        session,
        auth_token,
        login_attempt,
        api_token,
        call,
        call_project_year,
        call_named_applicant,
        call_action,
        call_action_amount,
        application,
        application_member,
        application_action,
        kpi,
        application_snapshot,
        review,
        message,
        change_request,
        allocation,
        allocation_line,
        decision,
        decision_line,
        progress_report,
        kpi_result,
        continuation,
        payment,
        attachment,
        audit_log,
        email_outbox,
        known_device,
        password_reset_request,
    })
}
