//! Thin entry point: parse the command line and hand over to the library.

use clap::Parser;

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
