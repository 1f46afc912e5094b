//! The window: a Bevy UI chat workbench (千牛/旺旺-style) for practice and exams.
//!
//! Screens are a [`Screen`] state with state-scoped entities; each module is one plugin:
//! `picker` (scenario and mode), `chat` (the conversation), `coach` (feedback beside it),
//! `phrases` (快捷短语), `report` (the end), `drill` (训练计划: step after step), `progress`
//! (我的进度 on the picker), plus `catalog` (scenario and plan files, reloaded when edited),
//! `replay` (scripted runs with screenshots), `scrollbar` (a draggable bar on every scrolling
//! list), `trace` (timings), `widgets`, `theme` and
//! `strings`. The window drives the same `SimPlugin` as the terminal.

pub mod catalog;
pub mod chat;
pub mod coach;
pub mod drill;
pub mod emoji;
pub mod phrases;
pub mod picker;
pub mod probe;
pub mod progress;
pub mod replay;
pub mod report;
pub mod save_alert;
pub mod scrollbar;
pub mod strings;
pub mod team;
pub mod theme;
pub mod trace;
pub mod widgets;

use crate::catalog::{Sources, default_trainee, load_rubric, random_seed, scenario_dir};
use crate::drill::PlannedStep;
use crate::scenario::Scenario;
use crate::session::{DrillRef, Mode, results_dir};
use crate::sim::{SimPlugin, SimSet, StartSession};
use bevy::diagnostic::FrameCount;
use bevy::input_focus::tab_navigation::TabNavigationPlugin;
use bevy::prelude::*;
use bevy::window::{PresentMode, RequestRedraw, WindowResolution};
use bevy::winit::{UpdateMode, WinitSettings};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Is a display available for a window?
pub fn display_available() -> bool {
    std::env::var_os("DISPLAY").is_some_and(|d| !d.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|d| !d.is_empty())
}

/// The screens of the window.
#[derive(States, Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Screen {
    #[default]
    Picker,
    Chat,
    Report,
    /// 组长视图: the team's results.
    Team,
}

/// What the window was started with, and the trainee's current choices.
#[derive(Resource, Clone, Debug)]
pub struct Launch {
    pub trainee: String,
    /// `--seed`: every session uses it; without it each session draws one.
    pub seed: Option<u64>,
    /// The mode the next session starts in (the picker toggles it).
    pub mode: Mode,
    pub results: PathBuf,
    /// Driven by `--replay`: frames render continuously and nothing but results is written.
    pub scripted: bool,
}

/// Start a session with this scenario (from the picker, the report's retry, a drill, a
/// script).
#[derive(Message, Clone, Debug)]
pub struct BeginPractice {
    pub scenario: Arc<Scenario>,
    /// None: `--seed` if given, else a fresh one.
    pub seed: Option<u64>,
    /// None: the mode chosen in the picker. A drill sets its plan's mode.
    pub mode: Option<Mode>,
    /// The drill step this session is, stored in its result file.
    pub drill: Option<DrillRef>,
}

impl BeginPractice {
    pub fn scenario(scenario: Arc<Scenario>, seed: Option<u64>) -> BeginPractice {
        BeginPractice {
            scenario,
            seed,
            mode: None,
            drill: None,
        }
    }

    /// A drill's planned session.
    pub fn step(step: PlannedStep) -> BeginPractice {
        BeginPractice {
            scenario: step.scenario,
            seed: Some(step.seed),
            mode: Some(step.mode),
            drill: Some(step.drill),
        }
    }
}

/// What the window is started with (`peilian window`'s options).
#[derive(Debug, Clone, Default)]
pub struct WindowOptions {
    /// Scenario id or path; without one, the scenario picker.
    pub scenario: Option<String>,
    pub seed: Option<u64>,
    /// Replies to play through the window, one per line; the window exits when done.
    pub replay: Option<PathBuf>,
    /// Save a PNG of every screen into this folder.
    pub screenshots: Option<PathBuf>,
    pub results: Option<PathBuf>,
    pub trainee: Option<String>,
    /// Start in exam mode (考核模式).
    pub exam: bool,
    /// Start this drill plan (a path or a name under scenarios/drills/).
    pub drill: Option<String>,
    pub sources: Sources,
}

/// `peilian window`
pub fn run_window(a: WindowOptions) -> ExitCode {
    let started = std::time::Instant::now();
    let rubric = match load_rubric(&a.sources) {
        Ok(r) => Arc::new(r),
        Err(c) => return c,
    };
    let dir = scenario_dir(&a.sources);
    let shop = match crate::catalog::load_shop(&a.sources) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let script = match &a.replay {
        None => None,
        Some(p) => match replay::Script::read(p, a.screenshots.clone()) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
    };
    // The picker opens before the scenario folder is read (the catalog reads it on the task
    // pool); a scenario or drill named on the command line needs it now.
    let catalog = if a.scenario.is_some() || a.drill.is_some() {
        catalog::Catalog::load(&dir, &rubric, shop.as_ref())
    } else {
        catalog::Catalog::pending(&dir, shop.as_ref())
    };
    // The scenario named on the command line: from the catalog just loaded when it is an id
    // there (the folder is read once), else loaded on its own (a path, or an id with problems
    // to report).
    let first = match &a.scenario {
        None => None,
        Some(name) => match catalog.find(name) {
            Some(s) => Some(Arc::clone(s)),
            None => match crate::scenario::resolve_in(name, &dir, &rubric, shop.as_ref()) {
                Ok(s) => Some(Arc::new(s)),
                Err(ds) => {
                    for d in ds {
                        eprintln!("{d}");
                    }
                    return ExitCode::from(2);
                }
            },
        },
    };
    if !display_available() {
        eprintln!(
            "没有可用的显示器：窗口需要 DISPLAY 或 WAYLAND_DISPLAY（可以用 xvfb-run），或者改用 `peilian practice`。\n\
             (no display: set DISPLAY or WAYLAND_DISPLAY, e.g. run under xvfb-run, or use `peilian practice`)"
        );
        return ExitCode::from(2);
    }
    let scripted = script.is_some();
    let results = results_dir(a.results.as_deref());
    let launch = Launch {
        trainee: a.trainee.clone().unwrap_or_else(default_trainee),
        seed: a.seed,
        mode: if a.exam { Mode::Exam } else { Mode::Practice },
        results: results.clone(),
        scripted,
    };
    let first_drill = match &a.drill {
        None => None,
        Some(name) => match crate::drill::resolve(name, &dir, &catalog.scenario_values()) {
            Ok(p) => Some(p),
            Err(ds) => {
                for d in ds {
                    eprintln!("{d}");
                }
                return ExitCode::from(2);
            }
        },
    };

    let mut app = App::new();
    // A command aimed at an entity a rebuilt screen has just despawned is not worth
    // crashing a practice session over: log it instead.
    app.set_error_handler(bevy::ecs::error::warn);
    catalog::register_source(&mut app, &dir);
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: strings::WINDOW_TITLE.into(),
                    resolution: window_size(),
                    present_mode: PresentMode::AutoVsync,
                    ..default()
                }),
                ..default()
            })
            .set(bevy::log::LogPlugin {
                filter: "warn,peilian=info,wgpu=error,naga=warn".into(),
                ..default()
            })
            .set(AssetPlugin {
                meta_check: bevy::asset::AssetMetaCheck::Never,
                ..default()
            }),
    )
    .add_plugins(TabNavigationPlugin)
    .add_plugins(SimPlugin { rubric, results })
    .insert_resource(launch)
    .insert_resource(catalog)
    .insert_resource(pace(scripted, false))
    // Show where the keyboard is from the start: the workbench is keyboard-first.
    .insert_resource(bevy::input_focus::InputFocusVisible(true))
    .insert_resource(trace::Trace::new(started))
    .init_state::<Screen>()
    .add_message::<BeginPractice>()
    .add_systems(Update, begin_practice.before(SimSet))
    .add_systems(Last, repace)
    .add_plugins((
        theme::plugin,
        emoji::plugin,
        widgets::plugin,
        catalog::plugin,
        drill::plugin,
        picker::plugin,
        progress::plugin,
        chat::plugin,
        coach::plugin,
        phrases::plugin,
        report::plugin,
        team::plugin,
        trace::plugin,
        save_alert::plugin,
        scrollbar::plugin,
    ));
    match script {
        Some(s) => {
            app.insert_resource(s.into_replay(first, first_drill));
            app.add_plugins((probe::plugin, replay::plugin));
        }
        None => {
            if let Some(s) = first {
                app.world_mut()
                    .write_message(BeginPractice::scenario(s, None));
            }
            if let Some(plan) = first_drill {
                app.world_mut().write_message(drill::StartDrill { plan });
            }
        }
    }
    match app.run() {
        // A session whose saving failed never ends in success, however the window closed.
        _ if save_alert::failed() => ExitCode::from(1),
        AppExit::Success => ExitCode::SUCCESS,
        AppExit::Error(n) => ExitCode::from(n.get()),
    }
}

/// The window's first size: `PEILIAN_WINDOW_SIZE=WxH` (e.g. `1024x700`), else 1280×800.
fn window_size() -> WindowResolution {
    let (w, h) = std::env::var("PEILIAN_WINDOW_SIZE")
        .ok()
        .and_then(|v| parse_size(&v))
        .unwrap_or((1280, 800));
    WindowResolution::new(w, h)
}

/// `"1024x700"` → (1024, 700); None unless both are between 320 and 10000.
fn parse_size(v: &str) -> Option<(u32, u32)> {
    let (w, h) = v.trim().split_once(['x', 'X', '×'])?;
    let (w, h): (u32, u32) = (w.trim().parse().ok()?, h.trim().parse().ok()?);
    ((320..=10_000).contains(&w) && (320..=10_000).contains(&h)).then_some((w, h))
}

/// How often the window wakes when nothing happens. Input always wakes it at once.
fn pace(scripted: bool, timer_running: bool) -> WinitSettings {
    if scripted {
        // A script needs every frame rendered, focused or not.
        return WinitSettings {
            focused_mode: UpdateMode::Continuous,
            unfocused_mode: UpdateMode::Continuous,
        };
    }
    let wait = if timer_running {
        // Once a second, for the reply timer.
        Duration::from_secs(1)
    } else if cfg!(feature = "dev") {
        // Pick up edited scenario files promptly.
        Duration::from_secs(2)
    } else {
        Duration::from_secs(60)
    };
    WinitSettings {
        focused_mode: UpdateMode::reactive(wait),
        unfocused_mode: UpdateMode::reactive_low_power(wait),
    }
}

/// Wake once a second only while a reply timer is running; otherwise sleep until input, but
/// ask for the few frames that finish what this one started (a screen change takes effect on
/// the next frame, a rebuilt screen is laid out and drawn on the one after).
#[allow(clippy::too_many_arguments)]
fn repace(
    launch: Res<Launch>,
    model: Res<chat::model::ChatModel>,
    screen: Res<State<Screen>>,
    next: Res<NextState<Screen>>,
    catalog: Res<catalog::Catalog>,
    phrases: Res<phrases::Phrases>,
    report: Res<chat::model::ReportData>,
    (drills, progress): (Res<drill::DrillState>, Res<progress::MyProgress>),
    frames: Res<FrameCount>,
    mut settings: ResMut<WinitSettings>,
    mut redraw: MessageWriter<RequestRedraw>,
    mut more: Local<u32>,
) {
    let timer = *screen.get() == Screen::Chat && model.asked_at.is_some();
    let want = pace(launch.scripted, timer);
    if settings.focused_mode != want.focused_mode {
        *settings = want;
    }
    let busy = frames.0 < 10
        || !matches!(*next, NextState::Unchanged)
        || screen.is_changed()
        || model.is_changed()
        || catalog.is_changed()
        || phrases.is_changed()
        || report.is_changed()
        || drills.is_changed()
        || progress.is_changed();
    if busy {
        *more = 3;
    }
    if *more > 0 {
        *more -= 1;
        redraw.write(RequestRedraw);
    }
}

/// Turn a `BeginPractice` into the simulation's `StartSession` and open the chat screen.
fn begin_practice(
    mut begins: MessageReader<BeginPractice>,
    launch: Res<Launch>,
    mut start: MessageWriter<StartSession>,
    mut model: ResMut<chat::model::ChatModel>,
    mut next: ResMut<NextState<Screen>>,
) {
    for b in begins.read() {
        let seed = b.seed.or(launch.seed).unwrap_or_else(random_seed);
        let mode = b.mode.unwrap_or(launch.mode);
        model.reset(Arc::clone(&b.scenario), mode, seed);
        start.write(StartSession {
            scenario: Arc::clone(&b.scenario),
            seed,
            trainee: launch.trainee.clone(),
            mode,
            frontend: "window".into(),
            drill: b.drill.clone(),
        });
        next.set(Screen::Chat);
    }
}
