//! The harness of the browser tests: finds the tools (or fails saying what is missing), runs the
//! selected journeys (each with its own app, recording proxy and chromedriver), then validates
//! every page they were served in one vnu run, and closes with `N passed, N failed`.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::helpers::{TestApp, spawn_app};
use crate::page::User;
use crate::proxy::{RecordingProxy, ServedPage};
use crate::tools::Tools;

/// How long one journey may take before it fails.
const JOURNEY_TIMEOUT: Duration = Duration::from_secs(420);

pub type JourneyFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A journey's own app: given the address the browsers will use (the recording proxy's), the
/// app and whatever must live as long as the journey (e.g. an OpenID provider).
pub type AppFuture = Pin<Box<dyn Future<Output = (TestApp, Box<dyn std::any::Any + Send>)> + Send>>;

/// A journey: a named test that drives one app through real browsers.
pub struct Journey {
    pub name: &'static str,
    /// A short name for the screenshots' file names.
    pub tag: &'static str,
    pub run: fn(Env) -> JourneyFuture,
    /// Builds the app behind the proxy; `None`: `spawn_app()`.
    pub app: Option<fn(String) -> AppFuture>,
}

/// What a journey gets: the app (with its database and SMTP catcher), the address the browsers
/// use (the recording proxy), and browsers on request.
pub struct Env {
    pub app: TestApp,
    /// `http://127.0.0.1:PORT` of the recording proxy in front of the app.
    pub base: String,
    pub log: Arc<JourneyLog>,
    pub tools: Arc<Tools>,
    driver: Chromedriver,
}

impl Env {
    /// A new browser session (its own Chromium profile, so its own cookies) for `who`.
    pub async fn browser(&self, who: &'static str) -> User {
        User::open(
            &self.driver.url,
            who,
            &self.base,
            self.log.clone(),
            self.tools.clone(),
        )
        .await
    }

    /// A test file shipped in `tests/browser/fixtures/`.
    pub fn fixture(&self, name: &str) -> PathBuf {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/browser/fixtures")
            .join(name);
        assert!(path.is_file(), "fixture {} is missing", path.display());
        path
    }
}

/// What a journey found, gathered while it runs and judged when it ends.
pub struct JourneyLog {
    pub tag: &'static str,
    /// Accessibility failures (axe serious/critical, unlabelled fields, unannounced errors).
    failures: Mutex<Vec<String>>,
    /// axe findings of impact minor or moderate: reported, not failing.
    notes: Mutex<Vec<String>>,
    /// The address (path and query) of every page that was checked.
    audited: Mutex<Vec<String>>,
    shots: AtomicUsize,
    /// Time spent in axe, the other checks and the screenshots.
    spent: Mutex<[Duration; 3]>,
}

impl JourneyLog {
    fn new(tag: &'static str) -> Self {
        Self {
            tag,
            failures: Mutex::default(),
            notes: Mutex::default(),
            audited: Mutex::default(),
            shots: AtomicUsize::new(0),
            spent: Mutex::default(),
        }
    }

    pub fn timing(&self, axe: Duration, checks: Duration, screenshot: Duration) {
        let mut spent = self.spent.lock().expect("journey log");
        spent[0] += axe;
        spent[1] += checks;
        spent[2] += screenshot;
    }

    fn spent(&self) -> String {
        let spent = self.spent.lock().expect("journey log");
        format!(
            "axe {:.1} s, other checks {:.1} s, screenshots {:.1} s",
            spent[0].as_secs_f64(),
            spent[1].as_secs_f64(),
            spent[2].as_secs_f64()
        )
    }

    pub fn fail(&self, message: String) {
        self.failures.lock().expect("journey log").push(message);
    }

    pub fn note(&self, message: String) {
        self.notes.lock().expect("journey log").push(message);
    }

    pub fn audited(&self, path: String) {
        self.audited.lock().expect("journey log").push(path);
    }

    pub fn audited_count(&self) -> usize {
        self.audited.lock().expect("journey log").len()
    }

    /// The next screenshot's number in this journey.
    pub fn next_shot(&self) -> usize {
        self.shots.fetch_add(1, Ordering::SeqCst) + 1
    }
}

/// A chromedriver process of our own, on a free port, in its own process group so that it and
/// every Chromium it started are ended together when it is dropped.
struct Chromedriver {
    url: String,
    child: Child,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Chromedriver {
    async fn start(tools: &Tools) -> Result<Self, String> {
        use std::os::unix::process::CommandExt;
        let port = free_port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", tools.chromedriver.display()))?;
        let driver = Self {
            url: format!("http://127.0.0.1:{port}"),
            child,
        };
        let client = reqwest::Client::new();
        for _ in 0..100 {
            if let Ok(response) = client.get(format!("{}/status", driver.url)).send().await
                && response.status().is_success()
            {
                return Ok(driver);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(format!(
            "chromedriver did not answer on {} within 10 s",
            driver.url
        ))
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the browsers it started (our own processes only).
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        std::thread::sleep(Duration::from_millis(200));
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
    }
}

struct Outcome {
    name: &'static str,
    error: Option<String>,
    pages: Vec<ServedPage>,
    audited: usize,
    notes: Vec<String>,
    seconds: f64,
    spent: String,
}

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else {
        "the journey panicked".to_owned()
    }
}

async fn run_one(journey: &Journey, tools: Arc<Tools>) -> Outcome {
    let started = Instant::now();
    let log = Arc::new(JourneyLog::new(journey.tag));
    let listener = RecordingProxy::bind().await;
    let (app, _keep) = match journey.app {
        Some(make) => make(listener.base.clone()).await,
        None => (
            spawn_app().await,
            Box::new(()) as Box<dyn std::any::Any + Send>,
        ),
    };
    let proxy = listener.start(&app.address);
    let mut error = None;
    match Chromedriver::start(&tools).await {
        Err(e) => error = Some(e),
        Ok(driver) => {
            let env = Env {
                app,
                base: proxy.base.clone(),
                log: log.clone(),
                tools: tools.clone(),
                driver,
            };
            let task = tokio::spawn((journey.run)(env));
            let abort = task.abort_handle();
            match tokio::time::timeout(JOURNEY_TIMEOUT, task).await {
                Err(_) => {
                    abort.abort();
                    error = Some(format!(
                        "the journey did not finish within {} s",
                        JOURNEY_TIMEOUT.as_secs()
                    ));
                }
                Ok(Err(join)) if join.is_panic() => error = Some(panic_message(join.into_panic())),
                Ok(Err(join)) => error = Some(format!("the journey was cancelled: {join}")),
                Ok(Ok(())) => {}
            }
        }
    }
    let pages = proxy.pages();
    let mut problems: Vec<String> = log.failures.lock().expect("journey log").clone();
    // Every page the browsers were served must have been checked.
    let audited = log.audited.lock().expect("journey log").clone();
    let mut unchecked: Vec<String> = pages
        .iter()
        .filter(|p| !p.path.starts_with("/favicon.ico"))
        .filter(|p| !audited.contains(&p.path))
        .map(|p| format!("{} {} ({})", p.method, p.path, p.status))
        .collect();
    unchecked.dedup();
    if error.is_none() && !unchecked.is_empty() {
        problems.push(format!(
            "pages shown without an accessibility check:\n    {}",
            unchecked.join("\n    ")
        ));
    }
    if !problems.is_empty() {
        let found = format!(
            "{} accessibility problem(s):\n  {}",
            problems.len(),
            problems.join("\n  ")
        );
        error = Some(match error {
            Some(e) => format!("{e}\n{found}"),
            None => found,
        });
    }
    let notes = log.notes.lock().expect("journey log").clone();
    Outcome {
        name: journey.name,
        error,
        pages,
        audited: log.audited_count(),
        notes,
        seconds: started.elapsed().as_secs_f64(),
        spent: log.spent(),
    }
}

pub fn main(journeys: Vec<Journey>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        for j in &journeys {
            println!("{}: test", j.name);
        }
        return ExitCode::SUCCESS;
    }
    // Words that are not options select journeys by name, like libtest's filters.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let selected: Vec<Journey> = journeys
        .into_iter()
        .filter(|j| filters.is_empty() || filters.iter().any(|f| j.name.contains(f.as_str())))
        .collect();
    if selected.is_empty() {
        println!("no browser journey matches {filters:?}");
        println!("browser tests: 0 passed, 0 failed");
        return ExitCode::SUCCESS;
    }
    let tools = match Tools::find() {
        Ok(tools) => Arc::new(tools),
        Err(message) => {
            eprintln!("\n{message}\n");
            println!("browser tests: 0 passed, {} failed", selected.len() + 1);
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&tools.screenshots) {
        eprintln!("cannot create {}: {e}", tools.screenshots.display());
        return ExitCode::FAILURE;
    }
    // The screenshots of an earlier run would mix with this run's.
    if let Ok(entries) = std::fs::read_dir(&tools.screenshots) {
        for entry in entries.flatten() {
            if entry.path().extension().is_some_and(|e| e == "png") {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    // A failing step panics inside its journey; the report below shows the message once.
    if std::env::var_os("RUST_BACKTRACE").is_none() {
        std::panic::set_hook(Box::new(|_| {}));
    }
    let jobs: usize = std::env::var("SAMENLEVEN_BROWSER_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(2);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let started = Instant::now();
    println!(
        "\nrunning {} browser journeys ({jobs} at a time), then the HTML check",
        selected.len()
    );
    let outcomes: Vec<Outcome> = runtime.block_on(async {
        let permits = Arc::new(tokio::sync::Semaphore::new(jobs));
        let journeys = Arc::new(selected);
        let mut handles = Vec::new();
        for index in 0..journeys.len() {
            let name = journeys[index].name;
            let permits = permits.clone();
            let journeys = journeys.clone();
            let tools = tools.clone();
            // Taken here, in the list's order, so the longest journey starts first.
            let permit = permits.acquire_owned().await.expect("semaphore");
            let handle = tokio::spawn(async move {
                let _permit = permit;
                let outcome = run_one(&journeys[index], tools).await;
                match &outcome.error {
                    None => println!(
                        "journey {} ... ok ({:.1} s, {} pages checked; {})",
                        outcome.name, outcome.seconds, outcome.audited, outcome.spent
                    ),
                    Some(_) => println!(
                        "journey {} ... FAILED ({:.1} s)",
                        outcome.name, outcome.seconds
                    ),
                }
                outcome
            });
            handles.push((name, handle));
        }
        let mut outcomes = Vec::new();
        for (name, handle) in handles {
            match handle.await {
                Ok(outcome) => outcomes.push(outcome),
                Err(e) => {
                    let error = if e.is_panic() {
                        panic_message(e.into_panic())
                    } else {
                        e.to_string()
                    };
                    println!("journey {name} ... FAILED (before it started: {error})");
                    outcomes.push(Outcome {
                        name,
                        error: Some(error),
                        pages: Vec::new(),
                        audited: 0,
                        notes: Vec::new(),
                        seconds: 0.0,
                        spent: String::new(),
                    });
                }
            }
        }
        outcomes
    });

    let served: Vec<(&'static str, ServedPage)> = outcomes
        .iter()
        .flat_map(|o| o.pages.iter().map(move |p| (o.name, p.clone())))
        .collect();
    let vnu_started = Instant::now();
    let html = crate::vnu::validate(&tools, &served);
    let vnu_seconds = vnu_started.elapsed().as_secs_f64();
    match &html {
        Ok(count) => println!(
            "test html_of_every_page_is_valid ... ok ({count} distinct pages, {vnu_seconds:.1} s)"
        ),
        Err(_) => println!("test html_of_every_page_is_valid ... FAILED ({vnu_seconds:.1} s)"),
    }

    let mut failed = 0;
    for outcome in &outcomes {
        if let Some(error) = &outcome.error {
            failed += 1;
            println!("\n---- journey {} ----\n{error}", outcome.name);
        }
    }
    if let Err(errors) = &html {
        failed += 1;
        println!("\n---- html_of_every_page_is_valid ----\n{errors}");
    }
    let notes: Vec<String> = outcomes.iter().flat_map(|o| o.notes.clone()).collect();
    let notes_file = tools.screenshots.join("axe-minor-and-moderate.txt");
    if let Err(e) = std::fs::write(&notes_file, notes.join("\n")) {
        eprintln!("cannot write {}: {e}", notes_file.display());
    }
    let passed = outcomes.len() + 1 - failed;
    println!(
        "\nscreenshots in {}; axe findings of minor or moderate impact (not failing): {} (listed in {})",
        tools.screenshots.display(),
        notes.len(),
        notes_file.display()
    );
    println!(
        "browser suite took {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("browser tests: {passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
