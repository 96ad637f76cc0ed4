//! Structured logging with `tracing`. `RUST_LOG` filters; `LOG_FORMAT=json` gives JSON lines.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (e.g. from tests) are ignored.
pub fn init(json: bool) {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
