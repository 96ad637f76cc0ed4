//! Issue 19, the hostile tester's input: numbers too large to store (item 5), page numbers past
//! any range (item 6), control characters in text (item 7), budget sums that wrapped around
//! (item 10), e-mail addresses a provider would refuse (item 14), and collections and JSON
//! bodies without limits (item 16). Every answer is a Dutch 4xx with the field, never a 500,
//! on both databases.

use crate::followup::{Spec, approved};
use crate::helpers::{REVIEWER, spawn_app};

const ANTWERPEN: i32 = 11002;

fn one_action() -> [Spec; 1] {
    [Spec {
        code: "2.1",
        planned: 4,
        requested: 10_000_000,
        granted: "100.000,00",
        extra: Some((10, 20)),
    }]
}

// ------------------------------------------------------------------ item 6: page numbers

#[tokio::test]
async fn a_page_number_past_any_range_shows_the_last_page_of_each_list() {
    let app = spawn_app().await;
    // Something in each list: an approved dossier has reports and an advance payment.
    approved(&app, ANTWERPEN, &[], 1, &one_action()).await;
    let mut reviewer = app.signed_in(REVIEWER).await;
    for path in ["/beoordeling", "/opvolging", "/opvolging/betalingen"] {
        let (status, first) = reviewer.get(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(first.contains("PS-OPV-11002"), "{path} lists the fixture");
        let huge = format!("{path}?pagina=9223372036854775807");
        let (status, html) = reviewer.get(&huge).await;
        assert_eq!(status, 200, "{huge}");
        assert!(html.contains("PS-OPV-11002"), "{huge} shows the last page");
        assert!(!html.contains("pagina=9223372036854775806"), "{huge}");
        for odd in ["-1", "0", "abc", "18446744073709551616"] {
            let (status, _) = reviewer.get(&format!("{path}?pagina={odd}")).await;
            assert_eq!(status, 200, "{path}?pagina={odd}");
        }
    }
}
