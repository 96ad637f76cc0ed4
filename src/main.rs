//! Thin entry point: parse the command line and hand over to the library.

use clap::Parser;

/// mimalloc instead of the system allocator: page rendering and the database driver allocate
/// many small strings per request, and glibc's malloc took about a fifth of the server's time
/// under load (BENCHMARKS.md, "Where the time goes").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = samenleven::cli::Cli::parse();
    match samenleven::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("fout: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
