//! A private X server for the window tests (`tests/window.rs`, `tests/window_team.rs`):
//! `Xvfb -displayfd` picks a free display; the server is killed on drop.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A private X server; killed on drop.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
    /// [`Xvfb::start`], saying why the test is skipped when Xvfb is not installed.
    pub fn start_or_skip() -> Option<Xvfb> {
        let x = Xvfb::start();
        if x.is_none() {
            println!(
                "SKIPPED: Xvfb is not installed (apt-get install xvfb mesa-vulkan-drivers; .ci/run does)"
            );
        }
        x
    }

    pub fn start() -> Option<Xvfb> {
        // -displayfd: Xvfb picks a free display and prints its number once it is ready.
        let mut child = match Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => panic!("cannot start Xvfb: {e}"),
        };
        let mut line = String::new();
        let out = child.stdout.take().expect("Xvfb stdout");
        BufReader::new(out)
            .read_line(&mut line)
            .expect("Xvfb display number");
        let n = line.trim();
        assert!(!n.is_empty(), "Xvfb did not report a display");
        Some(Xvfb {
            display: format!(":{n}"),
            child,
        })
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
