fn main() -> std::process::ExitCode {
    mynatca::main()
}
