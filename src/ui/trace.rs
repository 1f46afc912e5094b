//! Timings for the README, when `PEILIAN_TRACE=1`: start to the first frame on screen, start
//! to the frame that shows the scenarios (the folder is read after the first frame), Enter
//! to the feedback on screen, and peak memory at exit. Each is printed to stderr as
//! `peilian-trace: key=value`.
//!
//! "On screen" is measured by capturing the frame (a screenshot that is not saved): the
//! capture holds exactly the pixels presented, so the figure includes rendering and the GPU
//! read-back, and is an upper bound on what the trainee waits.

use super::chat::model::{ChatModel, ModelUpdated, SubmitReply};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use std::time::Instant;

#[derive(Resource, Debug)]
pub struct Trace {
    enabled: bool,
    started: Instant,
    first_frame: bool,
    pending_reply: Option<Instant>,
}

impl Trace {
    pub fn new(started: Instant) -> Trace {
        Trace {
            enabled: std::env::var("PEILIAN_TRACE").is_ok_and(|v| !v.is_empty() && v != "0"),
            started,
            first_frame: false,
            pending_reply: None,
        }
    }

    /// A reply left the composer at `at` (when Enter was pressed).
    pub fn reply_sent(&mut self, at: Instant) {
        if self.enabled {
            self.pending_reply = Some(at);
        }
    }
}

pub fn plugin(app: &mut App) {
    if !app
        .world()
        .get_resource::<Trace>()
        .is_some_and(|t| t.enabled)
    {
        return;
    }
    app.add_systems(
        Update,
        (
            first_frame,
            scenarios_on_screen,
            note_reply,
            reply_on_screen.after(ModelUpdated),
        ),
    )
    .add_systems(Last, peak_memory_at_exit);
}

fn capture(commands: &mut Commands, key: &'static str, since: Instant) {
    commands
        .spawn(Screenshot::primary_window())
        .observe(move |_: On<ScreenshotCaptured>| {
            eprintln!(
                "peilian-trace: {key}={:.1}",
                since.elapsed().as_secs_f64() * 1000.0
            );
        });
}

fn first_frame(mut commands: Commands, mut trace: ResMut<Trace>) {
    if !trace.first_frame {
        trace.first_frame = true;
        let started = trace.started;
        // When the app first runs (window made, plugins built); the frame follows.
        eprintln!(
            "peilian-trace: first_update_ms={:.1}",
            started.elapsed().as_secs_f64() * 1000.0
        );
        capture(&mut commands, "first_frame_ms", started);
    }
}

/// The scenario folder has been read (on the task pool, after the first frame): the frame
/// that shows the filled picker.
fn scenarios_on_screen(
    mut commands: Commands,
    trace: Res<Trace>,
    catalog: Res<super::catalog::Catalog>,
    mut done: Local<bool>,
) {
    if !*done && !catalog.loading {
        *done = true;
        capture(&mut commands, "scenarios_on_screen_ms", trace.started);
    }
}

/// A reply that will reach the simulation (an empty one is turned away by the model).
fn note_reply(mut submits: MessageReader<SubmitReply>, mut trace: ResMut<Trace>) {
    for sub in submits.read() {
        if !crate::session::clean_reply(&sub.text).is_empty() {
            trace.reply_sent(sub.at);
        }
    }
}

fn reply_on_screen(mut commands: Commands, mut trace: ResMut<Trace>, model: Res<ChatModel>) {
    if model.is_changed()
        && model.last_turn.is_some()
        && let Some(at) = trace.pending_reply.take()
    {
        capture(&mut commands, "enter_to_feedback_ms", at);
    }
}

/// Peak resident memory (VmHWM) in kB, where the platform tells it.
pub fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn peak_memory_at_exit(
    mut exits: MessageReader<AppExit>,
    mut closing: MessageReader<bevy::window::WindowCloseRequested>,
    frames: Res<bevy::diagnostic::FrameCount>,
    trace: Res<Trace>,
) {
    if exits.read().count() + closing.read().count() == 0 {
        return;
    }
    eprintln!(
        "peilian-trace: frames={} seconds={:.1}",
        frames.0,
        trace.started.elapsed().as_secs_f64()
    );
    if let Some(kb) = peak_memory_kb() {
        eprintln!("peilian-trace: peak_memory_kb={kb}");
    }
}
