//! `peilian window --replay FILE --screenshots DIR`: play the replies in FILE (one per line)
//! through the real window — typed into the reply box and sent as Enter would — save a PNG
//! of every screen (the picker, the chat at the start and after each reply, the report), and
//! exit. The result file is written by the simulation exactly as in a live session.
//!
//! A line that starts with `#!` is an action instead of a reply (keys, clicks, the wheel, a
//! probe of what is on screen, `#!shot NAME` for a screenshot; those before `#!start` or the
//! first reply play on the picker): see [`super::probe`].
//!
//! With `--drill PLAN` the script clicks the plan's card in the picker and the replies play the
//! drill's sessions one after the other: after each report it presses the drill's continue
//! button (retry or next step) until the drill is over or the replies run out.

use super::catalog::Catalog;
use super::chat::model::{ChatModel, ModelUpdated, ReplyBox, ReportData, SubmitReply};
use super::drill::{ContinueButton, DrillState, StartDrill};
use super::picker::PickerAction;
use super::probe::{self, Action};
use super::{BeginPractice, Screen};
use crate::drill::{DrillPlan, Move};
use crate::scenario::Scenario;
use crate::sim::AbandonSession;
use bevy::ecs::system::SystemParam;
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};
use bevy::ui_widgets::Activate;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Frames to let a screen settle (layout, glyphs, the first render) before capturing it.
const SETTLE: u32 = 6;
/// Give up when a replay takes more frames than this.
const MAX_FRAMES: u32 = 5000;

/// A replay read from disk, before the window opens.
#[derive(Debug)]
pub struct Script {
    lines: Vec<String>,
    shots: Option<PathBuf>,
}

impl Script {
    pub fn read(path: &Path, shots: Option<PathBuf>) -> Result<Script, String> {
        let text = std::fs::read(path)
            .map_err(|e| format!("cannot read replay file {}: {e}", path.display()))?;
        let lines = String::from_utf8_lossy(&text)
            .lines()
            .map(|l| l.trim_end_matches('\r').to_string())
            .collect();
        if let Some(dir) = &shots {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create screenshot folder {}: {e}", dir.display()))?;
        }
        Ok(Script { lines, shots })
    }

    /// `scenario`: the one named on the command line; else the first in the catalog.
    /// `drill`: play this plan instead.
    pub fn into_replay(self, scenario: Option<Arc<Scenario>>, drill: Option<DrillPlan>) -> Replay {
        Replay {
            lines: self.lines.into(),
            shots: self.shots,
            scenario,
            drill,
            out_of_lines: false,
            step: Step::Picker,
            wait: SETTLE * 2,
            frames: 0,
            shot_no: 0,
            requested: 0,
            saved: 0,
            replies: 0,
            picker_shot: false,
            shot_frame: u32::MAX,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Picker,
    Opening,
    Next,
    Replied(usize),
    Ending,
    Report,
    Exit,
}

#[derive(Resource, Debug)]
pub struct Replay {
    lines: VecDeque<String>,
    shots: Option<PathBuf>,
    scenario: Option<Arc<Scenario>>,
    drill: Option<DrillPlan>,
    /// The replies ran out mid-session (the session was left unfinished).
    out_of_lines: bool,
    step: Step,
    wait: u32,
    frames: u32,
    shot_no: u32,
    requested: u32,
    saved: u32,
    replies: usize,
    picker_shot: bool,
    /// The frame the last screenshot was asked for: Bevy takes one per window per frame (a
    /// second one is skipped, and the replay would wait for it forever).
    shot_frame: u32,
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, drive.after(ModelUpdated));
}

fn shoot(commands: &mut Commands, r: &mut Replay, name: &str) {
    let Some(dir) = &r.shots else {
        return;
    };
    let path = dir.join(format!("{:02}-{name}.png", r.shot_no));
    r.shot_no += 1;
    r.requested += 1;
    r.shot_frame = r.frames;
    let mut save = save_to_disk(path);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut replay: ResMut<Replay>| {
            save(captured);
            replay.saved += 1;
        },
    );
}

/// Play the next line if it is an action (`#!…`); true when it was.
fn run_action(
    commands: &mut Commands,
    r: &mut Replay,
    actions: &mut MessageWriter<Action>,
) -> bool {
    let Some(a) = r
        .lines
        .front()
        .and_then(|l| probe::action(l))
        .map(str::to_string)
    else {
        return false;
    };
    if a.starts_with("shot ") && r.shot_frame == r.frames {
        // A screenshot was already asked for in this frame: take this one in the next.
        r.wait = 1;
        return true;
    }
    r.lines.pop_front();
    match a.strip_prefix("shot ") {
        Some(name) => shoot(commands, r, name.trim()),
        None => {
            actions.write(Action(a));
        }
    }
    r.wait = SETTLE;
    true
}

/// What the replay needs to play a drill: its state, the picker's plan cards and the report's
/// continue button.
#[derive(SystemParam)]
struct DrillControls<'w, 's> {
    state: Res<'w, DrillState>,
    start: MessageWriter<'w, StartDrill>,
    cards: Query<'w, 's, (Entity, &'static PickerAction)>,
    continue_buttons: Query<'w, 's, Entity, With<ContinueButton>>,
}

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut replay: ResMut<Replay>,
    state: Res<State<Screen>>,
    model: Res<ChatModel>,
    catalog: Res<Catalog>,
    report: Res<ReportData>,
    mut reply: ReplyBox,
    mut begin: MessageWriter<BeginPractice>,
    mut submit: MessageWriter<SubmitReply>,
    mut abandon: MessageWriter<AbandonSession>,
    mut next: ResMut<NextState<Screen>>,
    mut exit: MessageWriter<AppExit>,
    mut drill: DrillControls,
    (mut actions, pending): (MessageWriter<Action>, Res<probe::Pending>),
) {
    let r = &mut *replay;
    r.frames += 1;
    if r.frames > MAX_FRAMES {
        error!(
            "the replay did not finish in {MAX_FRAMES} frames (stuck at {:?})",
            r.step
        );
        exit.write(AppExit::from_code(3));
        return;
    }
    if r.wait > 0 {
        r.wait -= 1;
        return;
    }
    if !pending.is_empty() {
        // Keys and clicks of an action still going in.
        r.wait = SETTLE;
        return;
    }
    let screen = *state.get();
    match r.step {
        Step::Picker => {
            // The picker is filled once the scenario folder has been read.
            if screen != Screen::Picker || catalog.loading {
                return;
            }
            if !r.picker_shot {
                r.picker_shot = true;
                shoot(&mut commands, r, "picker");
            }
            // Leading actions play on the picker, up to `#!start` (or the first reply).
            if r.lines.front().and_then(|l| probe::action(l)) == Some("start") {
                r.lines.pop_front();
            } else if run_action(&mut commands, r, &mut actions) {
                return;
            }
            if let Some(plan) = r.drill.take() {
                // Click the plan's card in the picker, as a trainee would; a plan from outside
                // the scenario folder has no card and is started directly.
                let card = drill.cards.iter().find(|(_, a)| {
                    matches!(a, PickerAction::Drill(i)
                        if catalog.plans.get(*i).is_some_and(|p| p.name == plan.name))
                });
                match card {
                    Some((entity, _)) => commands.trigger(Activate { entity }),
                    None => {
                        drill.start.write(StartDrill { plan });
                    }
                }
                r.step = Step::Opening;
                r.wait = SETTLE;
                return;
            }
            let Some(sc) = r
                .scenario
                .clone()
                .or_else(|| catalog.scenarios.first().cloned())
            else {
                eprintln!("no scenario to replay in {}", catalog.dir.display());
                exit.write(AppExit::from_code(2));
                return;
            };
            begin.write(BeginPractice::scenario(sc, None));
            r.step = Step::Opening;
            r.wait = SETTLE;
        }
        Step::Opening => {
            if let Some(e) = &drill.state.error {
                eprintln!("{e}");
                exit.write(AppExit::from_code(2));
                return;
            }
            if screen != Screen::Chat || model.entries.is_empty() {
                return;
            }
            shoot(&mut commands, r, "chat-start");
            r.step = Step::Next;
        }
        Step::Next => {
            if model.ended.is_some() {
                r.step = Step::Ending;
            } else if run_action(&mut commands, r, &mut actions) {
            } else if let Some(line) = r.lines.pop_front() {
                // Type the reply into the box and press Enter, shop placeholders ({price},
                // {part_days}…) filled from the shop being played, as `practice --script` does.
                let line = match &model.scenario {
                    Some(sc) => sc.fill(&line),
                    None => line,
                };
                reply.type_text(&line);
                let Some(text) = reply.take() else {
                    return;
                };
                submit.write(SubmitReply {
                    text,
                    at: Instant::now(),
                });
                r.replies += 1;
                r.step = Step::Replied(r.replies);
                r.wait = SETTLE;
            } else {
                // Out of replies before the end: leave, as the terminal does at end of input.
                abandon.write(AbandonSession);
                r.out_of_lines = true;
                r.step = Step::Report;
                r.wait = SETTLE;
            }
        }
        Step::Replied(n) => {
            shoot(&mut commands, r, &format!("chat-reply-{n}"));
            r.step = Step::Next;
        }
        Step::Ending => {
            next.set(Screen::Report);
            r.step = Step::Report;
            r.wait = SETTLE;
        }
        Step::Report => {
            if screen != Screen::Report {
                return;
            }
            let Some(run) = &drill.state.run else {
                shoot(&mut commands, r, "report");
                r.step = Step::Exit;
                return;
            };
            // Wait until the drill has the session's result.
            let Some(next_move) = run.next_move() else {
                return;
            };
            if r.out_of_lines || next_move == Move::Done {
                shoot(&mut commands, r, "report");
                r.step = Step::Exit;
                return;
            }
            // Press the drill's continue button (the retry or the next step) once it is there.
            let Some(button) = drill.continue_buttons.iter().next() else {
                return;
            };
            shoot(&mut commands, r, "report");
            commands.trigger(Activate { entity: button });
            r.step = Step::Opening;
            r.wait = SETTLE;
        }
        Step::Exit => {
            if r.saved >= r.requested {
                match &report.result_path {
                    Some(p) => println!("结果文件 result file: {}", p.display()),
                    None => println!("结果文件没有保存 (the result file could not be written)"),
                }
                if let Some(dir) = &r.shots {
                    println!("截图 screenshots: {} in {}", r.saved, dir.display());
                }
                exit.write(AppExit::Success);
            }
        }
    }
}
