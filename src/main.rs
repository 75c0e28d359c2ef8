//! The `salesplan` binary: parses arguments, calls the library, prints.
//! Exit codes: 0 success, 1 some series failed (reported), 2 fatal.

mod cli;

/// mimalloc: much faster than the system allocator for the many small
/// allocations of CSV parsing, and free of glibc's heap-consolidation pauses.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
