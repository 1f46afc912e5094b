//! The pieces every screen is built from: text, buttons, chips, panels, bars, and the
//! highlighted reply. Buttons are `bevy_ui_widgets` buttons (click, or Enter/Space when
//! focused, triggers `Activate`); each screen puts its own action component on them.

use super::theme::{palette, size};
use crate::rubric::Span;
use bevy::input_focus::tab_navigation::TabIndex;
use bevy::input_focus::{InputFocus, InputFocusVisible};
use bevy::prelude::*;
use bevy::ui_widgets::Button as WidgetButton;

pub fn plugin(app: &mut App) {
    app.add_systems(
        Update,
        (
            button_visuals,
            focus_ring,
            scroll_focus_into_view,
            park_hidden_tab_stops,
        ),
    )
    .add_observer(insert_key_clipboard);
}

/// Names an element for scripted runs (`#!click send`) and their probe (the `probe` module) (`card-3`, `send`, `cards`…).
#[derive(Component, Debug, Clone, PartialEq, Eq)]
pub struct Probe(pub String);

impl Probe {
    pub fn new(name: impl Into<String>) -> Probe {
        Probe(name.into())
    }
}

/// How a button looks.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ButtonKind {
    /// The main action of a screen: accent colour.
    Primary,
    /// Everything else.
    Plain,
    /// A selected toggle (e.g. the chosen mode).
    Selected,
    /// Text-only, in a list.
    Flat,
    /// A white card that can be chosen (the picker's scenarios).
    Card,
}

impl ButtonKind {
    fn colors(self, interaction: Interaction) -> (Color, Color) {
        use Interaction::*;
        match (self, interaction) {
            (ButtonKind::Primary | ButtonKind::Selected, Pressed) => {
                (palette::ACCENT_PRESSED, palette::ACCENT_PRESSED)
            }
            (ButtonKind::Primary | ButtonKind::Selected, Hovered) => {
                (palette::ACCENT_HOVER, palette::ACCENT_HOVER)
            }
            (ButtonKind::Primary | ButtonKind::Selected, None) => {
                (palette::ACCENT, palette::ACCENT)
            }
            (ButtonKind::Plain, Pressed) => (palette::BUTTON_PRESSED, palette::BORDER),
            (ButtonKind::Plain, Hovered) => (palette::BUTTON_HOVER, palette::BORDER),
            (ButtonKind::Plain, None) => (palette::BUTTON, palette::BORDER),
            (ButtonKind::Flat, Pressed) => (palette::BUTTON_PRESSED, palette::BUTTON_PRESSED),
            (ButtonKind::Flat, Hovered) => (palette::BUTTON_HOVER, palette::BUTTON_HOVER),
            (ButtonKind::Flat, None) => (Color::NONE, Color::NONE),
            (ButtonKind::Card, Pressed) => (palette::ACCENT_SOFT, palette::ACCENT_PRESSED),
            (ButtonKind::Card, Hovered) => (palette::ACCENT_SOFT, palette::ACCENT),
            (ButtonKind::Card, None) => (palette::PANEL, palette::BORDER),
        }
    }
    fn text_color(self) -> Color {
        match self {
            ButtonKind::Primary | ButtonKind::Selected => Color::WHITE,
            ButtonKind::Plain | ButtonKind::Flat | ButtonKind::Card => palette::TEXT,
        }
    }
}

/// A text node that wraps (by word, or by character for long unbroken runs).
pub fn text(s: impl Into<String>, font_size: f32, color: Color) -> impl Bundle {
    (
        Text::new(s),
        TextFont::from_font_size(font_size),
        TextColor(color),
        TextLayout::new(Justify::Left, LineBreak::WordOrCharacter),
    )
}

/// A short label kept on one line.
pub fn label(s: impl Into<String>, font_size: f32, color: Color) -> impl Bundle {
    (
        Text::new(s),
        TextFont::from_font_size(font_size),
        TextColor(color),
        TextLayout::no_wrap(),
    )
}

pub fn body(s: impl Into<String>) -> impl Bundle {
    text(s, size::BODY, palette::TEXT)
}

pub fn dim(s: impl Into<String>) -> impl Bundle {
    text(s, size::SMALL, palette::TEXT_DIM)
}

pub fn header(s: impl Into<String>) -> impl Bundle {
    text(s, size::HEADER, palette::TEXT)
}

/// A button with a text label; `action` is the screen's component saying what it does.
pub fn button(label: impl Into<String>, kind: ButtonKind, action: impl Component) -> impl Bundle {
    let (bg, border) = kind.colors(Interaction::None);
    (
        WidgetButton,
        Interaction::None,
        kind,
        action,
        TabIndex(0),
        Node {
            padding: UiRect::axes(px(14), px(7)),
            // A label never wraps inside its button.
            flex_shrink: 0.0,
            border: px(1).all(),
            border_radius: BorderRadius::all(px(6)),
            justify_content: JustifyContent::Center,
            align_items: AlignItems::Center,
            ..default()
        },
        BackgroundColor(bg),
        BorderColor::all(border),
        children![(
            Text::new(label),
            TextFont::from_font_size(size::BODY),
            TextColor(kind.text_color()),
            Pickable::IGNORE,
        )],
    )
}

/// A compact text button (the 表情 codes).
pub fn small_button(label: impl Into<String>, action: impl Component) -> impl Bundle {
    let (bg, border) = ButtonKind::Plain.colors(Interaction::None);
    (
        WidgetButton,
        Interaction::None,
        ButtonKind::Plain,
        action,
        TabIndex(0),
        Node {
            padding: UiRect::axes(px(6), px(2)),
            flex_shrink: 0.0,
            border: px(1).all(),
            border_radius: BorderRadius::all(px(4)),
            ..default()
        },
        BackgroundColor(bg),
        BorderColor::all(border),
        children![(
            Text::new(label),
            TextFont::from_font_size(size::SMALL),
            TextColor(ButtonKind::Plain.text_color()),
            Pickable::IGNORE,
        )],
    )
}

/// Anything clickable and focusable laid out by `node`; its children are up to the caller.
pub fn clickable(kind: ButtonKind, action: impl Component, node: Node) -> impl Bundle {
    let (bg, border) = kind.colors(Interaction::None);
    (
        WidgetButton,
        Interaction::None,
        kind,
        action,
        TabIndex(0),
        node,
        BackgroundColor(bg),
        BorderColor::all(border),
    )
}

/// A small rounded label.
pub fn chip(label: impl Into<String>, fg: Color, bg: Color) -> impl Bundle {
    (
        Node {
            padding: UiRect::axes(px(8), px(2)),
            border_radius: BorderRadius::all(px(10)),
            align_self: AlignSelf::Center,
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(bg),
        children![(
            Text::new(label),
            TextFont::from_font_size(size::SMALL),
            TextColor(fg),
            TextLayout::no_wrap(),
        )],
    )
}

/// A persona type's chip (投诉, 犹豫型…) in the type's colour.
pub fn persona_chip(kind: crate::scenario::PersonaKind) -> impl Bundle {
    chip(
        kind.label(),
        Color::WHITE,
        super::theme::persona_color(kind),
    )
}

/// The root of a screen: full size, a column, one Tab group, gone when the screen is left.
pub fn screen_root(screen: super::Screen) -> impl Bundle {
    (
        bevy::state::state_scoped::DespawnOnExit(screen),
        bevy::input_focus::tab_navigation::TabGroup::new(0),
        Node {
            width: percent(100),
            height: percent(100),
            flex_direction: FlexDirection::Column,
            ..default()
        },
    )
}

/// The dark bar across the top of every screen.
pub fn topbar() -> impl Bundle {
    (
        Node {
            padding: UiRect::axes(px(20), px(10)),
            column_gap: px(14),
            align_items: AlignItems::Center,
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(palette::TOPBAR),
    )
}

/// A white card with a border.
pub fn panel() -> impl Bundle {
    tinted_panel(palette::PANEL, palette::BORDER)
}

/// A card in other colours (hints, warnings, model answers).
pub fn tinted_panel(bg: Color, border: Color) -> impl Bundle {
    (
        Node {
            flex_direction: FlexDirection::Column,
            padding: px(14).all(),
            row_gap: px(8),
            border: px(1).all(),
            border_radius: BorderRadius::all(px(8)),
            flex_shrink: 0.0,
            ..default()
        },
        BackgroundColor(bg),
        BorderColor::all(border),
    )
}

/// A horizontal bar filled to `frac` (0–1), `width` logical pixels wide.
pub fn bar(frac: f32, width: f32, color: Color) -> impl Bundle {
    marked_bar(frac, width, color, BarFill)
}

/// A [`bar`] whose filled part carries `marker`, for a bar that is updated in place.
pub fn marked_bar(frac: f32, width: f32, color: Color, marker: impl Component) -> impl Bundle {
    (
        Node {
            width: px(width),
            flex_shrink: 0.0,
            height: px(10),
            border_radius: BorderRadius::all(px(5)),
            ..default()
        },
        BackgroundColor(palette::TRACK),
        children![(
            marker,
            Node {
                width: percent(frac.clamp(0.0, 1.0) * 100.0),
                height: percent(100),
                border_radius: BorderRadius::all(px(5)),
                ..default()
            },
            BackgroundColor(color),
        )],
    )
}

/// The filled part of a [`bar`].
#[derive(Component)]
pub struct BarFill;

/// The look of an editable text box: cursor and selection colours, white background,
/// border, and a place in the Tab order.
pub fn text_box_style(font_size: f32) -> impl Bundle {
    (
        TextFont::from_font_size(font_size),
        TextColor(palette::TEXT),
        bevy::text::TextCursorStyle {
            color: palette::TEXT,
            selection_color: palette::AGENT_BUBBLE,
            ..default()
        },
        BackgroundColor(Color::WHITE),
        BorderColor::all(palette::BORDER),
        bevy::input_focus::tab_navigation::TabIndex(0),
    )
}

/// A row that takes the full width.
pub fn row(gap: i32) -> Node {
    Node {
        flex_direction: FlexDirection::Row,
        align_items: AlignItems::Center,
        column_gap: px(gap),
        ..default()
    }
}

/// A row that wraps onto more lines when its items do not fit (chips, buttons), so nothing is
/// clipped or pushed past the panel at narrow window sizes.
pub fn wrap_row(gap: i32) -> Node {
    Node {
        flex_wrap: FlexWrap::Wrap,
        row_gap: px(gap),
        ..row(gap)
    }
}

pub fn column(gap: i32) -> Node {
    Node {
        flex_direction: FlexDirection::Column,
        row_gap: px(gap),
        ..default()
    }
}

/// A flexible gap that pushes what follows to the end of a row.
pub fn spacer() -> impl Bundle {
    Node {
        flex_grow: 1.0,
        ..default()
    }
}

/// Split `reply` into pieces, each marked true when inside one of `spans` (char offsets).
/// Overlapping or out-of-range spans are skipped.
pub fn segments(reply: &str, spans: &[Span]) -> Vec<(String, bool)> {
    let chars: Vec<char> = reply.chars().collect();
    let mut spans: Vec<&Span> = spans.iter().collect();
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        if s.start < at || s.end > chars.len() || s.start >= s.end {
            continue;
        }
        if s.start > at {
            out.push((chars[at..s.start].iter().collect(), false));
        }
        out.push((chars[s.start..s.end].iter().collect(), true));
        at = s.end;
    }
    if at < chars.len() {
        out.push((chars[at..].iter().collect(), false));
    }
    out
}

/// A reply with its offending characters in red on a pale red background.
pub fn highlighted(parent: &mut ChildSpawnerCommands, reply: &str, spans: &[Span], font_size: f32) {
    parent
        .spawn((
            Text::default(),
            TextFont::from_font_size(font_size),
            TextColor(palette::TEXT),
            TextLayout::new(Justify::Left, LineBreak::WordOrCharacter),
        ))
        .with_children(|t| {
            for (piece, bad) in segments(reply, spans) {
                if bad {
                    t.spawn((
                        TextSpan::new(piece),
                        TextFont::from_font_size(font_size),
                        TextColor(palette::BAD),
                        TextBackgroundColor(palette::BAD_SOFT),
                        Underline,
                    ));
                } else {
                    t.spawn((
                        TextSpan::new(piece),
                        TextFont::from_font_size(font_size),
                        TextColor(palette::TEXT),
                    ));
                }
            }
        });
}

type ButtonLook<'a> = (
    &'a Interaction,
    &'a ButtonKind,
    &'a mut BackgroundColor,
    &'a mut BorderColor,
    Option<&'a Children>,
);
type ButtonChanged = Or<(Changed<Interaction>, Changed<ButtonKind>)>;

fn button_visuals(mut q: Query<ButtonLook, ButtonChanged>, mut labels: Query<&mut TextColor>) {
    for (interaction, kind, mut bg, mut border, children) in &mut q {
        let (b, c) = kind.colors(*interaction);
        bg.0 = b;
        *border = BorderColor::all(c);
        // Flat buttons and cards keep their own text colours.
        if matches!(kind, ButtonKind::Flat | ButtonKind::Card) {
            continue;
        }
        for child in children.into_iter().flatten() {
            if let Ok(mut color) = labels.get_mut(*child) {
                color.0 = kind.text_color();
            }
        }
    }
}

/// An outline on whatever has keyboard focus, while the keyboard is being used to move it.
fn focus_ring(
    focus: Res<InputFocus>,
    visible: Res<InputFocusVisible>,
    mut commands: Commands,
    ringed: Query<Entity, With<FocusRing>>,
    focusable: Query<(), With<TabIndex>>,
) {
    if !focus.is_changed() && !visible.is_changed() {
        return;
    }
    // `try_`: a screen rebuilt this frame may have despawned either entity.
    for e in &ringed {
        commands.entity(e).try_remove::<(FocusRing, Outline)>();
    }
    if let Some(e) = focus.get()
        && visible.0
        && focusable.contains(e)
    {
        commands
            .entity(e)
            .try_insert((FocusRing, Outline::new(px(2), px(2), palette::FOCUS)));
    }
}

#[derive(Component)]
struct FocusRing;

/// A tab stop taken out of the Tab order while it is hidden (Bevy's Tab navigation does not
/// look at layout, and would otherwise walk into a closed 表情 row or dialog).
#[derive(Component)]
struct ParkedTabIndex(TabIndex);

/// Hidden (no laid-out size: under `Display::None`) tab stops leave the Tab order; they come
/// back when shown. Judged from the last layout, so a change takes a frame.
#[allow(clippy::type_complexity)]
fn park_hidden_tab_stops(
    mut commands: Commands,
    stops: Query<(Entity, &TabIndex, &ComputedNode), Without<ParkedTabIndex>>,
    parked: Query<(Entity, &ParkedTabIndex, &ComputedNode), Without<TabIndex>>,
    fresh: Query<(), Added<ComputedNode>>,
) {
    for (e, t, n) in &stops {
        if n.size() == Vec2::ZERO && !fresh.contains(e) {
            commands
                .entity(e)
                .try_remove::<TabIndex>()
                .try_insert(ParkedTabIndex(*t));
        }
    }
    for (e, p, n) in &parked {
        if n.size() != Vec2::ZERO {
            commands
                .entity(e)
                .try_remove::<ParkedTabIndex>()
                .try_insert(p.0);
        }
    }
}

/// Shift+Insert pastes and Ctrl+Insert copies in every text box, as everywhere on Linux and
/// Windows (Ctrl+V / Ctrl+C are handled by Bevy's text input itself).
fn insert_key_clipboard(
    mut ev: On<bevy::input_focus::FocusedInput<bevy::input::keyboard::KeyboardInput>>,
    keys: Res<ButtonInput<bevy::input::keyboard::Key>>,
    mut boxes: Query<&mut bevy::text::EditableText>,
) {
    use bevy::input::keyboard::Key;
    if !ev.input.state.is_pressed() || ev.input.logical_key != Key::Insert {
        return;
    }
    let Ok(mut b) = boxes.get_mut(ev.focused_entity) else {
        return;
    };
    let edit = match (keys.pressed(Key::Shift), keys.pressed(Key::Control)) {
        (true, false) => bevy::text::TextEdit::Paste,
        (false, true) => bevy::text::TextEdit::Copy,
        _ => return,
    };
    b.queue_edit(edit);
    ev.propagate(false);
}

/// Whatever gets the keyboard (Tab, a dialog, a shortcut) is scrolled into view inside the
/// list that holds it, so focus never moves to something off screen.
fn scroll_focus_into_view(
    focus: Res<InputFocus>,
    mut commands: Commands,
    laid_out: Query<&ComputedNode>,
    mut pending: Local<Option<Entity>>,
) {
    if focus.is_changed() {
        *pending = focus.get();
    }
    let Some(e) = *pending else {
        return;
    };
    // A node spawned this frame has no layout yet: try again next frame.
    match laid_out.get(e) {
        Ok(n) if n.size() != Vec2::ZERO => {
            commands.trigger(bevy::ui_widgets::ScrollIntoView { entity: e });
            *pending = None;
        }
        Ok(_) => {}
        Err(_) => *pending = None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize) -> Span {
        Span {
            start,
            end,
            text: String::new(),
            part: 0,
        }
    }

    #[test]
    fn segments_mark_evidence_by_char_offsets() {
        let s = segments("我保证明天到货", &[span(1, 3)]);
        assert_eq!(
            s,
            vec![
                ("我".to_string(), false),
                ("保证".to_string(), true),
                ("明天到货".to_string(), false)
            ]
        );
        // Overlaps and out-of-range spans are skipped, not panicked on.
        let s = segments("你好", &[span(0, 2), span(1, 2), span(1, 9)]);
        assert_eq!(s, vec![("你好".to_string(), true)]);
    }
}
