//! `User`: one person in one Chromium session. Every step that shows a new page waits for it,
//! runs axe-core in it, checks that every form field has a label and that an error summary is
//! announced and linked to its fields, and saves a full-page screenshot. The keyboard helpers
//! send real key presses through WebDriver actions.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use crate::harness::JourneyLog;
use crate::tools::Tools;

/// Something on the page to act on.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    /// A `<button>` whose text (visually hidden parts included) starts with this.
    Button(&'a str),
    /// A link whose text starts with this.
    Link(&'a str),
    /// An element by CSS selector.
    Css(&'a str),
    /// A form control by its id.
    Id(&'a str),
    /// A form control by the start of its label's text (visually hidden labels included), as a
    /// screen reader announces it.
    Label(&'a str),
}

impl Target<'_> {
    /// A JavaScript test of `document.activeElement` (bound to `a`) for this target.
    fn focus_test(&self) -> String {
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let text = "a.textContent.replace(/\\s+/g, ' ').trim()";
        match self {
            Target::Button(t) => {
                format!("a.tagName === 'BUTTON' && {text}.startsWith({})", quoted(t))
            }
            Target::Link(t) => format!("a.tagName === 'A' && {text}.startsWith({})", quoted(t)),
            Target::Css(css) => format!("a.matches({})", quoted(css)),
            Target::Id(id) => format!("a.id === {}", quoted(id)),
            Target::Label(t) => format!(
                "a.labels && a.labels.length > 0 && a.labels[0].textContent.replace(/\\s+/g, ' ').trim().startsWith({})",
                quoted(t)
            ),
        }
    }
}

fn xpath_literal(text: &str) -> String {
    if text.contains('\'') {
        format!("\"{text}\"")
    } else {
        format!("'{text}'")
    }
}

/// One person in one browser session.
pub struct User {
    pub client: Client,
    pub who: &'static str,
    base: String,
    log: Arc<JourneyLog>,
    tools: Arc<Tools>,
    _profile: tempfile::TempDir,
}

const PAGE_TIMEOUT: Duration = Duration::from_secs(20);

impl User {
    pub async fn open(
        driver: &str,
        who: &'static str,
        base: &str,
        log: Arc<JourneyLog>,
        tools: Arc<Tools>,
    ) -> Self {
        let profile = tempfile::tempdir().expect("a Chromium profile directory");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-crash-reporter".to_owned(),
            "--disable-breakpad".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--lang=nl-BE".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "goog:chromeOptions": {
                "binary": tools.chromium.display().to_string(),
                "args": args,
                "prefs": { "intl.accept_languages": "nl-BE,nl" },
            },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(driver)
            .await
            .unwrap_or_else(|e| panic!("{who}: cannot start a Chromium session: {e}"));
        Self {
            client,
            who,
            base: base.to_owned(),
            log,
            tools,
            _profile: profile,
        }
    }

    /// Ends the browser session.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    // ---- navigation -----------------------------------------------------------------------

    /// Opens `path` as if typed in the address bar, then checks the page.
    pub async fn visit(&self, path: &str, label: &str) {
        self.mark_page().await;
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("{}: open {path}: {e}", self.who));
        self.arrived(label).await;
    }

    /// Clicks a button or link that leads to a new page, then checks that page.
    pub async fn click(&self, target: Target<'_>, label: &str) {
        self.mark_page().await;
        self.find(target)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: click {target:?} on {}: {e}", self.who, label));
        self.arrived(label).await;
    }

    /// Finds an element, failing with the page's address and headings when it is not there.
    pub async fn find(&self, target: Target<'_>) -> Element {
        match self.locate(target).await {
            Ok(element) => element,
            Err(e) => panic!(
                "{}: {target:?} not found on {} ({e})\npage text:\n{}",
                self.who,
                self.path().await,
                self.text().await.chars().take(1500).collect::<String>()
            ),
        }
    }

    async fn locate(&self, target: Target<'_>) -> Result<Element, CmdError> {
        match target {
            Target::Button(text) => {
                let xpath = format!(
                    "//button[starts-with(normalize-space(.), {})]",
                    xpath_literal(text)
                );
                self.client.find(Locator::XPath(&xpath)).await
            }
            Target::Link(text) => {
                let xpath = format!(
                    "//a[starts-with(normalize-space(.), {})]",
                    xpath_literal(text)
                );
                self.client.find(Locator::XPath(&xpath)).await
            }
            Target::Css(css) => self.client.find(Locator::Css(css)).await,
            Target::Id(id) => self.client.find(Locator::Id(id)).await,
            Target::Label(text) => {
                let xpath = format!(
                    "//*[@id=//label[starts-with(normalize-space(.), {})]/@for]",
                    xpath_literal(text)
                );
                self.client.find(Locator::XPath(&xpath)).await
            }
        }
    }

    /// Marks the current document so that `arrived` can tell when a new one replaced it.
    async fn mark_page(&self) {
        let _ = self
            .client
            .execute("window.__samenlevenOldPage = true; return null;", vec![])
            .await;
    }

    /// Waits until a new document has loaded, then checks it.
    async fn arrived(&self, label: &str) {
        let deadline = tokio::time::Instant::now() + PAGE_TIMEOUT;
        loop {
            let state = self
                .client
                .execute(
                    "return window.__samenlevenOldPage === true ? 'old' : document.readyState;",
                    vec![],
                )
                .await;
            if let Ok(Value::String(s)) = &state
                && s == "complete"
            {
                break;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{}: no new page loaded for {label} within {} s (last state {state:?})",
                self.who,
                PAGE_TIMEOUT.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.check_page(label).await;
    }

    // ---- reading the page -------------------------------------------------------------------

    /// The current path and query.
    pub async fn path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_owned(),
            },
            Err(_) => String::from("(unknown)"),
        }
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        self.client
            .execute(
                "return document.body ? document.body.innerText : '';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Fails unless the page shows `text`.
    pub async fn expect_text(&self, text: &str) {
        let page = self.text().await;
        assert!(
            page.contains(text),
            "{}: expected {text:?} on {}\npage text:\n{}",
            self.who,
            self.path().await,
            page.chars().take(2500).collect::<String>()
        );
    }

    /// The current value of a form control.
    pub async fn value(&self, id: &str) -> String {
        self.value_of(Target::Id(id)).await
    }

    /// The current value of a form control.
    pub async fn value_of(&self, target: Target<'_>) -> String {
        self.find(target)
            .await
            .prop("value")
            .await
            .ok()
            .flatten()
            .unwrap_or_default()
    }

    /// The dossier id in the current address `/dossiers/{id}…`.
    pub async fn dossier_id(&self) -> String {
        let path = self.path().await;
        path.strip_prefix("/dossiers/")
            .and_then(|rest| rest.split(['/', '?']).next())
            .filter(|id| id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty())
            .unwrap_or_else(|| panic!("{}: {path} is not a dossier page", self.who))
            .to_owned()
    }

    /// The bytes of the file a link on the page points to, fetched in this browser session (its
    /// cookies, through the same proxy) as a download: a file opens no page, so nothing is
    /// checked with axe. Fails unless the link is there and the answer is 200.
    pub async fn download(&self, target: Target<'_>) -> Vec<u8> {
        let href = self
            .find(target)
            .await
            .attr("href")
            .await
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{}: {target:?} has no href", self.who));
        let script = "const done = arguments[arguments.length - 1];\
             fetch(arguments[0], { credentials: 'same-origin' })\
               .then(r => r.ok ? r.arrayBuffer() : Promise.reject('status ' + r.status))\
               .then(b => done(Array.from(new Uint8Array(b))))\
               .catch(e => done(String(e)));";
        let answer = self
            .client
            .execute_async(script, vec![Value::String(href.clone())])
            .await
            .unwrap_or_else(|e| panic!("{}: download {href}: {e}", self.who));
        match answer {
            Value::Array(bytes) => bytes
                .iter()
                .map(|b| b.as_u64().and_then(|b| u8::try_from(b).ok()).unwrap_or(0))
                .collect(),
            other => panic!("{}: download {href} failed: {other}", self.who),
        }
    }

    // ---- filling in forms (with the mouse and WebDriver's typing) ----------------------------

    /// Replaces the text of a field.
    pub async fn fill(&self, id: &str, value: &str) {
        let field = self.find(Target::Id(id)).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("{}: clear #{id}: {e}", self.who));
        if !value.is_empty() {
            field
                .send_keys(value)
                .await
                .unwrap_or_else(|e| panic!("{}: type into #{id}: {e}", self.who));
        }
    }

    /// Replaces the text of the field whose label starts with `label` (a table's visually hidden
    /// label, as a screen reader reads it).
    pub async fn fill_labelled(&self, label: &str, value: &str) {
        let field = self.find(Target::Label(label)).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("{}: clear {label:?}: {e}", self.who));
        if !value.is_empty() {
            field
                .send_keys(value)
                .await
                .unwrap_or_else(|e| panic!("{}: type into {label:?}: {e}", self.who));
        }
    }

    /// Types a date into an `<input type="date">` as a person would, in the order of day, month
    /// and year that the browser's locale shows (found by typing a probe date first).
    pub async fn fill_date(&self, id: &str, year: u32, month: u32, day: u32) {
        self.fill(id, "01022003").await;
        let probe = self.value(id).await;
        let typed = match probe.as_str() {
            "2003-01-02" => format!("{month:02}{day:02}{year}"),
            "2003-02-01" => format!("{day:02}{month:02}{year}"),
            other => panic!(
                "{}: the date field #{id} reads 01022003 as {other:?}",
                self.who
            ),
        };
        self.fill(id, &typed).await;
        assert_eq!(
            self.value(id).await,
            format!("{year}-{month:02}-{day:02}"),
            "{}: the date in #{id}",
            self.who
        );
    }

    /// Chooses the option of a `<select>` with this value.
    pub async fn choose(&self, id: &str, value: &str) {
        self.find(Target::Id(id))
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{}: choose {value} in #{id}: {e}", self.who));
    }

    /// Chooses the option of a `<select>` whose text starts with `text`, as a person picks it
    /// from the list by what it says.
    pub async fn choose_text(&self, id: &str, text: &str) {
        let xpath = format!(
            "//select[@id={}]/option[starts-with(normalize-space(.), {})]",
            xpath_literal(id),
            xpath_literal(text)
        );
        self.client
            .find(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("{}: no option {text:?} in #{id}: {e}", self.who))
            .click()
            .await
            .unwrap_or_else(|e| panic!("{}: choose {text:?} in #{id}: {e}", self.who));
    }

    /// Ticks a checkbox or radio button (once: an already ticked box stays ticked).
    pub async fn tick(&self, id: &str) {
        let input = self.find(Target::Id(id)).await;
        if !input.is_selected().await.unwrap_or(false) {
            input
                .click()
                .await
                .unwrap_or_else(|e| panic!("{}: tick #{id}: {e}", self.who));
        }
    }

    /// Puts a file into a file input, as choosing it in the file dialog would.
    pub async fn attach(&self, id: &str, file: &Path) {
        self.find(Target::Id(id))
            .await
            .send_keys(&file.display().to_string())
            .await
            .unwrap_or_else(|e| panic!("{}: attach {} to #{id}: {e}", self.who, file.display()));
    }

    // ---- the keyboard -----------------------------------------------------------------------

    async fn keys(&self, actions: Vec<KeyAction>) {
        let mut sequence = KeyActions::new("keyboard".to_owned());
        for action in actions {
            sequence = sequence.then(action);
        }
        self.client
            .perform_actions(sequence)
            .await
            .unwrap_or_else(|e| panic!("{}: key presses: {e}", self.who));
    }

    /// Presses and releases one key.
    pub async fn press(&self, key: Key) {
        let value: char = key.into();
        self.keys(vec![KeyAction::Down { value }, KeyAction::Up { value }])
            .await;
    }

    /// Shift+Tab.
    pub async fn shift_tab(&self) {
        let shift: char = Key::Shift.into();
        let tab: char = Key::Tab.into();
        self.keys(vec![
            KeyAction::Down { value: shift },
            KeyAction::Down { value: tab },
            KeyAction::Up { value: tab },
            KeyAction::Up { value: shift },
        ])
        .await;
    }

    /// Types text key by key into whatever has the focus.
    pub async fn type_text(&self, text: &str) {
        let mut actions = Vec::new();
        for value in text.chars() {
            actions.push(KeyAction::Down { value });
            actions.push(KeyAction::Up { value });
        }
        self.keys(actions).await;
    }

    /// Selects all text of the focused field (Ctrl+A) and types `text` over it.
    pub async fn retype(&self, text: &str) {
        let control: char = Key::Control.into();
        self.keys(vec![
            KeyAction::Down { value: control },
            KeyAction::Down { value: 'a' },
            KeyAction::Up { value: 'a' },
            KeyAction::Up { value: control },
        ])
        .await;
        if text.is_empty() {
            self.press(Key::Backspace).await;
        } else {
            self.type_text(text).await;
        }
    }

    /// A short description of the focused element.
    pub async fn focused(&self) -> String {
        self.client
            .execute(
                "const a = document.activeElement; if (!a || a === document.body) return 'the page'; \
                 return a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + ' ' + \
                 (a.getAttribute('type') || '') + ' \"' + a.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60) + '\"';",
                vec![],
            )
            .await
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    async fn is_focused(&self, target: Target<'_>) -> bool {
        let script = format!(
            "const a = document.activeElement; return !!a && a !== document.body && ({});",
            target.focus_test()
        );
        matches!(
            self.client.execute(&script, vec![]).await,
            Ok(Value::Bool(true))
        )
    }

    /// After a key press: whether `target` has the focus, and a description of the focused
    /// element. WCAG 2.4.7: an element that has the focus must show it (an outline or a shadow);
    /// one that does not is recorded as a failure.
    async fn after_tab(&self, target: Target<'_>) -> (bool, String) {
        let script = format!(
            "const a = document.activeElement; \
             if (!a || a === document.body) return [false, 'the page', null]; \
             const s = getComputedStyle(a); \
             const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) \
                 || (s.boxShadow && s.boxShadow !== 'none'); \
             const what = a.tagName.toLowerCase() + (a.id ? '#' + a.id : '') + ' \"' \
                 + a.textContent.replace(/\\s+/g, ' ').trim().slice(0, 60) + '\"'; \
             return [!!({}), what, shown ? null : a.outerHTML.slice(0, 160)];",
            target.focus_test()
        );
        let answer = self.client.execute(&script, vec![]).await;
        let Ok(Value::Array(parts)) = answer else {
            panic!("{}: cannot read the focus: {answer:?}", self.who);
        };
        if let Some(html) = parts.get(2).and_then(Value::as_str) {
            self.log.fail(format!(
                "{} on {}: the focused element shows no focus indicator: {html}",
                self.who,
                self.path().await
            ));
        }
        (
            parts.first().and_then(Value::as_bool).unwrap_or(false),
            parts
                .get(1)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    }

    /// Presses Tab until `target` has the focus (at most 120 times), checking on the way that
    /// every element that takes the focus shows it. Returns the number of presses.
    pub async fn tab_to(&self, target: Target<'_>) -> usize {
        let mut path = Vec::new();
        for presses in 1..=120 {
            self.press(Key::Tab).await;
            let (reached, what) = self.after_tab(target).await;
            if reached {
                return presses;
            }
            path.push(what);
        }
        panic!(
            "{}: Tab never reached {target:?} on {}; the focus went through:\n  {}",
            self.who,
            self.path().await,
            path.join("\n  ")
        );
    }

    /// Presses Shift+Tab until `target` has the focus (at most 40 times).
    pub async fn shift_tab_to(&self, target: Target<'_>) -> usize {
        for presses in 1..=40 {
            self.shift_tab().await;
            if self.after_tab(target).await.0 {
                return presses;
            }
        }
        panic!(
            "{}: Shift+Tab never reached {target:?} on {}",
            self.who,
            self.path().await
        );
    }

    /// Fails unless `target` has the focus now.
    pub async fn expect_focus(&self, target: Target<'_>) {
        assert!(
            self.is_focused(target).await,
            "{}: expected the focus on {target:?} on {}, it is on {}",
            self.who,
            self.path().await,
            self.focused().await
        );
    }

    /// Presses a key that leads to a new page (Enter on a link or button, Space on a button),
    /// then checks that page.
    pub async fn press_to_page(&self, key: Key, label: &str) {
        self.mark_page().await;
        self.press(key).await;
        self.arrived(label).await;
    }

    // ---- the checks on every page -------------------------------------------------------------

    async fn check_page(&self, label: &str) {
        let path = self.path().await;
        let status_of_page = format!("{} on {label} ({path})", self.who);
        let started = std::time::Instant::now();
        self.run_axe(&status_of_page).await;
        let axe = started.elapsed();
        self.check_labels(&status_of_page).await;
        self.check_error_summary(&status_of_page).await;
        let checks = started.elapsed();
        self.screenshot(label).await;
        self.log
            .timing(axe, checks - axe, started.elapsed() - checks);
        self.log.audited(path);
    }

    async fn run_axe(&self, page: &str) {
        let injected = self
            .client
            .execute(
                &format!(
                    "{}\n;return typeof axe === 'object';",
                    self.tools.axe_source
                ),
                vec![],
            )
            .await;
        if !matches!(injected, Ok(Value::Bool(true))) {
            self.log.fail(format!(
                "{page}: axe-core could not be injected: {injected:?}"
            ));
            return;
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { resultTypes: ['violations'] })
                   .then(r => done(r.violations.map(v => ({
                      id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => ({ target: n.target.join(' '), html: n.html,
                                                 summary: n.failureSummary })) }))))
                   .catch(e => done({ error: String(e) }));",
                vec![],
            )
            .await;
        let violations = match result {
            Ok(Value::Array(v)) => v,
            other => {
                self.log
                    .fail(format!("{page}: axe-core did not run: {other:?}"));
                return;
            }
        };
        for v in violations {
            let impact = v["impact"].as_str().unwrap_or("unknown");
            let mut message = format!(
                "{page}: axe rule {} ({impact}): {}",
                v["id"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or("")
            );
            for node in v["nodes"].as_array().into_iter().flatten() {
                message.push_str(&format!(
                    "\n      element {}: {}\n      {}",
                    node["target"].as_str().unwrap_or("?"),
                    node["html"].as_str().unwrap_or(""),
                    node["summary"]
                        .as_str()
                        .unwrap_or("")
                        .replace('\n', "\n      ")
                ));
            }
            if matches!(impact, "serious" | "critical") {
                self.log.fail(message);
            } else {
                self.log.note(message);
            }
        }
    }

    /// Every form field has a label (a `<label for>`, `aria-label` or `aria-labelledby`).
    async fn check_labels(&self, page: &str) {
        let script = "return Array.from(document.querySelectorAll(\
              'input:not([type=hidden]), select, textarea'))\
              .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') \
                           && !e.getAttribute('aria-labelledby'))\
              .map(e => e.outerHTML.slice(0, 160));";
        if let Ok(Value::Array(unlabelled)) = self.client.execute(script, vec![]).await {
            for field in unlabelled {
                self.log.fail(format!(
                    "{page}: a form field has no label: {}",
                    field.as_str().unwrap_or("?")
                ));
            }
        }
    }

    /// An error summary, when there is one, is announced (focused, or `role="alert"` /
    /// `aria-live`), and each of its links leads to a field that carries the same message
    /// (through `aria-describedby`, or inside its fieldset) and is marked invalid.
    async fn check_error_summary(&self, page: &str) {
        let script = r##"
            const s = document.querySelector('.error-summary');
            if (!s) return null;
            const problems = [];
            const announced = document.activeElement === s || s.getAttribute('role') === 'alert'
                || !!s.getAttribute('aria-live');
            if (!announced) problems.push('the error summary is neither focused nor announced (role=alert or aria-live)');
            if (document.activeElement !== s) problems.push('the error summary does not have the focus when the page opens');
            const links = s.querySelectorAll('a[href^="#"]');
            if (!links.length) problems.push('the error summary links to no field');
            for (const a of links) {
                const id = decodeURIComponent(a.getAttribute('href').slice(1));
                const message = a.textContent.trim();
                const t = document.getElementById(id);
                if (!t) { problems.push('the error link "' + message + '" leads to #' + id + ', which is not on the page'); continue; }
                const control = t.matches('input, select, textarea') ? t : t.querySelector('input, select, textarea');
                if (!control) continue; // a heading or section: the message is shown there
                const ids = (control.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean);
                const described = ids.some(i => { const e = document.getElementById(i); return e && e.textContent.includes(message); })
                    || (t.tagName === 'FIELDSET' && t.textContent.includes(message));
                if (!described) problems.push('the field #' + id + ' is not described by its error "' + message + '"');
                if (t.tagName !== 'FIELDSET' && control.getAttribute('aria-invalid') !== 'true')
                    problems.push('the field #' + id + ' with an error is not marked aria-invalid');
            }
            return problems;"##;
        if let Ok(Value::Array(problems)) = self.client.execute(script, vec![]).await {
            for p in problems {
                self.log
                    .fail(format!("{page}: {}", p.as_str().unwrap_or("?")));
            }
        }
    }

    /// Whether the page shows an error summary with `message` among its items.
    pub async fn expect_error(&self, message: &str) {
        let summary = self
            .client
            .execute(
                "const s = document.querySelector('.error-summary'); return s ? s.innerText : null;",
                vec![],
            )
            .await;
        match summary {
            Ok(Value::String(text)) => assert!(
                text.contains(message),
                "{}: the error summary on {} lacks {message:?}:\n{text}",
                self.who,
                self.path().await
            ),
            _ => panic!(
                "{}: expected an error summary with {message:?} on {}\npage text:\n{}",
                self.who,
                self.path().await,
                self.text().await.chars().take(2000).collect::<String>()
            ),
        }
    }

    /// Saves a full-page screenshot as `NN-journey-label.png`.
    async fn screenshot(&self, label: &str) {
        let number = self.log.next_shot();
        let slug: String = label
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let file = self.tools.screenshots.join(format!(
            "{}-{number:02}-{}-{slug}.png",
            self.log.tag, self.who
        ));
        let _ = self.client.set_window_size(1280, 900).await;
        // The whole page: the window grows to the document's height plus the window's own frame.
        let sizes = self
            .client
            .execute(
                "return [Math.ceil(document.documentElement.scrollHeight), \
                         Math.max(0, window.outerHeight - window.innerHeight)];",
                vec![],
            )
            .await
            .ok();
        let number = |i: usize| {
            sizes
                .as_ref()
                .and_then(|v| v.get(i))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        };
        let height = (number(0) + number(1)).clamp(900, 8000) as u32;
        if height > 900 {
            let _ = self.client.set_window_size(1280, height).await;
        }
        match self.client.screenshot().await {
            Ok(png) => {
                if let Err(e) = std::fs::write(&file, png) {
                    eprintln!("cannot write {}: {e}", file.display());
                }
            }
            Err(e) => eprintln!("{}: screenshot of {label}: {e}", self.who),
        }
    }
}
