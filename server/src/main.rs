use clap::Parser;

// The spreadsheet engine allocates many short strings; mimalloc halves its time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // clap itself exits with status 2 on a wrong command line.
    let cli = server::cli::Cli::parse();
    server::init_tracing();
    match server::run(cli).await {
        Ok(status) => ExitCode::from(status),
        Err(error) => {
            eprintln!("roster: {error:#}");
            ExitCode::from(2)
        }
    }
}
