use clap::Parser;

fn main() -> std::process::ExitCode {
    peilian::cli::run(peilian::cli::Cli::parse())
}
