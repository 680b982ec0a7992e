//! `run --server 'CMD'`: the target started for the run, as Dredd's `--server` does. The
//! command runs under `sh -c` in a process group of its own, so that stopping it stops what
//! it started too (`cargo run`, `npm start` and the like fork the real server). The run waits
//! until the `--target` address accepts TCP connections, and the group is stopped when the
//! run ends: on every return (the guard's `Drop`) and on Ctrl-C or SIGTERM.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// How many lines of the server's stderr an error quotes.
const TAIL_LINES: usize = 10;

/// How long the server has to stop after SIGTERM before its group gets SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// Why the server is not ready.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("--server `{command}`: cannot start it")]
    Spawn { command: String, source: std::io::Error },
    #[error("--server needs a --target with a host and port, got `{0}`")]
    Address(String),
    #[error(
        "--server `{command}` exited ({status}) before {target} accepted connections{}",
        tail_text(tail)
    )]
    Exited { command: String, status: ExitStatus, target: String, tail: Vec<String> },
    #[error(
        "--server `{command}`: {target} did not accept connections within {secs} s \
         (--server-wait {secs}){}\nhint: check that the command listens on the --target address, \
         or give it longer with --server-wait",
        tail_text(tail)
    )]
    NotReady { command: String, target: String, secs: u64, tail: Vec<String> },
}

fn tail_text(tail: &[String]) -> String {
    if tail.is_empty() {
        return "; it wrote nothing on stderr".to_string();
    }
    let mut out = String::from("; the last lines of its stderr:");
    for line in tail {
        out.push_str("\n  | ");
        out.push_str(line);
    }
    out
}

/// The started server; dropping it stops its process group.
#[derive(Debug)]
pub struct Server {
    child: Child,
    tail: Arc<Mutex<VecDeque<String>>>,
}

impl Server {
    /// Starts `command` and waits until `target` (a URL) accepts TCP connections.
    pub fn start(command: &str, target: &str, wait: Duration) -> Result<Server, ServerError> {
        let addrs = addresses(target)?;
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            // Its output would mix with the trial lines; its stderr is kept for errors.
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|source| ServerError::Spawn { command: command.to_string(), source })?;
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(stderr) = child.stderr.take() {
            let tail = Arc::clone(&tail);
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    let mut tail = tail.lock().unwrap_or_else(PoisonError::into_inner);
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(line);
                }
            });
        }
        let mut server = Server { child, tail };
        stop_on_signal(server.child.id());
        let deadline = Instant::now() + wait;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                // Let the reader take the last lines the process wrote before it went.
                std::thread::sleep(Duration::from_millis(50));
                return Err(ServerError::Exited {
                    command: command.to_string(),
                    status,
                    target: target.to_string(),
                    tail: server.tail(),
                });
            }
            let connect = Duration::from_millis(200);
            if addrs.iter().any(|a| TcpStream::connect_timeout(a, connect).is_ok()) {
                return Ok(server);
            }
            if Instant::now() >= deadline {
                return Err(ServerError::NotReady {
                    command: command.to_string(),
                    target: target.to_string(),
                    secs: wait.as_secs(),
                    tail: server.tail(),
                });
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn tail(&self) -> Vec<String> {
        self.tail.lock().unwrap_or_else(PoisonError::into_inner).iter().cloned().collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let group = group_of(self.child.id());
        // SIGTERM first, so that a server can finish what it is doing; whatever of the group
        // is still there after the grace period (the shell's children too) gets SIGKILL. The
        // run ends only when the group is gone, so that its port is free when we return.
        let _ = killpg(group, Signal::SIGTERM);
        let child = &mut self.child;
        if !group_ends_within(group, STOP_GRACE, || drop(child.try_wait())) {
            let _ = killpg(group, Signal::SIGKILL);
            group_ends_within(group, STOP_GRACE, || drop(child.try_wait()));
        }
    }
}

/// Waits until no process of `group` is left, or `limit` has passed; `reap` collects our
/// own child (the shell) meanwhile, so that it does not linger as a zombie.
fn group_ends_within(group: Pid, limit: Duration, mut reap: impl FnMut()) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        reap();
        // Signal 0 asks whether any process of the group exists. One that was killed but
        // whose parent has not reaped it yet still counts, so a zombie only costs time.
        if killpg(group, None).is_err() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn group_of(pid: u32) -> Pid {
    Pid::from_raw(i32::try_from(pid).unwrap_or(i32::MAX))
}

/// The socket addresses of a target URL's host and port.
fn addresses(target: &str) -> Result<Vec<SocketAddr>, ServerError> {
    let bad = || ServerError::Address(target.to_string());
    let url = reqwest::Url::parse(target).map_err(|_| bad())?;
    let host = url.host_str().ok_or_else(bad)?.trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().ok_or_else(bad)?;
    let addrs: Vec<SocketAddr> = (host, port).to_socket_addrs().map_err(|_| bad())?.collect();
    if addrs.is_empty() { Err(bad()) } else { Ok(addrs) }
}

/// Ctrl-C or SIGTERM while the server runs: stop its group, then end as the signal would
/// have ended us (128 + its number). The server is in a group of its own, so the terminal's
/// Ctrl-C does not reach it; without this it would outlive the run.
fn stop_on_signal(pid: u32) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
        return;
    };
    // Registered here, before the server can be ready: a signal that comes at any moment
    // after this finds the handler in place.
    let registered = {
        let _context = runtime.enter();
        (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
    };
    let (Ok(mut int), Ok(mut term)) = registered else { return };
    std::thread::spawn(move || {
        let code = runtime.block_on(async {
            tokio::select! {
                _ = int.recv() => 130,
                _ = term.recv() => 143,
            }
        });
        // At once: the run goes on meanwhile, and would otherwise finish with the errors
        // of a target that vanished under it. SIGKILL cannot be caught; the kernel ends the
        // group right after.
        let _ = killpg(group_of(pid), Signal::SIGKILL);
        std::process::exit(code);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_target_without_a_host_is_refused() {
        assert!(matches!(addresses("unix:/tmp/x"), Err(ServerError::Address(_))));
        assert_eq!(addresses("http://127.0.0.1:8081").unwrap()[0].port(), 8081);
        assert_eq!(addresses("http://127.0.0.1").unwrap()[0].port(), 80);
    }

    #[test]
    fn a_spawn_error_shows_its_cause_once() {
        let e = ServerError::Spawn {
            command: "serve-it".into(),
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
        };
        let shown = crate::cli::error_chain(&e);
        assert_eq!(
            shown,
            "error: --server `serve-it`: cannot start it\n  caused by: no such file\n"
        );
    }

    #[test]
    fn the_error_of_a_server_that_exits_quotes_its_stderr() {
        let e = Server::start(
            "echo starting >&2; echo no port >&2; exit 4",
            "http://127.0.0.1:1",
            Duration::from_secs(5),
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("--server `echo starting"), "{text}");
        assert!(text.contains("exited (exit status: 4) before http://127.0.0.1:1"), "{text}");
        assert!(text.ends_with("stderr:\n  | starting\n  | no port"), "{text}");
    }
}
