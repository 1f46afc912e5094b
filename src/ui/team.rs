//! 组长视图 — the team lead's view, `peilian report` in the window: choose a results folder,
//! see who on the team is weak at what (a row per trainee: sessions, average, latest score,
//! the three checks they pass least) and the latest sessions, open one trainee's sessions and
//! any session's full report, and write or open the HTML report. The folder is read, and the
//! HTML rendered, on the task pool, so a folder of thousands of files never stalls the window.

use super::chat::model::ReportData;
use super::report::{self, Reviewing};
use super::strings::{self as s, fill};
use super::theme::{self, palette, size};
use super::widgets::{self, ButtonKind};
use super::{Launch, Screen};
use crate::report::{Entry, Filter, Tally, by_trainee, labels, load, outcome_text, short_time};
use crate::rubric::CheckId;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{FocusedInput, InputFocus};
use bevy::prelude::*;
use bevy::tasks::futures::check_ready;
use bevy::tasks::{AsyncComputeTaskPool, Task};
use bevy::text::EditableText;
use bevy::ui_widgets::{Activate, ScrollArea};
use bevy::window::RequestRedraw;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The file the HTML report is written to, inside the results folder (result files are
/// `*.json`, so it is never read back as one).
pub const HTML_NAME: &str = "team-report.html";

/// How many of the team's latest sessions the overview lists.
pub const RECENT: usize = 50;

pub fn plugin(app: &mut App) {
    app.init_resource::<TeamView>()
        .init_resource::<TeamOverview>()
        .init_resource::<TeamTasks>()
        .add_systems(OnEnter(Screen::Team), open)
        .add_systems(
            Update,
            (collect, (build, keys).run_if(in_state(Screen::Team))),
        )
        .add_observer(on_activate);
}

/// A button that opens the 组长 view (on the picker).
#[derive(Component, Clone, Copy, Debug)]
pub struct OpenTeam;

/// One trainee's line in the overview.
#[derive(Debug, Clone, PartialEq)]
pub struct TraineeRow {
    pub name: String,
    pub sessions: usize,
    pub finished: usize,
    /// Mean total of the finished sessions, one decimal.
    pub average: Option<f64>,
    /// The latest finished session's total.
    pub last: Option<u32>,
    /// The checks passed least, worst first: (label, how often done or committed).
    pub weakest: Vec<(String, String)>,
}

/// One session in a list.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionRow {
    /// Index into [`TeamOverview::entries`].
    pub entry: usize,
    pub trainee: String,
    /// `2024-06-01 08:05`
    pub started: String,
    pub scenario: String,
    pub mode: String,
    pub total: u32,
    pub finished: bool,
    pub outcome: String,
}

/// What the folder holds, as the view shows it.
#[derive(Resource, Default, Debug, Clone)]
pub struct TeamOverview {
    /// The folder these numbers were read from.
    pub dir: PathBuf,
    /// The folder has been read (successfully or not).
    pub loaded: bool,
    /// Why it could not be read.
    pub error: Option<String>,
    /// Files that were not result files.
    pub skipped: Vec<String>,
    pub trainees: Vec<TraineeRow>,
    /// The team's latest sessions, newest first (at most [`RECENT`]).
    pub recent: Vec<SessionRow>,
    /// Every session read, for opening one.
    pub entries: Arc<Vec<Entry>>,
}

impl TeamOverview {
    /// `name`'s sessions, newest first.
    pub fn sessions_of(&self, name: &str) -> Vec<SessionRow> {
        let mut v: Vec<SessionRow> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.record.trainee == name)
            .map(|(i, e)| session_row(i, e))
            .collect();
        v.reverse();
        v
    }
}

/// The view's own state: the folder being shown, the trainee opened, the last message.
#[derive(Resource, Default, Debug, Clone)]
pub struct TeamView {
    /// The folder chosen; None: the window's results folder.
    pub folder: Option<PathBuf>,
    /// The trainee whose sessions are listed; None: the team's latest sessions.
    pub trainee: Option<String>,
    /// What the last action did (written, failed…), and whether it is bad news.
    pub status: Option<(String, bool)>,
}

/// Background work: reading the folder, writing the HTML report.
#[derive(Resource, Default)]
struct TeamTasks {
    read: Option<Task<TeamOverview>>,
    /// The folder being read (for the "reading…" line).
    reading: Option<PathBuf>,
    html: Option<Task<Result<(PathBuf, usize), String>>>,
    /// Frames still to ask for after a change, so a rebuilt screen is laid out and drawn
    /// (the window otherwise sleeps until input).
    more: u32,
}

fn session_row(i: usize, e: &Entry) -> SessionRow {
    let r = &e.record;
    SessionRow {
        entry: i,
        trainee: r.trainee.clone(),
        started: short_time(&r.started),
        scenario: r.scenario.title.clone(),
        mode: r.mode.label().to_string(),
        total: r.total,
        finished: r.finished,
        outcome: outcome_text(r),
    }
}

/// Summarise the sessions read from `dir` (already sorted by trainee, then time).
pub fn summarize(dir: &Path, entries: Vec<Entry>, skipped: Vec<String>) -> TeamOverview {
    let names = labels(&entries);
    let trainees = by_trainee(&entries)
        .iter()
        .map(|t| TraineeRow {
            name: t.name.clone(),
            sessions: t.sessions.len(),
            finished: t.finished,
            average: t.average,
            last: t
                .sessions
                .iter()
                .rev()
                .find(|e| e.record.finished)
                .map(|e| e.record.total),
            weakest: t
                .weakest(3)
                .iter()
                .map(|c| (names[c.index()].clone(), weak_text(*c, t.checks[c.index()])))
                .collect(),
        })
        .collect();
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|a, b| {
        let (ra, rb) = (&entries[*a].record, &entries[*b].record);
        (rb.started_at, &entries[*b].file).cmp(&(ra.started_at, &entries[*a].file))
    });
    let recent = order
        .into_iter()
        .take(RECENT)
        .map(|i| session_row(i, &entries[i]))
        .collect();
    TeamOverview {
        dir: dir.to_path_buf(),
        loaded: true,
        error: None,
        skipped,
        trainees,
        recent,
        entries: Arc::new(entries),
    }
}

/// How a weak check reads: how often an expected step was done (做到 40.0%), or how often a
/// violation was committed (违规率 100.0%) — never a violation beside a low "rate" that
/// reads as good news.
pub fn weak_text(c: CheckId, t: Tally) -> String {
    if c.is_violation() {
        let committed = Tally {
            involved: t.involved,
            passed: t.involved - t.passed,
        };
        fill(s::TEAM_VIOLATION_RATE, &[&committed.rate_text()])
    } else {
        fill(s::TEAM_DONE_RATE, &[&t.rate_text()])
    }
}

/// Read `dir` into an overview (on whatever thread calls it).
pub fn read(dir: &Path) -> TeamOverview {
    let failed = |e: String| TeamOverview {
        dir: dir.to_path_buf(),
        loaded: true,
        error: Some(e),
        ..TeamOverview::default()
    };
    if !dir.is_dir() {
        return failed(fill(s::TEAM_NO_FOLDER, &[&dir.display()]));
    }
    match load(dir, &Filter::default()) {
        Ok((entries, skipped)) => summarize(dir, entries, skipped),
        Err(e) => failed(fill(
            s::TEAM_READ_FAILED,
            &[&format!("{}: {e}", dir.display())],
        )),
    }
}

/// The folder the view shows.
fn folder(view: &TeamView, launch: &Launch) -> PathBuf {
    view.folder
        .clone()
        .unwrap_or_else(|| launch.results.clone())
}

fn start_read(tasks: &mut TeamTasks, dir: PathBuf) {
    tasks.reading = Some(dir.clone());
    tasks.read = Some(AsyncComputeTaskPool::get().spawn(async move { read(&dir) }));
}

/// Opening the view reads its folder afresh (sessions may have been played since).
fn open(view: Res<TeamView>, launch: Res<Launch>, mut tasks: ResMut<TeamTasks>) {
    start_read(&mut tasks, folder(&view, &launch));
}

/// Take finished background work; keep frames coming while any is running.
fn collect(
    mut tasks: ResMut<TeamTasks>,
    mut overview: ResMut<TeamOverview>,
    mut view: ResMut<TeamView>,
    mut redraw: MessageWriter<RequestRedraw>,
) {
    let mut busy = false;
    if view.is_changed() {
        // A trainee chosen, a message shown: the rebuilt view is laid out and drawn over
        // the next frames.
        tasks.more = 3;
    }
    if let Some(task) = tasks.read.as_mut() {
        match check_ready(task) {
            Some(fresh) => {
                tasks.read = None;
                tasks.reading = None;
                // A trainee who is not in the new folder is not shown.
                if let Some(t) = &view.trainee
                    && !fresh.trainees.iter().any(|r| &r.name == t)
                {
                    view.trainee = None;
                }
                *overview = fresh;
                tasks.more = 3;
            }
            None => busy = true,
        }
    }
    if let Some(task) = tasks.html.as_mut() {
        match check_ready(task) {
            Some(done) => {
                tasks.html = None;
                view.status = Some(match done {
                    Ok((path, n)) => (fill(s::TEAM_HTML_WRITTEN, &[&path.display(), &n]), false),
                    Err(e) => (fill(s::TEAM_HTML_FAILED, &[&e]), true),
                });
                tasks.more = 3;
            }
            None => busy = true,
        }
    }
    if busy || tasks.more > 0 {
        tasks.more = tasks.more.saturating_sub(1);
        redraw.write(RequestRedraw);
    }
}

#[derive(Component)]
struct TeamRoot;

/// The folder text box.
#[derive(Component)]
struct FolderInput;

/// What a button of the view does.
#[derive(Component, Clone, Debug, PartialEq)]
pub enum TeamAction {
    Back,
    Load,
    Default,
    OpenFolder,
    WriteHtml,
    OpenHtml,
    Trainee(String),
    AllTrainees,
    Session(usize),
}

fn build(
    mut commands: Commands,
    overview: Res<TeamOverview>,
    view: Res<TeamView>,
    launch: Res<Launch>,
    tasks: Res<TeamTasks>,
    roots: Query<Entity, With<TeamRoot>>,
) {
    if !overview.is_changed() && !view.is_changed() && !roots.is_empty() {
        return;
    }
    for r in &roots {
        commands.entity(r).despawn();
    }
    let dir = folder(&view, &launch);
    commands
        .spawn((TeamRoot, widgets::screen_root(Screen::Team)))
        .with_children(|root| {
            root.spawn(widgets::topbar()).with_children(|bar| {
                bar.spawn(widgets::text(s::TEAM, size::TITLE, palette::ACCENT));
                bar.spawn(widgets::text(
                    s::TEAM_NOTE,
                    size::BODY,
                    palette::TEXT_ON_DARK_DIM,
                ));
                bar.spawn(widgets::spacer());
                bar.spawn(widgets::button(
                    s::TEAM_BACK,
                    ButtonKind::Plain,
                    TeamAction::Back,
                ));
            });
            root.spawn(Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_height: px(0),
                padding: px(20).all(),
                row_gap: px(14),
                ..default()
            })
            .with_children(|body| {
                folder_bar(body, &dir, &view, &overview, tasks.reading.as_deref());
                body.spawn(Node {
                    flex_direction: FlexDirection::Row,
                    flex_grow: 1.0,
                    min_height: px(0),
                    column_gap: px(20),
                    ..default()
                })
                .with_children(|cols| {
                    trainees_panel(cols, &overview, view.trainee.as_deref());
                    sessions_panel(cols, &overview, view.trainee.as_deref());
                });
            });
        });
}

fn folder_bar(
    body: &mut ChildSpawnerCommands,
    dir: &Path,
    view: &TeamView,
    overview: &TeamOverview,
    reading: Option<&Path>,
) {
    body.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::row(8)).with_children(|r| {
            r.spawn(widgets::label(s::TEAM_FOLDER, size::BODY, palette::TEXT));
            r.spawn((
                FolderInput,
                Node {
                    flex_grow: 1.0,
                    min_width: px(120),
                    border: px(1).all(),
                    padding: UiRect::axes(px(8), px(5)),
                    border_radius: BorderRadius::all(px(4)),
                    ..default()
                },
                EditableText::new(dir.to_string_lossy().as_ref()),
                widgets::text_box_style(size::BODY),
            ))
            .observe(on_folder_key);
            r.spawn(widgets::button(
                s::TEAM_LOAD,
                ButtonKind::Primary,
                TeamAction::Load,
            ));
            r.spawn(widgets::button(
                s::TEAM_DEFAULT,
                ButtonKind::Plain,
                TeamAction::Default,
            ));
            r.spawn(widgets::button(
                s::TEAM_OPEN_FOLDER,
                ButtonKind::Plain,
                TeamAction::OpenFolder,
            ));
        });
        p.spawn(Node {
            flex_wrap: FlexWrap::Wrap,
            align_items: AlignItems::Center,
            column_gap: px(8),
            row_gap: px(6),
            ..default()
        })
        .with_children(|r| {
            r.spawn(widgets::button(
                s::TEAM_WRITE_HTML,
                ButtonKind::Plain,
                TeamAction::WriteHtml,
            ));
            r.spawn(widgets::button(
                s::TEAM_OPEN_HTML,
                ButtonKind::Plain,
                TeamAction::OpenHtml,
            ));
            let (line, color) = if let Some(d) = reading {
                (fill(s::TEAM_LOADING, &[&d.display()]), palette::TEXT_DIM)
            } else if let Some(e) = &overview.error {
                (e.clone(), palette::BAD)
            } else if overview.loaded && overview.entries.is_empty() {
                (s::TEAM_NO_SESSIONS.to_string(), palette::TEXT_DIM)
            } else if overview.loaded {
                let mut t = fill(
                    s::TEAM_SUMMARY,
                    &[&overview.trainees.len(), &overview.entries.len()],
                );
                if !overview.skipped.is_empty() {
                    t.push_str(&fill(s::TEAM_SKIPPED, &[&overview.skipped.len()]));
                }
                (t, palette::TEXT)
            } else {
                (String::new(), palette::TEXT_DIM)
            };
            r.spawn(widgets::text(line, size::SMALL, color));
            if let Some((msg, bad)) = &view.status {
                r.spawn(widgets::text(
                    msg.clone(),
                    size::SMALL,
                    if *bad { palette::BAD } else { palette::GOOD },
                ));
            }
        });
    });
}

/// A fixed-width cell on one line.
fn cell(s: impl Into<String>, width: i32, color: Color) -> impl Bundle {
    (
        widgets::label(s, size::BODY, color),
        Node {
            width: px(width),
            flex_shrink: 0.0,
            overflow: Overflow::clip_x(),
            ..default()
        },
        Pickable::IGNORE,
    )
}

/// A scrolling list filling the rest of a panel.
fn scroll_list() -> impl Bundle {
    (
        ScrollArea,
        Node {
            flex_grow: 1.0,
            min_height: px(0),
            flex_direction: FlexDirection::Column,
            row_gap: px(2),
            overflow: Overflow::scroll_y(),
            ..default()
        },
    )
}

/// The layout of a panel that shares a row with another.
fn column_node(grow: f32, min_width: i32) -> Node {
    Node {
        flex_grow: grow,
        flex_basis: px(0),
        min_width: px(min_width),
        flex_direction: FlexDirection::Column,
        padding: px(14).all(),
        row_gap: px(8),
        border: px(1).all(),
        border_radius: BorderRadius::all(px(8)),
        ..default()
    }
}

fn trainees_panel(cols: &mut ChildSpawnerCommands, o: &TeamOverview, chosen: Option<&str>) {
    cols.spawn(widgets::panel())
        .insert(column_node(3.0, 420))
        .with_children(|p| {
            p.spawn(widgets::header(s::TEAM_TRAINEES));
            p.spawn(Node {
                padding: UiRect::axes(px(9), px(0)),
                ..widgets::row(8)
            })
            .with_children(|h| {
                for (t, w) in [
                    (s::TEAM_COL_NAME, 110),
                    (s::TEAM_COL_SESSIONS, 56),
                    (s::TEAM_COL_AVERAGE, 56),
                    (s::TEAM_COL_LAST, 48),
                ] {
                    h.spawn((
                        widgets::label(t, size::SMALL, palette::TEXT_DIM),
                        Node {
                            width: px(w),
                            flex_shrink: 0.0,
                            ..default()
                        },
                    ));
                }
                h.spawn(widgets::label(
                    s::TEAM_COL_WEAKEST,
                    size::SMALL,
                    palette::TEXT_DIM,
                ));
            });
            p.spawn(scroll_list()).with_children(|list| {
                for t in &o.trainees {
                    trainee_row(list, t, chosen == Some(t.name.as_str()));
                }
            });
            p.spawn(widgets::dim(s::TEAM_OPEN_HINT));
        });
}

fn score_text(score: Option<f64>) -> String {
    score
        .map(|a| format!("{a:.1}"))
        .unwrap_or_else(|| s::TEAM_NO_SCORE.into())
}

fn trainee_row(list: &mut ChildSpawnerCommands, t: &TraineeRow, chosen: bool) {
    list.spawn(widgets::clickable(
        if chosen {
            ButtonKind::Card
        } else {
            ButtonKind::Flat
        },
        TeamAction::Trainee(t.name.clone()),
        Node {
            flex_direction: FlexDirection::Row,
            align_items: AlignItems::Center,
            column_gap: px(8),
            padding: UiRect::axes(px(8), px(6)),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(6)),
            flex_shrink: 0.0,
            ..default()
        },
    ))
    .with_children(|r| {
        r.spawn(cell(t.name.clone(), 110, palette::TEXT));
        r.spawn(cell(
            fill(s::TEAM_SESSIONS_COUNT, &[&t.sessions]),
            56,
            palette::TEXT,
        ));
        r.spawn(cell(
            score_text(t.average),
            56,
            t.average
                .map(|a| theme::score_color(a.round() as u32))
                .unwrap_or(palette::TEXT_DIM),
        ));
        r.spawn(cell(
            t.last
                .map(|x| x.to_string())
                .unwrap_or_else(|| s::TEAM_NO_SCORE.into()),
            48,
            t.last.map(theme::score_color).unwrap_or(palette::TEXT_DIM),
        ));
        r.spawn((
            Node {
                flex_grow: 1.0,
                min_width: px(0),
                flex_wrap: FlexWrap::Wrap,
                column_gap: px(6),
                row_gap: px(4),
                ..default()
            },
            Pickable::IGNORE,
        ))
        .with_children(|chips| {
            if t.weakest.is_empty() {
                chips.spawn((
                    widgets::chip(s::TEAM_NONE_WEAK, palette::GOOD, palette::GOOD_SOFT),
                    Pickable::IGNORE,
                ));
            }
            for (label, rate) in &t.weakest {
                chips.spawn((
                    widgets::chip(format!("{label} {rate}"), palette::BAD, palette::BAD_SOFT),
                    Pickable::IGNORE,
                ));
            }
        });
    });
}

fn sessions_panel(cols: &mut ChildSpawnerCommands, o: &TeamOverview, chosen: Option<&str>) {
    let rows = match chosen {
        Some(name) => o.sessions_of(name),
        None => o.recent.clone(),
    };
    cols.spawn(widgets::panel())
        .insert(column_node(2.0, 340))
        .with_children(|p| {
            p.spawn(widgets::row(8)).with_children(|h| {
                match chosen {
                    Some(name) => {
                        h.spawn(widgets::header(fill(s::TEAM_OF, &[&name, &rows.len()])));
                        h.spawn(widgets::spacer());
                        h.spawn(widgets::button(
                            s::TEAM_ALL,
                            ButtonKind::Plain,
                            TeamAction::AllTrainees,
                        ));
                    }
                    None => {
                        h.spawn(widgets::header(s::TEAM_RECENT));
                    }
                };
            });
            p.spawn(scroll_list()).with_children(|list| {
                for row in &rows {
                    session_item(list, row, chosen.is_none());
                }
            });
        });
}

fn session_item(list: &mut ChildSpawnerCommands, row: &SessionRow, with_name: bool) {
    list.spawn(widgets::clickable(
        ButtonKind::Flat,
        TeamAction::Session(row.entry),
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(2),
            padding: UiRect::axes(px(8), px(6)),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(6)),
            flex_shrink: 0.0,
            ..default()
        },
    ))
    .with_children(|b| {
        b.spawn((widgets::row(8), Pickable::IGNORE))
            .with_children(|r| {
                // One line, clipped: a wrapped title is measured taller than it is drawn,
                // and the list would scroll past its end.
                r.spawn((
                    widgets::label(row.scenario.clone(), size::BODY, palette::TEXT),
                    Node {
                        flex_grow: 1.0,
                        min_width: px(0),
                        overflow: Overflow::clip_x(),
                        ..default()
                    },
                    Pickable::IGNORE,
                ));
                let (score, color) = if row.finished {
                    (
                        fill(s::CHAT_SCORE, &[&row.total]),
                        theme::score_color(row.total),
                    )
                } else {
                    (row.outcome.clone(), palette::TEXT_DIM)
                };
                r.spawn((widgets::label(score, size::BODY, color), Pickable::IGNORE));
            });
        // The outcome of an unfinished session is already where its score would be.
        let mut meta = vec![row.started.as_str()];
        if with_name {
            meta.push(&row.trainee);
        }
        meta.push(&row.mode);
        if row.finished {
            meta.push(&row.outcome);
        }
        let meta = meta.join(" · ");
        b.spawn((widgets::dim(meta), Pickable::IGNORE));
    });
}

/// Enter in the folder box reads the folder typed.
fn on_folder_key(
    mut ev: On<FocusedInput<KeyboardInput>>,
    inputs: Query<&EditableText>,
    launch: Res<Launch>,
    mut view: ResMut<TeamView>,
    mut tasks: ResMut<TeamTasks>,
) {
    if !ev.input.state.is_pressed() || ev.input.logical_key != Key::Enter {
        return;
    }
    let Ok(input) = inputs.get(ev.focused_entity) else {
        return;
    };
    if input.is_composing() {
        return;
    }
    ev.propagate(false);
    choose(&input.value().to_string(), &launch, &mut view, &mut tasks);
}

/// Read the folder typed in the box (an empty box is an error, not the default).
fn choose(typed: &str, launch: &Launch, view: &mut TeamView, tasks: &mut TeamTasks) {
    let typed = typed.trim();
    if typed.is_empty() {
        view.status = Some((s::TEAM_EMPTY_PATH.to_string(), true));
        return;
    }
    let dir = PathBuf::from(typed);
    view.folder = (dir != launch.results).then_some(dir.clone());
    view.status = None;
    start_read(tasks, dir);
}

fn keys(
    keys: Res<ButtonInput<KeyCode>>,
    focus: Res<InputFocus>,
    inputs: Query<(), With<FolderInput>>,
    mut next: ResMut<NextState<Screen>>,
) {
    // Esc in the folder box is the box's; elsewhere it goes back to the picker.
    let typing = focus.get().is_some_and(|e| inputs.contains(e));
    if keys.just_pressed(KeyCode::Escape) && !typing {
        next.set(Screen::Picker);
    }
}

#[allow(clippy::too_many_arguments)]
fn on_activate(
    ev: On<Activate>,
    actions: Query<&TeamAction>,
    open_buttons: Query<(), With<OpenTeam>>,
    inputs: Query<&EditableText, With<FolderInput>>,
    launch: Res<Launch>,
    overview: Res<TeamOverview>,
    mut view: ResMut<TeamView>,
    mut tasks: ResMut<TeamTasks>,
    mut data: ResMut<ReportData>,
    mut reviewing: ResMut<Reviewing>,
    mut next: ResMut<NextState<Screen>>,
) {
    if open_buttons.contains(ev.entity) {
        next.set(Screen::Team);
        return;
    }
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    let dir = overview.dir.clone();
    match action {
        TeamAction::Back => next.set(Screen::Picker),
        TeamAction::Load => {
            let typed = inputs
                .single()
                .map(|i| i.value().to_string())
                .unwrap_or_default();
            choose(&typed, &launch, &mut view, &mut tasks);
        }
        TeamAction::Default => {
            view.folder = None;
            view.status = None;
            start_read(&mut tasks, launch.results.clone());
        }
        TeamAction::OpenFolder => {
            let target = folder(&view, &launch);
            if let Err(e) = report::open_folder(&target) {
                view.status = Some((fill(s::TEAM_OPEN_FAILED, &[&e]), true));
            }
        }
        TeamAction::WriteHtml => {
            if !overview.loaded || overview.error.is_some() || tasks.html.is_some() {
                return;
            }
            let entries = overview.entries.as_ref().clone();
            let skipped = overview.skipped.clone();
            view.status = Some((s::TEAM_HTML_WRITING.to_string(), false));
            tasks.html = Some(
                AsyncComputeTaskPool::get()
                    .spawn(async move { write_html(&dir, entries, skipped) }),
            );
        }
        TeamAction::OpenHtml => {
            let path = dir.join(HTML_NAME);
            view.status = if !overview.loaded || !path.is_file() {
                Some((s::TEAM_HTML_MISSING.to_string(), true))
            } else {
                report::open_folder(&path)
                    .err()
                    .map(|e| (fill(s::TEAM_OPEN_FAILED, &[&e]), true))
            };
        }
        TeamAction::Trainee(name) => view.trainee = Some(name.clone()),
        TeamAction::AllTrainees => view.trainee = None,
        TeamAction::Session(i) => {
            let Some(e) = overview.entries.get(*i) else {
                return;
            };
            *data = ReportData {
                record: Some(e.record.clone()),
                result_path: Some(dir.join(&e.file)),
                open_error: None,
            };
            reviewing.0 = true;
            next.set(Screen::Report);
        }
    }
}

/// Render the HTML report of `entries` and write it into `dir`; the path and how many
/// sessions it covers.
pub fn write_html(
    dir: &Path,
    entries: Vec<Entry>,
    skipped: Vec<String>,
) -> Result<(PathBuf, usize), String> {
    let n = entries.len();
    let path = dir.join(HTML_NAME);
    let html = crate::report::render_html(dir, entries, skipped);
    crate::report::write_atomic(&path, html.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((path, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rubric::Rubric;
    use crate::scenario::Scenario;
    use crate::session::store::ResultStore;
    use crate::session::{Mode, Session};

    fn play(sc: &Scenario, trainee: &str, replies: &[&str], results: &Path) {
        let rubric = Rubric::builtin();
        let mut s = Session::start(
            Arc::new(sc.clone()),
            &rubric,
            1,
            trainee,
            Mode::Practice,
            "t",
        );
        for r in replies {
            if s.is_over() {
                break;
            }
            let _ = s.reply(&rubric, r, 1.0);
        }
        let store = ResultStore::create(results, &s.record).expect("result file");
        store.save(&s.record).expect("saved");
    }

    fn scenario() -> Scenario {
        let rubric = Rubric::builtin();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
        let (scenarios, _) = crate::scenario::load_dir(&dir, &rubric);
        scenarios
            .into_iter()
            .find(|s| s.id == "complaint-broken-dishes")
            .expect("shipped scenario")
    }

    fn folder_with_two_trainees(name: &str) -> PathBuf {
        let results =
            std::env::temp_dir().join(format!("peilian-team-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&results);
        let sc = scenario();
        play(&sc, "小王", &["哦", "知道了", "你自己看详情页"], &results);
        play(&sc, "小王", &["哦"], &results);
        play(
            &sc,
            "小李",
            &["您好，非常抱歉给您添麻烦了！我马上帮您查一下，请您稍等。"],
            &results,
        );
        // Not a result file: skipped and counted, not fatal.
        std::fs::write(results.join("notes.json"), "{}").expect("write");
        results
    }

    #[test]
    fn the_overview_says_who_is_weak_at_what() {
        let dir = folder_with_two_trainees("summary");
        let o = read(&dir);
        assert!(o.error.is_none(), "{:?}", o.error);
        assert_eq!(o.skipped.len(), 1, "{:?}", o.skipped);
        assert_eq!(o.entries.len(), 3);
        let names: Vec<&str> = o.trainees.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["小李", "小王"]);
        let wang = &o.trainees[1];
        assert_eq!(wang.sessions, 2);
        assert!(
            !wang.weakest.is_empty() && wang.weakest.len() <= 3,
            "{wang:?}"
        );
        assert!(
            wang.weakest
                .iter()
                .all(|(l, r)| !l.is_empty() && r.ends_with('%'))
        );
        assert_eq!(o.recent.len(), 3);
        assert_eq!(o.sessions_of("小王").len(), 2);
        assert!(o.sessions_of("小王").iter().all(|r| r.trainee == "小王"));
        assert!(o.sessions_of("没有这个人").is_empty());

        let missing = read(&dir.join("no-such-folder"));
        assert!(missing.loaded && missing.error.is_some() && missing.entries.is_empty());

        // The HTML report is written where it says, and covers every session.
        let (path, n) =
            write_html(&dir, o.entries.as_ref().clone(), o.skipped.clone()).expect("written");
        assert_eq!((path.clone(), n), (dir.join(HTML_NAME), 3));
        let html = std::fs::read_to_string(&path).expect("read back");
        assert!(html.contains("小王") && html.contains("小李") && html.contains("</html>"));
        // Writing it does not make the folder read differently.
        assert_eq!(read(&dir).entries.len(), 3);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn weak_checks_read_as_done_or_committed() {
        let t = Tally {
            involved: 4,
            passed: 1,
        };
        assert_eq!(weak_text(CheckId::Greeting, t), "做到 25.0%");
        assert_eq!(weak_text(CheckId::OverPromise, t), "违规率 75.0%");
    }

    /// The plugin in a headless App: opening the view reads the folder on the task pool and
    /// the overview arrives a few updates later.
    #[test]
    fn the_overview_arrives_from_the_task_pool() {
        let dir = folder_with_two_trainees("app");
        let mut app = App::new();
        app.add_plugins((MinimalPlugins, bevy::state::app::StatesPlugin))
            .add_message::<RequestRedraw>()
            .init_state::<Screen>()
            .init_resource::<ReportData>()
            .init_resource::<Reviewing>()
            .init_resource::<InputFocus>()
            .init_resource::<ButtonInput<KeyCode>>()
            .insert_resource(Launch {
                trainee: "组长".into(),
                seed: None,
                mode: Mode::Practice,
                results: dir.clone(),
                scripted: true,
            })
            .add_plugins(plugin);
        app.update();
        assert!(!app.world().resource::<TeamOverview>().loaded);
        app.world_mut()
            .resource_mut::<NextState<Screen>>()
            .set(Screen::Team);
        let mut updates = 0;
        while !app.world().resource::<TeamOverview>().loaded && updates < 500 {
            app.update();
            updates += 1;
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        let o = app.world().resource::<TeamOverview>().clone();
        assert!(o.loaded, "the overview arrived (after {updates} updates)");
        assert_eq!(o.trainees.len(), 2, "{o:?}");
        assert_eq!(o.dir, dir);
        // The screen was built from it: one row per trainee.
        app.update();
        let rows = app
            .world_mut()
            .query::<&TeamAction>()
            .iter(app.world())
            .filter(|a| matches!(a, TeamAction::Trainee(_)))
            .count();
        assert_eq!(rows, 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
