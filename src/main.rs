//! The `salesplan` binary: parses arguments, calls the library, prints.
//! Exit codes: 0 success, 1 some series failed (reported), 2 fatal.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
