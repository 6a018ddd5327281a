//! A running `opsbook` process for end-to-end tests of `watch` and `serve`.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a test waits for the process before it fails.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// A running `opsbook` process, killed when the test ends, even by a panic. Its stderr is
/// collected on a thread, so a long report never stalls it.
pub struct Running {
    pub child: Child,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    /// Starts `opsbook ARGS DIR`.
    pub fn start(args: &[&str], dir: &Path) -> Running {
        Running::start_in(args, dir, None, &[])
    }

    /// Starts `opsbook ARGS DIR` in the working folder `cwd` (this process's when `None`),
    /// with the environment variables `env` added.
    pub fn start_in(args: &[&str], dir: &Path, cwd: Option<&Path>, env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(assert_cmd::cargo::cargo_bin("opsbook"));
        if let Some(cwd) = cwd {
            command.current_dir(cwd);
        }
        command.envs(env.iter().copied());
        let mut child = command
            .args(args)
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("opsbook starts");
        let stderr = Arc::new(Mutex::new(String::new()));
        let pipe = child.stderr.take().unwrap();
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        Running { child, stderr }
    }

    /// Everything the process printed to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until `ready` holds, or fails with what the process printed.
    pub fn wait_for(&mut self, what: &str, mut ready: impl FnMut(&str) -> bool) {
        let start = Instant::now();
        while !ready(&self.stderr()) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("opsbook exited ({status}) while waiting for {what}:\n{}", self.stderr());
            }
            if start.elapsed() > PATIENCE {
                panic!("timed out waiting for {what}; opsbook printed:\n{}", self.stderr());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The port `opsbook serve` announced, once it has.
    pub fn served_port(&mut self) -> u16 {
        self.wait_for("the server", |err| port_of(err).is_some());
        port_of(&self.stderr()).unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port from "Serving the book at http://127.0.0.1:PORT/".
fn port_of(stderr: &str) -> Option<u16> {
    let rest = stderr.split("Serving the book at http://127.0.0.1:").nth(1)?;
    rest.split('/').next()?.parse().ok()
}
