// mimalloc instead of the system allocator. A run allocates and frees many small objects on
// several threads at once (request records, JSON values, header strings); with glibc's
// malloc a fifth of the harness's CPU time went to the allocator (perf, benches/run_wrk.sh),
// and mimalloc made the benchmark's passes about 15% faster (median of five, same machine).
// Its C sources are vendored and compiled with the C compiler that Rust's linker needs
// anyway; no system library is involved.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    exemplar::cli::main()
}
