//! The palette, type sizes and the shipped font, in one place.

use crate::scenario::{Outcome, PersonaKind};
use bevy::prelude::*;
use bevy::text::Font;

/// The CJK font every text uses (see `assets/fonts/LICENSE-WenQuanYiMicroHei.txt`). It is
/// compiled in, so the window needs no asset folder beside the binary.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/WenQuanYiMicroHei.ttf");

pub mod palette {
    use bevy::prelude::Color;

    /// The workbench background.
    pub const BG: Color = Color::srgb(0.925, 0.933, 0.945);
    pub const PANEL: Color = Color::WHITE;
    pub const PANEL_ALT: Color = Color::srgb(0.973, 0.976, 0.98);
    pub const BORDER: Color = Color::srgb(0.86, 0.87, 0.89);
    pub const TEXT: Color = Color::srgb(0.13, 0.14, 0.16);
    pub const TEXT_DIM: Color = Color::srgb(0.45, 0.47, 0.51);
    pub const TEXT_ON_DARK: Color = Color::srgb(0.95, 0.96, 0.97);
    pub const TEXT_ON_DARK_DIM: Color = Color::srgb(0.66, 0.69, 0.74);
    /// 淘宝橙, the accent of the workbench.
    pub const ACCENT: Color = Color::srgb(1.0, 0.392, 0.0);
    pub const ACCENT_HOVER: Color = Color::srgb(1.0, 0.49, 0.16);
    pub const ACCENT_PRESSED: Color = Color::srgb(0.87, 0.33, 0.0);
    pub const ACCENT_SOFT: Color = Color::srgb(1.0, 0.93, 0.88);
    pub const TOPBAR: Color = Color::srgb(0.149, 0.173, 0.22);
    pub const CUSTOMER_BUBBLE: Color = Color::WHITE;
    pub const AGENT_BUBBLE: Color = Color::srgb(0.84, 0.918, 1.0);
    pub const GOOD: Color = Color::srgb(0.11, 0.56, 0.3);
    pub const GOOD_SOFT: Color = Color::srgb(0.89, 0.96, 0.91);
    pub const BAD: Color = Color::srgb(0.82, 0.18, 0.15);
    pub const BAD_SOFT: Color = Color::srgb(0.99, 0.89, 0.88);
    pub const WARN: Color = Color::srgb(0.86, 0.56, 0.0);
    pub const WARN_SOFT: Color = Color::srgb(1.0, 0.96, 0.84);
    pub const BUTTON: Color = Color::srgb(0.96, 0.965, 0.975);
    pub const BUTTON_HOVER: Color = Color::srgb(0.91, 0.92, 0.935);
    pub const BUTTON_PRESSED: Color = Color::srgb(0.85, 0.86, 0.88);
    pub const FOCUS: Color = Color::srgb(0.16, 0.47, 1.0);
    pub const TRACK: Color = Color::srgb(0.9, 0.91, 0.925);
}

/// Font sizes, in logical pixels.
pub mod size {
    pub const HUGE: f32 = 64.0;
    pub const TITLE: f32 = 26.0;
    pub const HEADER: f32 = 19.0;
    pub const BODY: f32 = 16.0;
    pub const SMALL: f32 = 13.5;
}

/// The colour that marks a persona type everywhere (picker chips, avatars).
pub fn persona_color(kind: PersonaKind) -> Color {
    match kind {
        PersonaKind::Hesitant => Color::srgb(0.27, 0.52, 0.85),
        PersonaKind::Haggler => Color::srgb(0.93, 0.5, 0.06),
        PersonaKind::Complainant => Color::srgb(0.82, 0.22, 0.2),
        PersonaKind::Skeptic => Color::srgb(0.5, 0.36, 0.78),
        PersonaKind::Returner => Color::srgb(0.12, 0.6, 0.55),
    }
}

/// Red when furious, amber when neutral, green when happy.
pub fn mood_color(mood: i32) -> Color {
    let t = (mood.clamp(0, 100) as f32) / 100.0;
    let red = palette::BAD.to_srgba();
    let amber = palette::WARN.to_srgba();
    let green = palette::GOOD.to_srgba();
    let c = if t < 0.5 {
        red.mix(&amber, t * 2.0)
    } else {
        amber.mix(&green, (t - 0.5) * 2.0)
    };
    c.into()
}

pub fn outcome_color(outcome: Option<Outcome>) -> Color {
    match outcome {
        Some(o) if o.is_good() => palette::GOOD,
        Some(_) => palette::BAD,
        None => palette::TEXT_DIM,
    }
}

/// Green for good scores, amber for middling, red for poor.
pub fn score_color(score: u32) -> Color {
    match score {
        85.. => palette::GOOD,
        60..85 => palette::WARN,
        _ => palette::BAD,
    }
}

pub fn plugin(app: &mut App) {
    // The default font handle is what every `TextFont::default()` points at.
    let font = Font::from_bytes(FONT_BYTES.to_vec());
    if let Err(e) = app
        .world_mut()
        .resource_mut::<Assets<Font>>()
        .insert(AssetId::default(), font)
    {
        error!("cannot install the window font: {e:?}");
    }
    app.insert_resource(ClearColor(palette::BG))
        .add_systems(Startup, spawn_camera);
}

fn spawn_camera(mut commands: Commands) {
    // UI edges are anti-aliased by the UI shader; multisampling would only multiply the cost
    // of every frame (noticeably so on software renderers).
    commands.spawn((Camera2d, Msaa::Off));
}
