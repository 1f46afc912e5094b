//! The blocking message when results cannot be saved: a panel over the whole window with
//! what failed and where the rescue copy went; its only way on is to quit (exit code 1).
//! Scripted runs (`--replay`) print the message and exit 1 at once.

use super::Launch;
use super::strings as s;
use super::theme::{palette, size};
use super::widgets::{self, ButtonKind};
use crate::sim::ActiveSession;
use bevy::input_focus::{FocusCause, InputFocus};
use bevy::prelude::*;
use bevy::ui_widgets::Activate;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once a save failure has been shown: the window's exit code is then 1.
static FAILED: AtomicBool = AtomicBool::new(false);

/// Has this process shown a save failure?
pub fn failed() -> bool {
    FAILED.load(Ordering::SeqCst)
}

pub fn plugin(app: &mut App) {
    app.add_systems(Update, show_alert.after(crate::sim::SimSet))
        .add_observer(on_quit);
}

/// The overlay, so it is spawned once.
#[derive(Component)]
pub struct SaveAlert;

#[derive(Component)]
struct QuitButton;

fn show_alert(
    active: Res<ActiveSession>,
    launch: Res<Launch>,
    shown: Query<(), With<SaveAlert>>,
    mut commands: Commands,
    mut exit: MessageWriter<AppExit>,
    mut focus: ResMut<InputFocus>,
) {
    let Some(failure) = &active.failure else {
        return;
    };
    if !shown.is_empty() {
        return;
    }
    let message = failure.message();
    FAILED.store(true, Ordering::SeqCst);
    error!("{message}");
    if launch.scripted {
        eprintln!("{message}");
        exit.write(AppExit::from_code(1));
    }
    let mut quit = None;
    commands
        .spawn((
            SaveAlert,
            Node {
                position_type: PositionType::Absolute,
                width: percent(100),
                height: percent(100),
                justify_content: JustifyContent::Center,
                align_items: AlignItems::Center,
                ..default()
            },
            // Above every screen, and it takes every click meant for what is beneath.
            GlobalZIndex(1000),
            BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.55)),
            Interaction::None,
        ))
        .with_children(|layer| {
            layer
                .spawn((
                    Node {
                        width: px(560),
                        flex_direction: FlexDirection::Column,
                        row_gap: px(12),
                        padding: px(20).all(),
                        border: px(2).all(),
                        border_radius: BorderRadius::all(px(10)),
                        ..default()
                    },
                    BackgroundColor(palette::PANEL),
                    BorderColor::all(palette::BAD),
                ))
                .with_children(|panel| {
                    panel.spawn(widgets::text(
                        s::SAVE_ALERT_TITLE,
                        size::TITLE,
                        palette::BAD,
                    ));
                    panel.spawn(widgets::text(message, size::BODY, palette::TEXT));
                    quit = Some(
                        panel
                            .spawn(widgets::button(
                                s::SAVE_ALERT_QUIT,
                                ButtonKind::Primary,
                                QuitButton,
                            ))
                            .id(),
                    );
                });
        });
    // The keyboard goes to the alert, not the reply box beneath it.
    if let Some(q) = quit {
        focus.set(q, FocusCause::Navigated);
    }
}

fn on_quit(ev: On<Activate>, quit: Query<(), With<QuitButton>>, mut exit: MessageWriter<AppExit>) {
    if quit.get(ev.entity).is_ok() {
        exit.write(AppExit::from_code(1));
    }
}
