//! A draggable scrollbar on every scrolling list (the scenario grid, 快捷短语, the coach, the
//! chat, the side panel, the report, the 组长 lists): Bevy's headless `Scrollbar` widget, added
//! to any node that gets a [`ScrollArea`] and scrolls vertically, so no screen has to build
//! one. The area reserves a gutter (`Node::scrollbar_width`) on its right; the bar sits in it,
//! absolutely positioned and out of the scroll (`IgnoreScroll`), shown only while the content
//! is taller than the area. Dragging the thumb moves the content proportionally; a click on
//! the track pages; neither moves the keyboard. The wheel and the keyboard scroll as before.
//!
//! A named area (`Probe("cards")`) names its bar `cards-scrollbar` and thumb `cards-thumb`, for
//! scripted runs (`#!drag cards-thumb 0 400`).

use super::theme::palette;
use super::widgets::Probe;
use bevy::input_focus::AcquireFocus;
use bevy::picking::hover::Hovered;
use bevy::prelude::*;
use bevy::ui::{IgnoreScroll, UiSystems};
use bevy::ui_widgets::{
    ControlOrientation, ScrollArea, Scrollbar, ScrollbarDragState, ScrollbarThumb,
};

/// A scrollbar or its thumb.
type BarOrThumb = Or<(With<Scrollbar>, With<ScrollbarThumb>)>;
/// A thumb whose hover or drag changed.
type ThumbChanged = (
    With<ScrollbarThumb>,
    Or<(Changed<Hovered>, Changed<ScrollbarDragState>)>,
);

/// The gutter and the bar's width, in logical pixels.
pub const WIDTH: f32 = 10.0;
/// The shortest a thumb gets, however long the list.
const MIN_THUMB: f32 = 28.0;

pub fn plugin(app: &mut App) {
    app.add_observer(attach)
        .add_observer(keep_focus)
        .add_systems(Update, thumb_colour)
        .add_systems(PostUpdate, show_when_needed.after(UiSystems::Layout));
}

/// Give a vertically scrolling area its gutter and bar.
fn attach(
    add: On<Add, ScrollArea>,
    mut commands: Commands,
    mut areas: Query<(&mut Node, Option<&Probe>)>,
) {
    let area = add.entity;
    let Ok((mut node, probe)) = areas.get_mut(area) else {
        return;
    };
    if node.overflow.y != OverflowAxis::Scroll {
        return;
    }
    node.scrollbar_width = WIDTH;
    let name = probe.map(|p| p.0.clone());
    let mut thumb = commands.spawn((
        ScrollbarThumb {
            border_radius: BorderRadius::all(px(WIDTH / 2.0)),
            border: UiRect::ZERO,
        },
        Hovered::default(),
        BackgroundColor(palette::SCROLL_THUMB),
    ));
    if let Some(n) = &name {
        thumb.insert(Probe::new(format!("{n}-thumb")));
    }
    let thumb = thumb.id();
    let mut bar = commands.spawn((
        Node {
            position_type: PositionType::Absolute,
            top: px(0),
            bottom: px(0),
            // Absolute insets are measured inside the gutter: step out into it.
            right: px(-WIDTH),
            width: px(WIDTH),
            display: Display::None,
            border_radius: BorderRadius::all(px(WIDTH / 2.0)),
            ..default()
        },
        IgnoreScroll(BVec2::TRUE),
        Scrollbar::new(area, ControlOrientation::Vertical, MIN_THUMB),
        Hovered::default(),
        ZIndex(10),
        BackgroundColor(palette::SCROLL_TRACK),
        ChildOf(area),
    ));
    if let Some(n) = &name {
        bar.insert(Probe::new(format!("{n}-scrollbar")));
    }
    bar.add_child(thumb);
}

/// Show a bar only while its list is taller than the area. While the pointer is on a bar, its
/// list's scroll position is the one on screen: a list that follows its end (the chat sets a
/// huge position and lets layout clamp it) would otherwise start a drag or a page from there.
fn show_when_needed(
    mut bars: Query<(&Scrollbar, &Hovered, &mut Node)>,
    mut areas: Query<(&ComputedNode, &mut ScrollPosition), Without<Scrollbar>>,
) {
    for (bar, hovered, mut node) in &mut bars {
        let Ok((area, mut pos)) = areas.get_mut(bar.target) else {
            continue;
        };
        let needed = area.content_size().y > area.size().y + 1.0;
        let display = if needed { Display::Flex } else { Display::None };
        if node.display != display {
            node.display = display;
        }
        if hovered.0 {
            let max = ((area.content_size() - area.size() + area.scrollbar_size).max(Vec2::ZERO)
                * area.inverse_scale_factor)
                .y;
            if pos.y > max {
                pos.y = max;
            }
        }
    }
}

/// A press on a bar or its thumb leaves the keyboard where it was (the reply box keeps it
/// while the trainee scrolls the coach or the chat); elsewhere a press moves the keyboard to
/// what was pressed, or takes it away.
fn keep_focus(mut acquire: On<AcquireFocus>, parts: Query<(), BarOrThumb>) {
    if parts.contains(acquire.focused_entity) {
        acquire.propagate(false);
    }
}

/// The thumb darkens under the pointer and while dragged.
fn thumb_colour(
    mut thumbs: Query<(&mut BackgroundColor, &Hovered, &ScrollbarDragState), ThumbChanged>,
) {
    for (mut bg, hovered, drag) in &mut thumbs {
        let c = if hovered.0 || drag.dragging {
            palette::SCROLL_THUMB_ACTIVE
        } else {
            palette::SCROLL_THUMB
        };
        if bg.0 != c {
            bg.0 = c;
        }
    }
}
