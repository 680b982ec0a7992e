fn main() -> std::process::ExitCode {
    exemplar::cli::main()
}
