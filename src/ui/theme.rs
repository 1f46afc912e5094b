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
    /// Secondary text: 4.5:1 or better on every panel and button colour (see the test).
    pub const TEXT_DIM: Color = Color::srgb(0.37, 0.39, 0.43);
    pub const TEXT_ON_DARK: Color = Color::srgb(0.95, 0.96, 0.97);
    pub const TEXT_ON_DARK_DIM: Color = Color::srgb(0.66, 0.69, 0.74);
    /// 淘宝橙 as it is on the platform: the logo on the dark bar, focus borders, fills.
    /// White text on it is only 2.97:1, so it is never behind or in text on light colours.
    pub const BRAND: Color = Color::srgb(1.0, 0.392, 0.0);
    /// The accent for text and for buttons with white labels: a deeper 淘宝橙 (≥ 4.5:1).
    pub const ACCENT: Color = Color::srgb(0.72, 0.25, 0.0);
    pub const ACCENT_HOVER: Color = Color::srgb(0.78, 0.28, 0.0);
    pub const ACCENT_PRESSED: Color = Color::srgb(0.62, 0.21, 0.0);
    pub const ACCENT_SOFT: Color = Color::srgb(1.0, 0.93, 0.88);
    pub const TOPBAR: Color = Color::srgb(0.149, 0.173, 0.22);
    pub const CUSTOMER_BUBBLE: Color = Color::WHITE;
    pub const AGENT_BUBBLE: Color = Color::srgb(0.84, 0.918, 1.0);
    pub const GOOD: Color = Color::srgb(0.07, 0.45, 0.23);
    pub const GOOD_SOFT: Color = Color::srgb(0.89, 0.96, 0.91);
    /// Scrollbars: a faint track, a thumb 3:1 against white (non-text contrast), darker while
    /// hovered or dragged.
    pub const SCROLL_TRACK: Color = Color::srgba(0.0, 0.0, 0.0, 0.05);
    pub const SCROLL_THUMB: Color = Color::srgb(0.54, 0.56, 0.6);
    pub const SCROLL_THUMB_ACTIVE: Color = Color::srgb(0.38, 0.4, 0.44);
    pub const BAD: Color = Color::srgb(0.74, 0.13, 0.11);
    pub const BAD_SOFT: Color = Color::srgb(0.99, 0.89, 0.88);
    /// Amber for text and chips (the bright amber is 2.65:1 on white).
    pub const WARN: Color = Color::srgb(0.58, 0.35, 0.0);
    /// Bright amber for bars and borders only, never text.
    pub const WARN_FILL: Color = Color::srgb(0.86, 0.56, 0.0);
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
        PersonaKind::Hesitant => Color::srgb(0.15, 0.4, 0.72),
        PersonaKind::Haggler => Color::srgb(0.66, 0.3, 0.0),
        PersonaKind::Complainant => Color::srgb(0.74, 0.15, 0.13),
        PersonaKind::Skeptic => Color::srgb(0.45, 0.3, 0.72),
        PersonaKind::Returner => Color::srgb(0.04, 0.44, 0.4),
        PersonaKind::Quiet => Color::srgb(0.3, 0.35, 0.42),
        PersonaKind::Impulsive => Color::srgb(0.62, 0.12, 0.42),
        PersonaKind::Regular => Color::srgb(0.45, 0.33, 0.05),
        PersonaKind::Abusive => Color::srgb(0.35, 0.07, 0.09),
    }
}

/// Red when furious, amber when neutral, green when happy.
pub fn mood_color(mood: i32) -> Color {
    let t = (mood.clamp(0, 100) as f32) / 100.0;
    let red = palette::BAD.to_srgba();
    let amber = palette::WARN_FILL.to_srgba();
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

/// WCAG 2 contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color, b: Color) -> f32 {
    fn lum(c: Color) -> f32 {
        let c = c.to_linear();
        0.2126 * c.red + 0.7152 * c.green + 0.0722 * c.blue
    }
    let (x, y) = (lum(a), lum(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Every text colour on every background the window puts it on.
pub fn text_pairs() -> Vec<(&'static str, Color, Color)> {
    use palette::*;
    let mut v = vec![
        ("text on white", TEXT, PANEL),
        ("text on the background", TEXT, BG),
        ("text on the seller's bubble", TEXT, AGENT_BUBBLE),
        ("text on a hint", TEXT, WARN_SOFT),
        ("text on a model answer", TEXT, GOOD_SOFT),
        ("text on a pressed button", TEXT, BUTTON_PRESSED),
        ("grey text on white", TEXT_DIM, PANEL),
        ("grey text on the side panels", TEXT_DIM, PANEL_ALT),
        ("grey text on the background", TEXT_DIM, BG),
        ("grey text on a button", TEXT_DIM, BUTTON),
        ("grey text on a hovered button", TEXT_DIM, BUTTON_HOVER),
        ("grey text on a selected card", TEXT_DIM, ACCENT_SOFT),
        ("light text on the top bar", TEXT_ON_DARK, TOPBAR),
        ("grey text on the top bar", TEXT_ON_DARK_DIM, TOPBAR),
        ("淘宝橙 logo on the top bar", BRAND, TOPBAR),
        ("white on an orange button", Color::WHITE, ACCENT),
        (
            "white on a hovered orange button",
            Color::WHITE,
            ACCENT_HOVER,
        ),
        (
            "white on a pressed orange button",
            Color::WHITE,
            ACCENT_PRESSED,
        ),
        ("orange text on white", ACCENT, PANEL),
        ("orange text on a selected card", ACCENT, ACCENT_SOFT),
        ("green text on white", GOOD, PANEL),
        ("green text on pale green", GOOD, GOOD_SOFT),
        ("white on green", Color::WHITE, GOOD),
        ("green text on the side panels", GOOD, PANEL_ALT),
        ("red text on the side panels", BAD, PANEL_ALT),
        ("red text on white", BAD, PANEL),
        ("red text on pale red (violation marks)", BAD, BAD_SOFT),
        ("white on red", Color::WHITE, BAD),
        ("amber text on white", WARN, PANEL),
        ("amber text on pale amber", WARN, WARN_SOFT),
        ("white on amber", Color::WHITE, WARN),
    ];
    for k in PersonaKind::ALL {
        v.push(("white on a persona chip", Color::WHITE, persona_color(k)));
    }
    for score in [95, 70, 30] {
        v.push(("a score on white", score_color(score), PANEL));
        v.push(("white on a score chip", Color::WHITE, score_color(score)));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WCAG AA for normal text: 4.5:1. `cargo test --lib contrast -- --nocapture` lists them
    /// (the README's table).
    #[test]
    fn text_colours_meet_wcag_aa_contrast() {
        let mut failing = Vec::new();
        for (what, fg, bg) in text_pairs() {
            let r = contrast(fg, bg);
            println!("| {what} | {r:.2}:1 |");
            if r < 4.5 {
                failing.push(format!("{what}: {r:.2}:1"));
            }
        }
        assert!(failing.is_empty(), "below 4.5:1: {failing:?}");
        // The formula itself: black on white is 21:1, a colour on itself 1:1.
        assert!((contrast(Color::BLACK, Color::WHITE) - 21.0).abs() < 0.01);
        assert!((contrast(palette::ACCENT, palette::ACCENT) - 1.0).abs() < 1e-6);
    }
}
