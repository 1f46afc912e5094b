//! The 组长 view and the report screen in a real window under Xvfb (Mesa's software Vulkan),
//! at 1024×700 and 1920×1080, on a results folder of three trainees made here (one reply
//! carries emoji): the picker's 组长视图 button opens the view, the overview arrives, a
//! trainee's sessions open, one session's report opens; at every stop nothing outside a
//! scrolling list lies beyond the window, and a screenshot is taken (checked not blank).
//! Skipped, with a note, only when Xvfb is not installed (`.ci/run` installs it).
//! `PEILIAN_KEEP_SHOTS=1 cargo test --test window_team -- --nocapture` keeps the screenshots.

use bevy::camera::NormalizedRenderTarget;
use bevy::ecs::system::SystemParam;
use bevy::input::mouse::MouseScrollUnit;
use bevy::input::touch::TouchPhase;
use bevy::input_focus::tab_navigation::TabNavigationPlugin;
use bevy::picking::pointer::{Location, PointerAction, PointerId, PointerInput};
use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured};
use bevy::ui::ScrollPosition;
use bevy::ui::{ComputedNode, UiGlobalTransform};
use bevy::ui_widgets::{Activate, ScrollArea};
use bevy::window::{PrimaryWindow, WindowRef, WindowResolution};
use bevy::winit::WinitPlugin;
use peilian::rubric::Rubric;
use peilian::session::store::ResultStore;
use peilian::session::{Mode, Session};
use peilian::ui::chat::model::ReportData;
use peilian::ui::report::Reviewing;
use peilian::ui::team::{OpenTeam, TeamAction, TeamOverview, TeamView};
use peilian::ui::{Launch, Screen};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod xvfb;
use xvfb::Xvfb;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The emoji reply, so the report shows them drawn (not as boxes).
const EMOJI_REPLY: &str = "亲，您好😊！非常抱歉给您添麻烦了🙏，我马上帮您处理，请您放心👍❤️";

/// A reply that stands for "answer as the course would": the node's first model answer.
const MODEL: &str = "<model>";

/// How many trainees and sessions [`fixture`] writes.
const TRAINEES: usize = 13;
const SESSIONS: usize = 17;

/// A results folder with thirteen trainees' sessions of shipped scenarios, some played through
/// with the model answers, some cut short with poor replies.
fn fixture(dir: &Path) {
    let rubric = Rubric::builtin();
    let (scenarios, _) = peilian::scenario::load_dir(&root().join("scenarios"), &rubric);
    let find = |id: &str| {
        Arc::new(
            scenarios
                .iter()
                .find(|s| s.id == id)
                .unwrap_or_else(|| panic!("shipped scenario {id}"))
                .clone(),
        )
    };
    let plays: &[(&str, &str, &[&str])] = &[
        (
            "王小明",
            "complaint-broken-dishes",
            &[
                EMOJI_REPLY,
                "这个我保证明天肯定给您解决，详情页写得很清楚，您自己没看。",
            ],
        ),
        (
            "王小明",
            "haggler-phone-case",
            &["哦", "知道了", "你自己看详情页"],
        ),
        (
            "王小明",
            "hesitant-airfryer",
            &[MODEL, MODEL, "随便你", MODEL, MODEL, MODEL, MODEL, MODEL],
        ),
        ("李晓华", "complaint-late-delivery", &[MODEL; 10]),
        (
            "李晓华",
            "skeptic-face-cream",
            &["在的", MODEL, "好的", MODEL, MODEL, MODEL, MODEL, MODEL],
        ),
        ("张伟", "hesitant-dress", &[MODEL; 10]),
        (
            "张伟",
            "returner-sneakers",
            &[MODEL, "不行", MODEL, MODEL, MODEL, MODEL, MODEL, MODEL],
        ),
        // Enough of a team that both lists are longer than the window at 1024×700.
        ("陈静", "haggler-down-jacket", &[MODEL, MODEL]),
        ("刘洋", "skeptic-jeans", &["在", MODEL]),
        ("赵磊", "hesitant-dress", &[MODEL]),
        ("孙丽", "complaint-late-delivery", &["您好", "我们查一下"]),
        ("周杰", "haggler-phone-case", &[MODEL, MODEL, MODEL]),
        ("吴敏", "returner-sneakers", &["可以退"]),
        ("郑浩", "skeptic-face-cream", &[MODEL]),
        ("冯雪", "hesitant-airfryer", &[MODEL, "随便"]),
        ("何平", "complaint-broken-dishes", &[MODEL]),
        ("高峰", "haggler-down-jacket", &["最低了"]),
    ];
    let now = peilian::session::now_unix();
    for (i, (who, id, replies)) in plays.iter().enumerate() {
        let mut s = Session::start(find(id), &rubric, i as u64 + 1, who, Mode::Practice, "test");
        for r in *replies {
            if s.is_over() {
                break;
            }
            let reply = if *r == MODEL {
                s.current_node()
                    .model_answers
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "您好，请问有什么可以帮您？".into())
            } else {
                r.to_string()
            };
            let _ = s.reply(&rubric, &reply, 3.0);
        }
        // Distinct start times over the last days, oldest first.
        s.record.started_at = now - (plays.len() - i) as u64 * 7 * 3600;
        s.record.started = peilian::session::rfc3339(s.record.started_at);
        let store = ResultStore::create(dir, &s.record).expect("result file");
        store.save(&s.record).expect("saved");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Picker,
    Overview,
    Html,
    Scroll(u32),
    Trainee,
    Report,
    Resize,
    Done,
}

/// Where the script is and what it saw.
#[derive(Resource)]
struct Script {
    shots: PathBuf,
    /// (width, height) in turn.
    sizes: Vec<(u32, u32)>,
    size: usize,
    step: Step,
    wait: u32,
    frames: u32,
    /// Name, width, height, distinct colours of each screenshot taken.
    taken: Vec<(String, u32, u32, usize)>,
    requested: usize,
    /// Nodes found outside the window, by screen.
    overflow: Vec<String>,
    /// The overview's trainee count when it arrived.
    trainees: usize,
    /// What the wheel did to each list, and whether a list failed to show its last row.
    scrolled: Vec<String>,
    scroll_failed: bool,
    /// The 组长 view's message after 生成 HTML 报告, and whether it was bad news.
    html: Option<(String, bool)>,
    /// The overview has been seen built and given frames to settle.
    settled: bool,
    /// What the test reads after the window has closed (the app is consumed by `run`).
    out: Arc<Mutex<Outcome>>,
}

#[derive(Debug, Default, Clone)]
struct Outcome {
    step: Option<String>,
    taken: Vec<(String, u32, u32, usize)>,
    overflow: Vec<String>,
    trainees: usize,
    html: Option<(String, bool)>,
    scrolled: Vec<String>,
    scroll_failed: bool,
}

fn publish(s: &Script) {
    if let Ok(mut o) = s.out.lock() {
        *o = Outcome {
            step: Some(format!("{:?}", s.step)),
            taken: s.taken.clone(),
            overflow: s.overflow.clone(),
            trainees: s.trainees,
            html: s.html.clone(),
            scrolled: s.scrolled.clone(),
            scroll_failed: s.scroll_failed,
        };
    }
}

const SETTLE: u32 = 12;

fn shoot(commands: &mut Commands, s: &mut Script, name: &str) {
    let (w, h) = s.sizes[s.size];
    let name = format!("{name}-{w}x{h}");
    let path = s.shots.join(format!("{name}.png"));
    s.requested += 1;
    let mut save = bevy::render::view::screenshot::save_to_disk(path);
    commands.spawn(Screenshot::primary_window()).observe(
        move |captured: On<ScreenshotCaptured>, mut script: ResMut<Script>| {
            let img = &captured.image;
            let colours: std::collections::HashSet<&[u8]> =
                img.data.as_deref().unwrap_or_default().chunks(4).collect();
            let entry = (name.clone(), img.width(), img.height(), colours.len());
            save(captured);
            script.taken.push(entry);
        },
    );
}

/// Every laid-out node that is not inside a scrolling list lies inside the window.
fn check_overflow(
    s: &mut Script,
    screen: &str,
    window: &Window,
    nodes: &Query<(Entity, &ComputedNode, &UiGlobalTransform)>,
    parents: &Query<&ChildOf>,
    scrolls: &Query<(), With<ScrollArea>>,
) {
    let (w, h) = (
        window.physical_width() as f32,
        window.physical_height() as f32,
    );
    for (e, node, t) in nodes {
        let size = node.size();
        if size.x <= 0.0 || size.y <= 0.0 {
            continue;
        }
        let in_scroll =
            std::iter::successors(Some(e), |x| parents.get(*x).ok().map(|p| p.parent()))
                .any(|x| scrolls.contains(x));
        if in_scroll {
            continue;
        }
        let c = t.translation;
        let (l, r, top, b) = (
            c.x - size.x / 2.0,
            c.x + size.x / 2.0,
            c.y - size.y / 2.0,
            c.y + size.y / 2.0,
        );
        if l < -0.5 || top < -0.5 || r > w + 0.5 || b > h + 0.5 {
            s.overflow.push(format!(
                "{screen} at {w}x{h}: node {e} spans x {l:.0}..{r:.0}, y {top:.0}..{b:.0}"
            ));
        }
    }
}

/// What turning the mouse wheel over a list needs.
#[derive(SystemParam)]
struct Wheel<'w, 's> {
    lists: Query<'w, 's, Entity, With<ScrollArea>>,
    children: Query<'w, 's, &'static Children>,
    positions: Query<'w, 's, &'static ScrollPosition>,
    primary: Query<'w, 's, Entity, With<PrimaryWindow>>,
    pointer: MessageWriter<'w, PointerInput>,
}

/// After the wheel: each list has moved, and its last row ends the list's visible area.
fn check_scrolled(
    s: &mut Script,
    lists: &[Entity],
    nodes: &Query<(Entity, &ComputedNode, &UiGlobalTransform)>,
    children: &Query<&Children>,
    positions: &Query<&ScrollPosition>,
) {
    let rect = |e: Entity| {
        nodes.get(e).ok().map(|(_, n, t)| {
            let (c, h) = (t.translation, n.size());
            (c.y - h.y / 2.0, c.y + h.y / 2.0)
        })
    };
    for list in lists {
        let y = positions.get(*list).map(|p| p.y).unwrap_or(0.0);
        let overflows = nodes
            .get(*list)
            .is_ok_and(|(_, n, _)| n.content_size().y > n.size().y + 1.0);
        let last = children.get(*list).ok().and_then(|c| c.last().copied());
        let (Some(last), Some((top, bottom))) = (last, rect(*list)) else {
            s.scrolled.push(format!("list {list}: no rows"));
            s.scroll_failed = true;
            continue;
        };
        let Some((row_top, row_bottom)) = rect(last) else {
            s.scroll_failed = true;
            continue;
        };
        s.scrolled.push(format!(
            "list {list} (longer than its area: {overflows}): scrolled {y:.0} px; last row {row_top:.0}..{row_bottom:.0} in {top:.0}..{bottom:.0}"
        ));
        // Scrolled to its end, a list longer than its area ends with its last row: not cut
        // off, and not followed by empty space (a list that scrolls past its end). A list
        // that fits shows its last row where it is.
        let cut = row_bottom > bottom + 1.0 || row_top < top - 1.0;
        if cut || (overflows && (y <= 0.0 || row_bottom < bottom - 24.0)) {
            s.scroll_failed = true;
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn drive(
    mut commands: Commands,
    mut script: ResMut<Script>,
    state: Res<State<Screen>>,
    overview: Res<TeamOverview>,
    report: Res<ReportData>,
    reviewing: Res<Reviewing>,
    mut view: ResMut<TeamView>,
    mut next: ResMut<NextState<Screen>>,
    mut windows: Query<&mut Window, With<PrimaryWindow>>,
    open: Query<Entity, With<OpenTeam>>,
    actions: Query<(Entity, &TeamAction)>,
    nodes: Query<(Entity, &ComputedNode, &UiGlobalTransform)>,
    parents: Query<&ChildOf>,
    scrolls: Query<(), With<ScrollArea>>,
    mut wheel: Wheel,
    mut exit: MessageWriter<AppExit>,
) {
    let s = &mut *script;
    s.frames += 1;
    if s.frames > 3000 {
        eprintln!("stuck at {:?}", s.step);
        publish(s);
        exit.write(AppExit::from_code(3));
        return;
    }
    if s.wait > 0 {
        s.wait -= 1;
        return;
    }
    let Ok(mut window) = windows.single_mut() else {
        return;
    };
    let (w, h) = s.sizes[s.size.min(s.sizes.len() - 1)];
    if window.physical_width() != w || window.physical_height() != h {
        // Wait for the resize to take effect.
        s.wait = 2;
        return;
    }
    let screen = *state.get();
    match s.step {
        Step::Picker => {
            if screen != Screen::Picker {
                return;
            }
            // The picker's 组长视图 button, clicked as a user would.
            let Some(button) = open.iter().next() else {
                return;
            };
            commands.trigger(Activate { entity: button });
            s.step = Step::Overview;
        }
        Step::Overview => {
            let rows = actions
                .iter()
                .filter(|(_, a)| matches!(a, TeamAction::Trainee(_)))
                .count();
            if screen != Screen::Team || !overview.loaded || rows != overview.trainees.len() {
                return;
            }
            if !s.settled {
                // Built this frame: let it be laid out and drawn first.
                s.settled = true;
                s.wait = SETTLE;
                return;
            }
            s.settled = false;
            s.trainees = overview.trainees.len();
            check_overflow(s, "overview", &window, &nodes, &parents, &scrolls);
            shoot(&mut commands, s, "team");
            if s.size == 0 {
                // Write the HTML report with the view's button; the trainee comes after.
                let Some((button, _)) = actions.iter().find(|(_, a)| **a == TeamAction::WriteHtml)
                else {
                    publish(s);
                    exit.write(AppExit::from_code(6));
                    return;
                };
                commands.trigger(Activate { entity: button });
                s.step = Step::Html;
                return;
            }
            s.step = Step::Html;
        }
        Step::Html => {
            if s.size == 0 {
                // The view says it was written only once it was.
                let Some((msg, bad)) = &view.status else {
                    return;
                };
                if msg.contains("正在") {
                    return;
                }
                if s.html.is_none() {
                    // The view is rebuilt with the message: let it settle, then scroll.
                    s.html = Some((msg.clone(), *bad));
                    s.wait = SETTLE;
                    s.step = Step::Scroll(0);
                    return;
                }
            }
            // Open the trainee with the most sessions through their row.
            let target = overview
                .trainees
                .iter()
                .max_by_key(|t| t.sessions)
                .map(|t| t.name.clone());
            let row = actions
                .iter()
                .find(|(_, a)| matches!(a, TeamAction::Trainee(n) if Some(n) == target.as_ref()));
            let Some((row, _)) = row else {
                publish(s);
                exit.write(AppExit::from_code(4));
                return;
            };
            commands.trigger(Activate { entity: row });
            s.step = Step::Trainee;
            s.wait = SETTLE;
        }
        Step::Scroll(n) => {
            // Each list of the screen, left to right: point at it, then turn the wheel down.
            let mut lists: Vec<Entity> = wheel.lists.iter().collect();
            let x = |e: &Entity| {
                nodes
                    .get(*e)
                    .map(|(_, _, t)| t.translation.x)
                    .unwrap_or(0.0)
            };
            lists.sort_by(|a, b| x(a).total_cmp(&x(b)));
            let list = n as usize / 2;
            if list >= lists.len() {
                check_scrolled(s, &lists, &nodes, &wheel.children, &wheel.positions);
                if screen == Screen::Report {
                    shoot(&mut commands, s, "report-scrolled");
                    s.step = Step::Resize;
                } else {
                    shoot(&mut commands, s, "team-scrolled");
                    s.step = Step::Html;
                }
                s.wait = SETTLE;
                return;
            }
            let Ok((_, _, t)) = nodes.get(lists[list]) else {
                return;
            };
            let Some(target) = WindowRef::Primary.normalize(wheel.primary.iter().next()) else {
                return;
            };
            let location = Location {
                target: NormalizedRenderTarget::Window(target),
                position: t.translation / window.scale_factor(),
            };
            let action = if n % 2 == 0 {
                PointerAction::Move { delta: Vec2::ZERO }
            } else {
                PointerAction::Scroll {
                    unit: MouseScrollUnit::Line,
                    x: 0.0,
                    y: -40.0,
                    phase: TouchPhase::Moved,
                }
            };
            wheel
                .pointer
                .write(PointerInput::new(PointerId::Mouse, location, action));
            s.step = Step::Scroll(n + 1);
            s.wait = 4;
        }
        Step::Trainee => {
            if view.trainee.is_none() {
                return;
            }
            check_overflow(s, "trainee", &window, &nodes, &parents, &scrolls);
            shoot(&mut commands, s, "team-trainee");
            // Open their oldest session (the one with emoji): the last in the newest-first list.
            let oldest = actions
                .iter()
                .filter_map(|(e, a)| match a {
                    TeamAction::Session(i) => Some((e, *i)),
                    _ => None,
                })
                .min_by_key(|(_, i)| *i);
            let Some((button, _)) = oldest else {
                publish(s);
                exit.write(AppExit::from_code(5));
                return;
            };
            commands.trigger(Activate { entity: button });
            s.step = Step::Report;
            s.wait = SETTLE;
        }
        Step::Report => {
            if screen != Screen::Report || !reviewing.0 || report.record.is_none() {
                return;
            }
            check_overflow(s, "report", &window, &nodes, &parents, &scrolls);
            shoot(&mut commands, s, "report");
            // At the laptop size, scroll the report's two columns to their ends; then (after
            // the screenshots are taken) the window changes size.
            s.step = if s.size == 0 {
                Step::Scroll(0)
            } else {
                Step::Resize
            };
            s.wait = SETTLE;
        }
        Step::Resize => {
            if s.taken.len() < s.requested {
                return;
            }
            s.size += 1;
            if s.size < s.sizes.len() {
                // Again at the next size, from the team view.
                let (w, h) = s.sizes[s.size];
                window.resolution.set(w as f32, h as f32);
                view.trainee = None;
                next.set(Screen::Team);
                s.step = Step::Overview;
                s.wait = SETTLE;
            } else {
                s.step = Step::Done;
            }
        }
        Step::Done => {
            if s.taken.len() >= s.requested {
                publish(s);
                exit.write(AppExit::Success);
            }
        }
    }
}

#[test]
fn the_team_view_and_report_hold_at_laptop_and_desktop_sizes() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    // The only test in this binary: nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("DISPLAY", &x.display);
        std::env::remove_var("WAYLAND_DISPLAY");
    }
    let base = std::env::temp_dir().join(format!("peilian-window-team-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let results = base.join("results");
    let shots = base.join("shots");
    std::fs::create_dir_all(&shots).expect("shots dir");
    fixture(&results);

    let out = Arc::new(Mutex::new(Outcome::default()));
    let rubric = Rubric::builtin();
    let catalog = peilian::ui::catalog::Catalog::load(&root().join("scenarios"), &rubric, None);
    let mut app = App::new();
    app.set_error_handler(bevy::ecs::error::warn);
    app.add_plugins(
        DefaultPlugins
            .set(WindowPlugin {
                primary_window: Some(Window {
                    title: "peilian window_team test".into(),
                    resolution: WindowResolution::new(1024, 700).with_scale_factor_override(1.0),
                    ..default()
                }),
                ..default()
            })
            .set(WinitPlugin {
                run_on_any_thread: true,
            })
            .set(bevy::log::LogPlugin {
                filter: "warn,wgpu=error,naga=warn".into(),
                ..default()
            }),
    )
    .add_plugins(TabNavigationPlugin)
    .insert_resource(Launch {
        trainee: "组长".into(),
        seed: None,
        mode: Mode::Practice,
        results: results.clone(),
        scripted: true,
    })
    .insert_resource(catalog)
    .init_resource::<peilian::ui::chat::model::ChatModel>()
    .init_resource::<peilian::ui::drill::DrillState>()
    .init_resource::<peilian::ui::progress::MyProgress>()
    .add_message::<peilian::ui::BeginPractice>()
    .add_message::<peilian::ui::drill::StartDrill>()
    .insert_resource(bevy::winit::WinitSettings::continuous())
    .init_state::<Screen>()
    .add_plugins((
        peilian::ui::theme::plugin,
        peilian::ui::emoji::plugin,
        peilian::ui::widgets::plugin,
        peilian::ui::picker::plugin,
        peilian::ui::report::plugin,
        peilian::ui::team::plugin,
        peilian::ui::scrollbar::plugin,
    ))
    .insert_resource(Script {
        shots: shots.clone(),
        sizes: vec![(1024, 700), (1920, 1080)],
        size: 0,
        step: Step::Picker,
        wait: SETTLE,
        frames: 0,
        taken: Vec::new(),
        requested: 0,
        overflow: Vec::new(),
        trainees: 0,
        html: None,
        scrolled: Vec::new(),
        scroll_failed: false,
        settled: false,
        out: Arc::clone(&out),
    })
    .add_systems(Update, drive);
    let exit = app.run();
    let script = out.lock().expect("outcome").clone();
    assert_eq!(
        exit,
        AppExit::Success,
        "the script stopped at {:?}",
        script.step
    );
    assert_eq!(script.trainees, TRAINEES, "the overview has every trainee");
    // The team view's two lists, then the report's two columns.
    assert_eq!(script.scrolled.len(), 4, "{:?}", script.scrolled);
    assert!(
        !script.scroll_failed,
        "the wheel brings each list's last row into view: {:?}",
        script.scrolled
    );
    let html = results.join(peilian::ui::team::HTML_NAME);
    let (msg, bad) = script.html.clone().expect("a message after 生成 HTML 报告");
    assert!(!bad && html.is_file(), "{msg}");
    assert!(
        msg.contains(&html.display().to_string()) && msg.contains(&SESSIONS.to_string()),
        "{msg}"
    );
    let page = std::fs::read_to_string(&html).expect("the report");
    for who in ["王小明", "李晓华", "张伟"] {
        assert!(page.contains(who), "{who} in the HTML report");
    }
    assert_eq!(script.taken.len(), 8, "{:?}", script.taken);
    for (name, w, h, colours) in &script.taken {
        assert!(name.ends_with(&format!("{w}x{h}")), "{name} is {w}x{h}");
        assert!(*colours > 50, "{name} looks blank ({colours} colours)");
        assert!(
            shots.join(format!("{name}.png")).is_file(),
            "{name}.png saved"
        );
    }
    assert!(
        script.overflow.is_empty(),
        "laid out beyond the window:\n{}",
        script.overflow.join("\n")
    );
    println!("screenshots: {}", shots.display());
    if std::env::var_os("PEILIAN_KEEP_SHOTS").is_none() {
        let _ = std::fs::remove_dir_all(&base);
    }
}
