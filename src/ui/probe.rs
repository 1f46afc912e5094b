//! Input and inspection for scripted runs (`--replay`): a replay line that starts with `#!`
//! is an action, not a reply. Input actions go in at the bottom of the input stack — the
//! same keyboard, cursor, button and wheel messages winit writes — so the window's own
//! focus, picking, scrolling, text editing and clipboard code handles them:
//!
//! - `#!key SPEC` — press and release a key, with modifiers: `Tab`, `shift+Tab`, `Escape`,
//!   `Enter`, `ctrl+v`, `shift+Insert`, `ctrl+a`…
//! - `#!type TEXT` — type TEXT into whatever has the keyboard, one character at a time.
//! - `#!wheel NAME LINES` — put the pointer over the element named NAME and turn the wheel
//!   LINES lines (positive: down).
//! - `#!click NAME` — move the pointer onto the element named NAME and click it.
//! - `#!drag NAME DX DY` — press the mouse button on the element named NAME, move the pointer
//!   DX, DY logical pixels in ten steps (one a frame) and release it (e.g. a scrollbar thumb:
//!   `#!drag cards-thumb 0 400`).
//! - `#!probe` — print what a trainee would see, as `peilian-probe: key=value` lines on
//!   stdout: the screen, what has the keyboard, the reply box's text, whether the leave
//!   dialog is up, which named elements are wholly visible, and how far each named scrolling
//!   list is scrolled (`scrolled=cards:0,messages:412`).
//!
//! (`#!shot NAME` — a screenshot — is handled by the replay itself.)
//!
//! Elements are named with [`Probe`]; the probe only reads, it changes nothing.

use super::Screen;
use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input::mouse::{MouseButton, MouseButtonInput, MouseScrollUnit, MouseWheel};
use bevy::input::touch::TouchPhase;
use bevy::input_focus::InputFocus;
use bevy::prelude::*;
use bevy::text::EditableText;
use bevy::ui::UiGlobalTransform;
use bevy::window::{CursorMoved, PrimaryWindow, WindowEvent};
use std::collections::VecDeque;

pub use super::widgets::Probe;

/// One `#!` line of a replay, without the `#!`.
#[derive(Message, Debug, Clone)]
pub struct Action(pub String);

/// Is this replay line an action?
pub fn action(line: &str) -> Option<&str> {
    line.strip_prefix("#!").map(str::trim)
}

/// Input messages still to be written, one batch per frame (a key's release comes a frame
/// after its press, as a hand would do it, so held modifiers are seen held).
#[derive(Resource, Default, Debug)]
pub struct Pending {
    frames: VecDeque<Vec<Input>>,
}

impl Pending {
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

#[derive(Debug, Clone)]
enum Input {
    Key(Key, KeyCode, ButtonState, Option<String>),
    Move(Vec2),
    Button(ButtonState),
    Wheel(f32),
}

pub fn plugin(app: &mut App) {
    app.add_message::<Action>()
        .init_resource::<Pending>()
        .add_systems(PreUpdate, write_pending.before(bevy::input::InputSystems))
        .add_systems(Update, perform);
}

/// A key by its name in an action.
fn key(name: &str) -> Option<(Key, KeyCode, Option<String>)> {
    let k = match name.to_ascii_lowercase().as_str() {
        "tab" => (Key::Tab, KeyCode::Tab, None),
        "escape" | "esc" => (Key::Escape, KeyCode::Escape, None),
        "enter" => (Key::Enter, KeyCode::Enter, None),
        "insert" => (Key::Insert, KeyCode::Insert, None),
        "backspace" => (Key::Backspace, KeyCode::Backspace, None),
        "end" => (Key::End, KeyCode::End, None),
        "home" => (Key::Home, KeyCode::Home, None),
        "ctrl" | "control" => (Key::Control, KeyCode::ControlLeft, None),
        "shift" => (Key::Shift, KeyCode::ShiftLeft, None),
        "space" => (Key::Space, KeyCode::Space, Some(" ".into())),
        one if one.chars().count() == 1 => {
            let c = one.chars().next()?;
            let code = match c {
                'a'..='z' => letter_code(c)?,
                '1'..='9' => [
                    KeyCode::Digit1,
                    KeyCode::Digit2,
                    KeyCode::Digit3,
                    KeyCode::Digit4,
                    KeyCode::Digit5,
                    KeyCode::Digit6,
                    KeyCode::Digit7,
                    KeyCode::Digit8,
                    KeyCode::Digit9,
                ][(c as u8 - b'1') as usize],
                _ => KeyCode::Unidentified(bevy::input::keyboard::NativeKeyCode::Unidentified),
            };
            (Key::Character(one.into()), code, Some(one.to_string()))
        }
        _ => return None,
    };
    Some(k)
}

fn letter_code(c: char) -> Option<KeyCode> {
    use KeyCode::*;
    const LETTERS: [KeyCode; 26] = [
        KeyA, KeyB, KeyC, KeyD, KeyE, KeyF, KeyG, KeyH, KeyI, KeyJ, KeyK, KeyL, KeyM, KeyN, KeyO,
        KeyP, KeyQ, KeyR, KeyS, KeyT, KeyU, KeyV, KeyW, KeyX, KeyY, KeyZ,
    ];
    LETTERS.get((c as u8).checked_sub(b'a')? as usize).copied()
}

/// `ctrl+v` → press Ctrl, press V (no text: a chord types nothing), then release both.
fn chord(spec: &str) -> Result<Vec<Vec<Input>>, String> {
    let parts: Vec<&str> = spec.split('+').map(str::trim).collect();
    let mut keys = Vec::new();
    for p in &parts {
        keys.push(key(p).ok_or_else(|| format!("unknown key {p:?} in {spec:?}"))?);
    }
    let chorded = keys.len() > 1;
    let mut press = Vec::new();
    let mut release = Vec::new();
    for (k, code, text) in keys {
        let text = if chorded { None } else { text };
        press.push(Input::Key(k.clone(), code, ButtonState::Pressed, text));
        release.insert(0, Input::Key(k, code, ButtonState::Released, None));
    }
    Ok(vec![press, release])
}

/// The centre of an element, in the window's logical pixels.
fn centre(t: &UiGlobalTransform, n: &ComputedNode) -> Vec2 {
    t.translation * n.inverse_scale_factor
}

#[allow(clippy::too_many_arguments)]
fn perform(
    mut actions: MessageReader<Action>,
    mut pending: ResMut<Pending>,
    named: Query<(Entity, &Probe, &UiGlobalTransform, &ComputedNode)>,
    parents: Query<&ChildOf>,
    nodes: Query<(&Node, &UiGlobalTransform, &ComputedNode)>,
    focus: Res<InputFocus>,
    texts: Query<&EditableText>,
    window: Single<&Window, With<PrimaryWindow>>,
    screen: Res<State<Screen>>,
    dialogs: Query<&Node, With<super::chat::LeaveDialog>>,
    areas: Query<(), With<bevy::ui_widgets::ScrollArea>>,
) {
    for Action(line) in actions.read() {
        let (verb, rest) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let rest = rest.trim();
        let find = |name: &str| named.iter().find(|(_, p, _, _)| p.0 == name);
        let result: Result<(), String> = match verb {
            "key" => chord(rest).map(|frames| pending.frames.extend(frames)),
            "type" => {
                for c in rest.chars() {
                    let s = c.to_string();
                    let code =
                        KeyCode::Unidentified(bevy::input::keyboard::NativeKeyCode::Unidentified);
                    pending.frames.push_back(vec![
                        Input::Key(
                            Key::Character(s.as_str().into()),
                            code,
                            ButtonState::Pressed,
                            Some(s.clone()),
                        ),
                        Input::Key(
                            Key::Character(s.as_str().into()),
                            code,
                            ButtonState::Released,
                            None,
                        ),
                    ]);
                }
                Ok(())
            }
            "wheel" => {
                let (name, lines) = rest.rsplit_once(' ').unwrap_or((rest, "3"));
                match (find(name), lines.trim().parse::<f32>()) {
                    (Some((_, _, t, n)), Ok(lines)) => {
                        pending.frames.push_back(vec![Input::Move(centre(t, n))]);
                        pending.frames.push_back(vec![Input::Wheel(lines)]);
                        Ok(())
                    }
                    (None, _) => Err(format!("no element named {name:?} to scroll")),
                    (_, Err(e)) => Err(format!("wheel lines {lines:?}: {e}")),
                }
            }
            "click" => match find(rest) {
                Some((_, _, t, n)) => {
                    let at = centre(t, n);
                    pending.frames.push_back(vec![Input::Move(at)]);
                    pending
                        .frames
                        .push_back(vec![Input::Button(ButtonState::Pressed)]);
                    pending
                        .frames
                        .push_back(vec![Input::Button(ButtonState::Released)]);
                    Ok(())
                }
                None => Err(format!("no element named {rest:?} to click")),
            },
            "drag" => {
                let mut words = rest.rsplitn(3, ' ');
                let dy = words.next().map(str::parse::<f32>);
                let dx = words.next().map(str::parse::<f32>);
                let name = words.next().unwrap_or("").trim();
                match (find(name), dx, dy) {
                    // A hidden element (a scrollbar of a list that fits) has no size.
                    (Some((_, _, _, n)), ..) if n.size().min_element() <= 0.0 => {
                        Err(format!("{name:?} is not shown, nothing to drag"))
                    }
                    (Some((_, _, t, n)), Some(Ok(dx)), Some(Ok(dy))) => {
                        let from = centre(t, n);
                        pending.frames.push_back(vec![Input::Move(from)]);
                        pending
                            .frames
                            .push_back(vec![Input::Button(ButtonState::Pressed)]);
                        const STEPS: u32 = 10;
                        for i in 1..=STEPS {
                            let at = from + Vec2::new(dx, dy) * (i as f32 / STEPS as f32);
                            pending.frames.push_back(vec![Input::Move(at)]);
                        }
                        pending
                            .frames
                            .push_back(vec![Input::Button(ButtonState::Released)]);
                        Ok(())
                    }
                    (None, ..) => Err(format!("no element named {name:?} to drag")),
                    _ => Err(format!("drag needs NAME DX DY, not {rest:?}")),
                }
            }
            "probe" => {
                let name_of = |e: Entity| {
                    named
                        .get(e)
                        .map(|(_, p, _, _)| p.0.clone())
                        .unwrap_or_else(|_| format!("{e}"))
                };
                println!("peilian-probe: screen={:?}", screen.get());
                println!(
                    "peilian-probe: focus={}",
                    focus.get().map(name_of).unwrap_or_else(|| "none".into())
                );
                let reply = named
                    .iter()
                    .find(|(_, p, _, _)| p.0 == "reply")
                    .and_then(|(e, ..)| texts.get(e).ok())
                    .map(|t| t.value().to_string())
                    .unwrap_or_default();
                println!("peilian-probe: reply={}", reply.replace('\n', "\\n"));
                let dialog = dialogs.iter().any(|n| n.display != Display::None);
                println!("peilian-probe: leave-dialog={dialog}");
                let size = Vec2::new(window.width(), window.height());
                let mut seen: Vec<String> = named
                    .iter()
                    .filter(|(e, _, t, n)| {
                        wholly_visible(*e, centre(t, n), n, size, &parents, &nodes)
                    })
                    .map(|(_, p, _, _)| p.0.clone())
                    .collect();
                seen.sort();
                println!("peilian-probe: visible={}", seen.join(","));
                // How far each named scrolling list is scrolled, as drawn (logical pixels).
                let mut scrolled: Vec<String> = named
                    .iter()
                    .filter(|(e, ..)| areas.contains(*e))
                    .map(|(_, p, _, n)| {
                        format!(
                            "{}:{:.0}",
                            p.0,
                            n.scroll_position.y * n.inverse_scale_factor
                        )
                    })
                    .collect();
                scrolled.sort();
                println!("peilian-probe: scrolled={}", scrolled.join(","));
                Ok(())
            }
            other => Err(format!("unknown action {other:?}")),
        };
        if let Err(e) = result {
            println!("peilian-probe: error={e}");
            error!("replay action #!{line}: {e}");
        }
    }
}

/// Inside the window and inside every clipping ancestor, with a size (not hidden).
fn wholly_visible(
    e: Entity,
    at: Vec2,
    n: &ComputedNode,
    window: Vec2,
    parents: &Query<&ChildOf>,
    nodes: &Query<(&Node, &UiGlobalTransform, &ComputedNode)>,
) -> bool {
    let half = n.size() * n.inverse_scale_factor * 0.5;
    if half.x <= 0.0 || half.y <= 0.0 {
        return false;
    }
    let (lo, hi) = (at - half, at + half);
    const SLACK: f32 = 1.0;
    let inside = |a: Vec2, b: Vec2| {
        lo.x >= a.x - SLACK && lo.y >= a.y - SLACK && hi.x <= b.x + SLACK && hi.y <= b.y + SLACK
    };
    if !inside(Vec2::ZERO, window) {
        return false;
    }
    for a in parents.iter_ancestors(e) {
        let Ok((node, t, cn)) = nodes.get(a) else {
            continue;
        };
        if node.display == Display::None {
            return false;
        }
        if node.overflow.x == OverflowAxis::Visible && node.overflow.y == OverflowAxis::Visible {
            continue;
        }
        let c = centre(t, cn);
        let h = cn.size() * cn.inverse_scale_factor * 0.5;
        if !inside(c - h, c + h) {
            return false;
        }
    }
    true
}

/// Write one frame's worth of pending input, as winit would have.
fn write_pending(
    mut pending: ResMut<Pending>,
    window: Single<Entity, With<PrimaryWindow>>,
    mut keys: MessageWriter<KeyboardInput>,
    mut moves: MessageWriter<CursorMoved>,
    mut buttons: MessageWriter<MouseButtonInput>,
    mut wheels: MessageWriter<MouseWheel>,
    mut events: MessageWriter<WindowEvent>,
) {
    let Some(batch) = pending.frames.pop_front() else {
        return;
    };
    let window = *window;
    for input in batch {
        match input {
            Input::Key(logical_key, key_code, state, text) => {
                let k = KeyboardInput {
                    key_code,
                    logical_key,
                    state,
                    text: text.map(Into::into),
                    repeat: false,
                    window,
                };
                events.write(WindowEvent::KeyboardInput(k.clone()));
                keys.write(k);
            }
            Input::Move(position) => {
                let m = CursorMoved {
                    window,
                    position,
                    delta: None,
                };
                events.write(WindowEvent::CursorMoved(m.clone()));
                moves.write(m);
            }
            Input::Button(state) => {
                let b = MouseButtonInput {
                    button: MouseButton::Left,
                    state,
                    window,
                };
                events.write(WindowEvent::MouseButtonInput(b));
                buttons.write(b);
            }
            Input::Wheel(lines) => {
                let w = MouseWheel {
                    unit: MouseScrollUnit::Line,
                    x: 0.0,
                    // The wheel turned towards the user (down) reads negative.
                    y: -lines,
                    window,
                    phase: TouchPhase::Moved,
                };
                events.write(WindowEvent::MouseWheel(w));
                wheels.write(w);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_press_in_order_and_release_in_reverse() {
        let f = chord("ctrl+v").expect("a chord");
        assert_eq!(f.len(), 2);
        let names = |b: &Vec<Input>| -> Vec<(Key, bool, Option<String>)> {
            b.iter()
                .map(|i| match i {
                    Input::Key(k, _, s, t) => (k.clone(), s.is_pressed(), t.clone()),
                    _ => panic!("a key"),
                })
                .collect()
        };
        assert_eq!(
            names(&f[0]),
            vec![
                (Key::Control, true, None),
                (Key::Character("v".into()), true, None)
            ]
        );
        assert_eq!(
            names(&f[1]),
            vec![
                (Key::Character("v".into()), false, None),
                (Key::Control, false, None)
            ]
        );
        assert!(chord("ctrl+nonsense").is_err());
        assert_eq!(action("#! key Tab"), Some("key Tab"));
        assert_eq!(action("亲，#!"), None);
    }
}
