//! The window front end (Bevy UI). Work in progress: see issue 4.

use crate::cli::{PracticeArgs, WindowArgs};
use std::process::ExitCode;

/// Is a display available for a window?
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// `peilian` with no command: the window when a display is available, else terminal practice.
pub fn run_default() -> ExitCode {
    if display_available() {
        run_window(WindowArgs::default())
    } else {
        eprintln!("没有可用的显示器，改为终端对练。(no display available: practising in the terminal)");
        crate::cli::practice::run(PracticeArgs::default())
    }
}

pub fn run_window(_a: WindowArgs) -> ExitCode {
    eprintln!("the window is not built yet; use `peilian practice`");
    crate::cli::practice::run(PracticeArgs::default())
}
