//! The scenario picker: every scenario with its persona type, difficulty and brief, the
//! choice between 教练模式 and 考核模式, and the drill plans (训练计划) a team lead hands out.

use super::catalog::Catalog;
use super::drill::{self, DrillState, StartDrill};
use super::progress::MyProgress;
use super::strings::{self as s, fill};
use super::theme::{palette, size};
use super::widgets::{self, ButtonKind};
use super::{BeginPractice, Launch, Screen};
use crate::scenario::Scenario;
use crate::session::Mode;
use bevy::input_focus::AutoFocus;
use bevy::prelude::*;
use bevy::ui_widgets::{Activate, ScrollArea};
use std::sync::Arc;

pub fn plugin(app: &mut App) {
    app.add_systems(Update, build.run_if(in_state(Screen::Picker)))
        .add_observer(on_activate);
}

#[derive(Component)]
struct PickerRoot;

#[derive(Component, Clone, Copy, Debug)]
pub(super) enum PickerAction {
    Start(usize),
    Drill(usize),
    Mode(Mode),
    /// Show the scenario folder in the file manager (its path is no business of the screen).
    OpenFolder,
    /// Play every scenario in this shop profile (index into `Catalog::shops`), or in each
    /// scenario's own shop.
    Shop(Option<usize>),
}

fn stars(difficulty: u8) -> String {
    let d = difficulty.min(5) as usize;
    format!("{}{}", s::STAR_ON.repeat(d), s::STAR_OFF.repeat(5 - d))
}

/// (Re)build the picker when it opens and whenever the catalog changes.
fn build(
    mut commands: Commands,
    catalog: Res<Catalog>,
    launch: Res<Launch>,
    drills: Res<DrillState>,
    progress: Res<MyProgress>,
    roots: Query<Entity, With<PickerRoot>>,
) {
    if !catalog.is_changed() && !drills.is_changed() && !progress.is_changed() && !roots.is_empty()
    {
        return;
    }
    for r in &roots {
        commands.entity(r).despawn();
    }
    commands
        .spawn((PickerRoot, widgets::screen_root(Screen::Picker)))
        .with_children(|root| {
            topbar(root, &launch);
            root.spawn(Node {
                flex_direction: FlexDirection::Row,
                flex_grow: 1.0,
                min_height: px(0),
                padding: px(24).all(),
                column_gap: px(24),
                ..default()
            })
            .with_children(|body| {
                sidebar(body, &launch, &catalog, &drills);
                scenario_list(body, &catalog, &progress);
            });
        });
}

fn topbar(root: &mut ChildSpawnerCommands, launch: &Launch) {
    root.spawn(widgets::topbar()).with_children(|bar| {
        bar.spawn(widgets::text(s::APP_NAME, size::TITLE, palette::BRAND));
        bar.spawn(widgets::text(
            s::APP_TAGLINE,
            size::BODY,
            palette::TEXT_ON_DARK_DIM,
        ));
        bar.spawn(widgets::spacer());
        bar.spawn((
            widgets::Probe::new("team"),
            widgets::button(s::TEAM_OPEN, ButtonKind::Plain, super::team::OpenTeam),
        ));
        bar.spawn(widgets::text(
            fill(s::PICKER_TRAINEE, &[&launch.trainee]),
            size::BODY,
            palette::TEXT_ON_DARK,
        ));
    });
}

fn sidebar(
    body: &mut ChildSpawnerCommands,
    launch: &Launch,
    catalog: &Catalog,
    drills: &DrillState,
) {
    body.spawn((
        ScrollArea,
        Node {
            width: px(320),
            flex_shrink: 0.0,
            flex_direction: FlexDirection::Column,
            row_gap: px(16),
            overflow: Overflow::scroll_y(),
            padding: px(3).all(),
            ..default()
        },
    ))
    .with_children(|side| {
        side.spawn(widgets::panel()).with_children(|p| {
            p.spawn(widgets::header(s::PICKER_MODE));
            for (mode, note) in [
                (Mode::Practice, s::MODE_PRACTICE_NOTE),
                (Mode::Exam, s::MODE_EXAM_NOTE),
            ] {
                let kind = if launch.mode == mode {
                    ButtonKind::Selected
                } else {
                    ButtonKind::Plain
                };
                p.spawn(widgets::button(
                    mode.label(),
                    kind,
                    PickerAction::Mode(mode),
                ));
                p.spawn(widgets::dim(note));
            }
        });
        if !catalog.shops.is_empty() {
            shop_panel(side, catalog);
        }
        if !catalog.plans.is_empty() || drills.error.is_some() {
            drill_panel(side, catalog, drills);
        }
        side.spawn(widgets::panel()).with_children(|p| {
            let who = if launch.seed.is_some() {
                s::PICKER_SEED_FIXED
            } else {
                s::PICKER_SEED_RANDOM
            };
            p.spawn(widgets::dim(fill(s::PICKER_SEED, &[&who])));
            p.spawn(widgets::dim(s::PICKER_HINT));
        });
        if catalog.reloaded {
            side.spawn(widgets::text(
                fill(s::PICKER_RELOADED, &[&catalog.scenarios.len()]),
                size::SMALL,
                palette::GOOD,
            ));
        }
    });
}

/// 店铺: which shop the customers buy from — a team's own shop profile, or each scenario's
/// default.
fn shop_panel(side: &mut ChildSpawnerCommands, catalog: &Catalog) {
    side.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::header(s::PICKER_SHOP));
        let chosen = catalog.shop.as_ref().map(|c| c.id.as_str());
        let kind = |on: bool| {
            if on {
                ButtonKind::Selected
            } else {
                ButtonKind::Plain
            }
        };
        p.spawn((
            widgets::Probe::new("shop-default"),
            widgets::button(
                s::PICKER_SHOP_DEFAULT,
                kind(chosen.is_none()),
                PickerAction::Shop(None),
            ),
        ));
        for (i, shop) in catalog.shops.iter().enumerate() {
            let label = if shop.platform.is_empty() {
                shop.name.clone()
            } else {
                format!("{}（{}）", shop.name, shop.platform)
            };
            p.spawn((
                widgets::Probe::new(format!("shop-{i}")),
                widgets::button(
                    label,
                    kind(chosen == Some(shop.id.as_str())),
                    PickerAction::Shop(Some(i)),
                ),
            ));
        }
        if !catalog.not_stocked.is_empty() {
            p.spawn(widgets::dim(fill(
                s::PICKER_SHOP_NOT_STOCKED,
                &[&catalog.not_stocked.len()],
            )));
        }
        if catalog.plans_not_stocked > 0 {
            p.spawn(widgets::dim(fill(
                s::PICKER_SHOP_PLANS_NOT_STOCKED,
                &[&catalog.plans_not_stocked],
            )));
        }
    });
}

/// 我的进度: recent scores, the weakest checks, and the scenarios that train them.
fn progress_panel(col: &mut ChildSpawnerCommands, catalog: &Catalog, p: &MyProgress) {
    col.spawn(widgets::panel()).with_children(|panel| {
        panel.spawn(widgets::wrap_row(10)).with_children(|r| {
            r.spawn(widgets::header(s::PROGRESS));
            if p.sessions > 0 {
                let average = p
                    .average
                    .map(|a| format!("{a:.1}"))
                    .unwrap_or_else(|| "—".into());
                r.spawn(widgets::dim(fill(
                    s::PROGRESS_SUMMARY,
                    &[&p.sessions, &p.finished, &average],
                )));
            }
            if !p.recent.is_empty() {
                let recent: Vec<String> = p.recent.iter().map(u32::to_string).collect();
                r.spawn(widgets::dim(fill(
                    s::PROGRESS_RECENT,
                    &[&recent.join(" → ")],
                )));
            }
        });
        if p.sessions == 0 {
            panel.spawn(widgets::dim(s::PROGRESS_EMPTY));
            return;
        }
        if p.weakest.is_empty() {
            panel.spawn(widgets::text(
                s::PROGRESS_ALL_GOOD,
                size::SMALL,
                palette::GOOD,
            ));
            return;
        }
        panel.spawn(widgets::wrap_row(8)).with_children(|r| {
            r.spawn(widgets::text(
                s::PROGRESS_WEAKEST,
                size::SMALL,
                palette::TEXT,
            ));
            for (label, rate) in &p.weakest {
                r.spawn(widgets::chip(
                    format!("{label} {rate}"),
                    palette::BAD,
                    palette::BAD_SOFT,
                ));
            }
        });
        panel.spawn(widgets::wrap_row(8)).with_children(|r| {
            r.spawn(widgets::text(s::PROGRESS_TRY, size::SMALL, palette::TEXT));
            for id in &p.recommended {
                let Some(i) = catalog.scenarios.iter().position(|sc| &sc.id == id) else {
                    continue;
                };
                r.spawn(widgets::button(
                    catalog.scenarios[i].title.clone(),
                    ButtonKind::Plain,
                    PickerAction::Start(i),
                ));
            }
        });
    });
}

/// The drill plans, each a card that starts the drill.
fn drill_panel(side: &mut ChildSpawnerCommands, catalog: &Catalog, drills: &DrillState) {
    side.spawn(widgets::panel()).with_children(|p| {
        p.spawn(widgets::header(s::PICKER_DRILLS));
        p.spawn(widgets::dim(s::PICKER_DRILLS_NOTE));
        if let Some(e) = &drills.error {
            p.spawn(widgets::text(e.clone(), size::SMALL, palette::BAD));
        }
        for (i, plan) in catalog.plans.iter().enumerate() {
            p.spawn(widgets::clickable(
                ButtonKind::Card,
                PickerAction::Drill(i),
                Node {
                    flex_direction: FlexDirection::Column,
                    row_gap: px(4),
                    padding: px(10).all(),
                    border: px(1).all(),
                    border_radius: BorderRadius::all(px(8)),
                    ..default()
                },
            ))
            .with_children(|c| {
                c.spawn(widgets::text(plan.title.clone(), size::BODY, palette::TEXT));
                c.spawn(widgets::text(
                    drill::plan_summary(plan),
                    size::SMALL,
                    palette::ACCENT,
                ));
                if !plan.about.is_empty() {
                    c.spawn(widgets::dim(plan.about.clone()));
                }
            });
        }
    });
}

fn scenario_list(body: &mut ChildSpawnerCommands, catalog: &Catalog, progress: &MyProgress) {
    body.spawn(Node {
        flex_grow: 1.0,
        min_width: px(0),
        flex_direction: FlexDirection::Column,
        row_gap: px(12),
        ..default()
    })
    .with_children(|col| {
        progress_panel(col, catalog, progress);
        col.spawn(widgets::row(10)).with_children(|r| {
            r.spawn(widgets::header(s::PICKER_SCENARIOS));
            r.spawn(widgets::spacer());
            r.spawn(widgets::small_button(
                s::PICKER_OPEN_FOLDER,
                PickerAction::OpenFolder,
            ));
        });
        if !catalog.problems.is_empty() {
            col.spawn(widgets::tinted_panel(palette::WARN_SOFT, palette::WARN))
                .with_children(|p| {
                    p.spawn(widgets::text(
                        fill(s::PICKER_PROBLEMS, &[&catalog.problems.len()]),
                        size::SMALL,
                        palette::TEXT,
                    ));
                    for pr in catalog.problems.iter().take(8) {
                        p.spawn(widgets::dim(pr.clone()));
                    }
                });
        }
        if catalog.loading {
            col.spawn((
                widgets::Probe::new("loading"),
                widgets::body(s::PICKER_LOADING),
            ));
            return;
        }
        if catalog.scenarios.is_empty() {
            col.spawn(widgets::body(s::PICKER_EMPTY));
            return;
        }
        // The scroll area is a flex column around the grid: Bevy measures how far a flex
        // container's content overflows, not a grid's, so a scrolling grid never scrolled.
        col.spawn((
            ScrollArea,
            widgets::Probe::new("cards"),
            Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_height: px(0),
                overflow: Overflow::scroll_y(),
                padding: px(3).all(),
                ..default()
            },
        ))
        .with_children(|area| {
            area.spawn(Node {
                display: Display::Grid,
                grid_template_columns: RepeatedGridTrack::flex(2, 1.0),
                grid_auto_rows: vec![GridTrack::auto()],
                column_gap: px(14),
                row_gap: px(14),
                align_content: AlignContent::Start,
                flex_shrink: 0.0,
                ..default()
            })
            .with_children(|grid| {
                for (i, sc) in catalog.scenarios.iter().enumerate() {
                    card(grid, i, sc);
                }
            });
        });
    });
}

fn card(grid: &mut ChildSpawnerCommands, i: usize, sc: &Arc<Scenario>) {
    let mut e = grid.spawn(widgets::Probe::new(format!("card-{i}")));
    e.insert(widgets::clickable(
        ButtonKind::Card,
        PickerAction::Start(i),
        Node {
            flex_direction: FlexDirection::Column,
            row_gap: px(6),
            padding: px(14).all(),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(8)),
            ..default()
        },
    ));
    if i == 0 {
        e.insert(AutoFocus);
    }
    e.with_children(|c| {
        c.spawn(widgets::row(8)).with_children(|r| {
            r.spawn(widgets::persona_chip(sc.persona.kind));
            r.spawn(widgets::label(
                stars(sc.difficulty),
                size::BODY,
                palette::ACCENT,
            ));
            r.spawn(widgets::spacer());
            r.spawn(widgets::dim(fill(s::PICKER_CUSTOMER, &[&sc.persona.name])));
        });
        c.spawn(widgets::header(sc.title.clone()));
        c.spawn(widgets::text(
            sc.fill(&sc.brief),
            size::SMALL,
            palette::TEXT,
        ));
        c.spawn(widgets::dim(format!(
            "{} · {} · {} · {}",
            sc.shop.name,
            sc.shop.product,
            fill(s::CHAT_PRICE_SHORT, &[&sc.fill("{price}")]),
            fill(s::PICKER_NODES, &[&sc.nodes.len()]),
        )));
    });
}

/// A Bevy observer: its parameters are the resources it touches.
#[allow(clippy::too_many_arguments)]
fn on_activate(
    ev: On<Activate>,
    actions: Query<&PickerAction>,
    catalog: Res<Catalog>,
    mut launch: ResMut<Launch>,
    mut begin: MessageWriter<BeginPractice>,
    mut start_drill: MessageWriter<StartDrill>,
    mut buttons: Query<(&PickerAction, &mut ButtonKind)>,
    mut reload: Commands,
) {
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    match *action {
        PickerAction::Shop(i) => {
            let shop = i.and_then(|i| catalog.shops.get(i)).cloned();
            let dir = catalog.dir.clone();
            // Reload the catalog in the chosen shop (the picker rebuilds when it changes).
            reload.queue(move |world: &mut World| {
                world.resource_mut::<super::catalog::Reading>().cancel();
                let rubric = world.resource::<crate::sim::SimRubric>().0.clone();
                let fresh = Catalog::load(&dir, &rubric, shop.as_ref());
                world.insert_resource(fresh);
            });
        }
        PickerAction::Start(i) => {
            if let Some(sc) = catalog.scenarios.get(i) {
                begin.write(BeginPractice::scenario(Arc::clone(sc), None));
            }
        }
        PickerAction::Drill(i) => {
            if let Some(plan) = catalog.plans.get(i) {
                start_drill.write(StartDrill { plan: plan.clone() });
            }
        }
        PickerAction::OpenFolder => {
            if let Err(e) = super::report::open_folder(&catalog.dir) {
                warn!("cannot open {}: {e}", catalog.dir.display());
            }
        }
        PickerAction::Mode(m) => {
            launch.mode = m;
            for (a, mut kind) in &mut buttons {
                if let PickerAction::Mode(x) = a {
                    *kind = if *x == m {
                        ButtonKind::Selected
                    } else {
                        ButtonKind::Plain
                    };
                }
            }
        }
    }
}
