//! Building and running the server: connect, migrate, seed, bind, serve, shut down gracefully.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::state::AppState;
use crate::{db, mail, seed, web};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("kan geen verbinding maken met de database {url}")]
    Connect {
        url: String,
        #[source]
        source: sea_orm::DbErr,
    },
    #[error("de databasemigratie is mislukt")]
    Migrate(#[source] sea_orm::DbErr),
    #[error("het laden van de referentiegegevens is mislukt")]
    Seed(#[source] seed::SeedError),
    #[error("de e-mailverzending kan niet ingesteld worden")]
    Mail(#[source] mail::MailError),
    #[error("kan niet luisteren op {address}")]
    Bind {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
}

/// A server that is bound to its port and ready to serve.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    mailer: mail::Mailer,
}

impl Application {
    /// Connects, migrates, loads the reference data (and the demo data when the database has
    /// no users yet and `seed_demo` is on), and binds the listener. Port 0 picks a free port.
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        let db = db::connect(config.database_url.expose())
            .await
            .map_err(|source| StartupError::Connect {
                url: config.database_url_for_logs(),
                source,
            })?;
        db::migrate(&db).await.map_err(StartupError::Migrate)?;
        seed::ensure_loaded(&db, config.seed_demo, config.seed_demo_followup)
            .await
            .map_err(StartupError::Seed)?;
        crate::files::remove_stale_incoming(&config.incoming_dir());
        let mailer = mail::Mailer::from_config(&config).map_err(StartupError::Mail)?;
        let listener = TcpListener::bind(config.bind_address)
            .await
            .map_err(|source| StartupError::Bind {
                address: config.bind_address,
                source,
            })?;
        Ok(Self {
            listener,
            state: AppState::new(db, config),
            mailer,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or(self.state.config.bind_address)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs the application on `clock` instead of the system clock (tests set the time).
    pub fn with_clock(mut self, clock: crate::clock::Clock) -> Self {
        self.state.clock = clock;
        self
    }

    /// Serves until `shutdown` completes, then finishes the requests in flight. The e-mail
    /// outbox worker and the report reminder job run alongside and stop after their current
    /// batch.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
        let mut reminder_job = crate::reminders::spawn(
            self.state.clone(),
            crate::reminders::INTERVAL,
            mail_stopped.clone(),
        );
        let mut mail_worker = mail::spawn_worker(
            self.state.db.clone(),
            self.mailer,
            self.state.config.mail_from.clone(),
            self.state.mail_wakeup.clone(),
            mail::POLL_INTERVAL,
            mail_stopped,
        );
        let router = web::app(self.state.clone());
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        stop_mail.send(true).ok();
        if tokio::time::timeout(std::time::Duration::from_secs(5), &mut reminder_job)
            .await
            .is_err()
        {
            reminder_job.abort();
        }
        if tokio::time::timeout(std::time::Duration::from_secs(20), &mut mail_worker)
            .await
            .is_err()
        {
            tracing::warn!("e-mail outbox worker did not stop in time; unsent mail stays queued");
            mail_worker.abort();
        }
        self.state.db.clone().close().await.ok();
        served
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
