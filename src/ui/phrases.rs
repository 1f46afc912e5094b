//! 快捷短语: phrases the trainee keeps at hand, inserts with a click (or Ctrl+1…9), and edits:
//! 改 edits a phrase in place (保存 or Enter keeps it, 取消 or Esc leaves it as it was); 删
//! removes it and offers 撤销 until the session ends.
//! They are kept one per line in `phrases.txt` beside the results folder
//! (`$PEILIAN_PHRASES` overrides the file); scripted runs use the defaults and write nothing.

use super::chat::model::{ModelUpdated, ReplyBox, ReplyInput};
use super::strings::{self as s, fill};
use super::theme::{palette, size};
use super::widgets::{self, ButtonKind, Probe};
use super::{Launch, Screen};
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::input_focus::{FocusedInput, InputFocus};
use bevy::prelude::*;
use bevy::text::EditableText;
use bevy::ui_widgets::{Activate, ScrollArea};
use std::path::{Path, PathBuf};

/// Longest quick phrase, in characters.
const MAX_PHRASE_CHARS: usize = 200;

#[derive(Resource, Debug, Clone, Default)]
pub struct Phrases {
    pub list: Vec<String>,
    /// Where they are saved; None for scripted runs.
    pub path: Option<PathBuf>,
    /// The phrase being edited in place (改), by index.
    editing: Option<usize>,
    /// Phrases deleted this session, latest last, with where they were: 撤销 puts the
    /// latest back.
    deleted: Vec<(usize, String)>,
    /// Why the last save failed.
    error: Option<String>,
}

impl Phrases {
    pub fn defaults() -> Vec<String> {
        s::DEFAULT_PHRASES.lines().map(str::to_string).collect()
    }

    /// Read `path` (one phrase a line); the defaults when it does not exist yet.
    pub fn load(path: Option<PathBuf>) -> Phrases {
        let list = path
            .as_deref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .map(|t| {
                t.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_else(Phrases::defaults);
        Phrases {
            list,
            path,
            ..default()
        }
    }

    fn save(&mut self) {
        let Some(p) = &self.path else {
            return;
        };
        self.error = write_atomic(p, &self.list.join("\n"))
            .err()
            .map(|e| format!("{}: {e}", p.display()));
        if let Some(e) = &self.error {
            warn!("cannot save quick phrases to {e}");
        }
    }
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("txt.tmp");
    std::fs::write(&tmp, format!("{text}\n"))?;
    std::fs::rename(&tmp, path)
}

/// `$PEILIAN_PHRASES`, else `phrases.txt` beside the default results folder.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("PEILIAN_PHRASES") {
        return PathBuf::from(p);
    }
    let results = crate::session::results_dir(None);
    results
        .parent()
        .map(|d| d.join("phrases.txt"))
        .unwrap_or_else(|| PathBuf::from("phrases.txt"))
}

pub fn plugin(app: &mut App) {
    let scripted = app
        .world()
        .get_resource::<Launch>()
        .is_some_and(|l| l.scripted);
    app.insert_resource(Phrases::load((!scripted).then(default_path)))
        .add_systems(
            Update,
            rebuild.after(ModelUpdated).run_if(in_state(Screen::Chat)),
        )
        .add_systems(OnExit(Screen::Chat), end_of_session)
        .add_observer(on_activate);
}

/// Where the chat screen wants the phrases.
#[derive(Component)]
pub struct PhrasesSlot;

#[derive(Component)]
struct PhrasesContent;

#[derive(Component)]
struct NewPhraseInput;

/// The box a phrase is edited in.
#[derive(Component)]
pub struct PhraseEditInput;

#[derive(Component, Clone, Copy, Debug)]
enum PhraseAction {
    Insert(usize),
    Edit(usize),
    Delete(usize),
    Add,
    SaveEdit,
    CancelEdit,
    Undo,
}

/// Leaving the chat ends the chance to undo a deletion or finish an edit.
fn end_of_session(mut phrases: ResMut<Phrases>) {
    phrases.editing = None;
    phrases.deleted.clear();
}

impl Phrases {
    /// 改 → 保存: replace phrase `i` (an empty text leaves it as it was).
    fn replace(&mut self, i: usize, text: &str) {
        let t = text.trim();
        if let Some(p) = self.list.get_mut(i)
            && !t.is_empty()
            && p != t
        {
            *p = t.to_string();
            self.save();
        }
        self.editing = None;
    }

    /// 取消 / Esc: leave the phrase as it was.
    pub fn cancel_edit(&mut self) {
        if self.editing.is_some() {
            self.editing = None;
        }
    }

    /// 删: remove phrase `i`, remembering it for 撤销.
    fn delete(&mut self, i: usize) {
        if i < self.list.len() {
            let p = self.list.remove(i);
            self.deleted.push((i, p));
            self.editing = None;
            self.save();
        }
    }

    /// 撤销: put the latest deleted phrase back where it was.
    fn undo(&mut self) {
        if let Some((i, p)) = self.deleted.pop() {
            self.list.insert(i.min(self.list.len()), p);
            self.save();
        }
    }
}

fn rebuild(
    mut commands: Commands,
    phrases: ResMut<Phrases>,
    slots: Query<Entity, With<PhrasesSlot>>,
    added: Query<(), Added<PhrasesSlot>>,
    content: Query<Entity, With<PhrasesContent>>,
) {
    if !phrases.is_changed() && added.is_empty() {
        return;
    }
    let Ok(slot) = slots.single() else {
        return;
    };
    for c in &content {
        commands.entity(c).despawn();
    }
    let editing = phrases.editing;
    commands.entity(slot).with_children(|slot| {
        slot.spawn((PhrasesContent, widgets::panel()))
            .insert(Node {
                flex_direction: FlexDirection::Column,
                flex_grow: 1.0,
                min_height: px(0),
                padding: px(12).all(),
                row_gap: px(6),
                border: px(1).all(),
                border_radius: BorderRadius::all(px(8)),
                ..default()
            })
            .with_children(|p| {
                p.spawn(widgets::header(s::PHRASES));
                p.spawn(widgets::dim(s::PHRASES_NOTE));
                p.spawn((
                    ScrollArea,
                    widgets::Probe::new("phrase-list"),
                    Node {
                        flex_direction: FlexDirection::Column,
                        flex_grow: 1.0,
                        min_height: px(0),
                        row_gap: px(2),
                        overflow: Overflow::scroll_y(),
                        ..default()
                    },
                ))
                .with_children(|list| {
                    if phrases.list.is_empty() {
                        list.spawn(widgets::dim(s::PHRASES_EMPTY));
                    }
                    for (i, phrase) in phrases.list.iter().enumerate() {
                        if editing == Some(i) {
                            edit_row(list, phrase);
                        } else {
                            phrase_row(list, i, phrase);
                        }
                    }
                });
                if let Some((_, gone)) = phrases.deleted.last() {
                    p.spawn(widgets::row(6)).with_children(|r| {
                        let short: String = gone.chars().take(12).collect();
                        let short = if short.len() < gone.len() {
                            format!("{short}…")
                        } else {
                            short
                        };
                        r.spawn((
                            widgets::text(
                                fill(s::PHRASES_DELETED, &[&short]),
                                size::SMALL,
                                palette::TEXT_DIM,
                            ),
                            Node {
                                flex_grow: 1.0,
                                min_width: px(0),
                                ..default()
                            },
                        ));
                        r.spawn((
                            Probe::new("phrase-undo"),
                            widgets::small_button(s::PHRASES_UNDO, PhraseAction::Undo),
                        ));
                    });
                }
                if let Some(e) = &phrases.error {
                    p.spawn(widgets::text(e.clone(), size::SMALL, palette::BAD));
                }
                p.spawn(widgets::dim(s::PHRASES_NEW));
                p.spawn(widgets::row(6)).with_children(|r| {
                    let mut input = r.spawn((
                        NewPhraseInput,
                        Node {
                            flex_grow: 1.0,
                            min_width: px(0),
                            border: px(1).all(),
                            padding: UiRect::axes(px(6), px(4)),
                            border_radius: BorderRadius::all(px(4)),
                            ..default()
                        },
                        EditableText {
                            max_characters: Some(MAX_PHRASE_CHARS),
                            ..default()
                        },
                        widgets::text_box_style(size::SMALL),
                    ));
                    input.observe(on_new_phrase_key);
                    r.spawn((
                        Probe::new("phrase-add"),
                        widgets::button(s::PHRASES_ADD, ButtonKind::Plain, PhraseAction::Add),
                    ));
                });
            });
    });
}

/// Phrase being edited: its text in a box, 保存 and 取消, where the phrase was.
fn edit_row(list: &mut ChildSpawnerCommands, phrase: &str) {
    list.spawn(widgets::column(4)).with_children(|c| {
        c.spawn((
            PhraseEditInput,
            Probe::new("phrase-edit-box"),
            Node {
                border: px(1).all(),
                padding: UiRect::axes(px(6), px(4)),
                border_radius: BorderRadius::all(px(4)),
                ..default()
            },
            // Three lines, so a whole phrase shows in the narrow side panel at 1024×700.
            EditableText {
                max_characters: Some(MAX_PHRASE_CHARS),
                visible_lines: Some(3.0),
                ..EditableText::new(phrase)
            },
            TextLayout::new(Justify::Left, LineBreak::WordOrCharacter),
            widgets::text_box_style(size::SMALL),
            bevy::input_focus::AutoFocus,
        ))
        .observe(on_edit_key);
        c.spawn(widgets::row(6)).with_children(|r| {
            r.spawn(widgets::spacer());
            r.spawn((
                Probe::new("phrase-cancel"),
                widgets::small_button(s::PHRASES_CANCEL, PhraseAction::CancelEdit),
            ));
            r.spawn((
                Probe::new("phrase-save"),
                widgets::small_button(s::PHRASES_SAVE, PhraseAction::SaveEdit),
            ));
        });
    });
}

/// Enter in the edit box saves (Esc, which cancels, is the chat screen's key).
fn on_edit_key(
    mut ev: On<FocusedInput<KeyboardInput>>,
    inputs: Query<&EditableText>,
    mut phrases: ResMut<Phrases>,
) {
    if !ev.input.state.is_pressed() {
        return;
    }
    let Ok(input) = inputs.get(ev.focused_entity) else {
        return;
    };
    if input.is_composing() {
        return;
    }
    let Some(i) = phrases.editing else {
        return;
    };
    if ev.input.logical_key == Key::Enter {
        ev.propagate(false);
        phrases.replace(i, &input.value().to_string());
    }
}

fn phrase_row(list: &mut ChildSpawnerCommands, i: usize, phrase: &str) {
    list.spawn(widgets::row(2)).with_children(|r| {
        r.spawn(widgets::clickable(
            ButtonKind::Flat,
            PhraseAction::Insert(i),
            Node {
                flex_grow: 1.0,
                min_width: px(0),
                padding: UiRect::axes(px(6), px(4)),
                border_radius: BorderRadius::all(px(4)),
                ..default()
            },
        ))
        .with_children(|b| {
            let label = if i < 9 {
                format!("{}. {phrase}", i + 1)
            } else {
                phrase.to_string()
            };
            b.spawn((
                widgets::text(label, size::SMALL, palette::TEXT),
                Pickable::IGNORE,
            ));
        });
        for (label, action, name) in [
            (s::PHRASES_EDIT, PhraseAction::Edit(i), "phrase-edit"),
            (s::PHRASES_DELETE, PhraseAction::Delete(i), "phrase-delete"),
        ] {
            r.spawn(Probe::new(format!("{name}-{i}")))
                .insert(widgets::clickable(
                    ButtonKind::Flat,
                    action,
                    Node {
                        padding: UiRect::axes(px(4), px(2)),
                        border_radius: BorderRadius::all(px(4)),
                        ..default()
                    },
                ))
                .with_children(|b| {
                    b.spawn((
                        widgets::text(label, size::SMALL, palette::TEXT_DIM),
                        Pickable::IGNORE,
                    ));
                });
        }
    });
}

/// Enter in the new-phrase box adds it.
fn on_new_phrase_key(
    mut ev: On<FocusedInput<KeyboardInput>>,
    inputs: Query<&EditableText>,
    mut phrases: ResMut<Phrases>,
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
    add(&mut phrases, &input.value().to_string());
}

fn add(phrases: &mut Phrases, text: &str) {
    let t = text.trim();
    if !t.is_empty() {
        phrases.list.push(t.to_string());
        phrases.save();
    }
}

#[allow(clippy::type_complexity)]
fn on_activate(
    ev: On<Activate>,
    actions: Query<&PhraseAction>,
    mut phrases: ResMut<Phrases>,
    new_input: Query<&EditableText, (With<NewPhraseInput>, Without<ReplyInput>)>,
    edit_input: Query<&EditableText, (With<PhraseEditInput>, Without<ReplyInput>)>,
    mut reply: ReplyBox,
    mut focus: ResMut<InputFocus>,
) {
    let Ok(action) = actions.get(ev.entity) else {
        return;
    };
    match *action {
        PhraseAction::Insert(i) => {
            if let Some(p) = phrases.list.get(i) {
                reply.insert(p, &mut focus);
            }
        }
        PhraseAction::Edit(i) => {
            if i < phrases.list.len() {
                phrases.editing = Some(i);
            }
        }
        PhraseAction::Delete(i) => {
            phrases.delete(i);
            reply.focus(&mut focus);
        }
        PhraseAction::Undo => {
            phrases.undo();
            reply.focus(&mut focus);
        }
        PhraseAction::SaveEdit => {
            if let (Some(i), Ok(input)) = (phrases.editing, edit_input.single()) {
                let text = input.value().to_string();
                phrases.replace(i, &text);
            }
            reply.focus(&mut focus);
        }
        PhraseAction::CancelEdit => {
            phrases.editing = None;
            reply.focus(&mut focus);
        }
        PhraseAction::Add => {
            if let Ok(input) = new_input.single() {
                add(&mut phrases, &input.value().to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_round_trip_through_their_file() {
        let dir = std::env::temp_dir().join(format!("peilian-phrases-{}", std::process::id()));
        let path = dir.join("phrases.txt");
        let mut p = Phrases::load(Some(path.clone()));
        assert_eq!(p.list, Phrases::defaults());
        add(&mut p, "  亲，在的，请问有什么可以帮您？ ");
        let back = Phrases::load(Some(path));
        assert_eq!(
            back.list.last().map(String::as_str),
            Some("亲，在的，请问有什么可以帮您？")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn edit_replaces_in_place_and_delete_can_be_undone() {
        let dir = std::env::temp_dir().join(format!("peilian-phrases-edit-{}", std::process::id()));
        let path = dir.join("phrases.txt");
        let mut p = Phrases::load(Some(path.clone()));
        let n = p.list.len();
        let second = p.list[1].clone();
        // An empty edit keeps the phrase; a real one replaces it where it was.
        p.editing = Some(1);
        p.replace(1, "   ");
        assert_eq!(p.list[1], second);
        assert_eq!(p.editing, None);
        p.replace(1, "亲，稍等，我帮您查一下。");
        assert_eq!(p.list.len(), n);
        assert_eq!(
            Phrases::load(Some(path.clone())).list[1],
            "亲，稍等，我帮您查一下。"
        );
        // Delete, then undo: back in its place, and saved so.
        p.delete(0);
        assert_eq!(Phrases::load(Some(path.clone())).list.len(), n - 1);
        p.undo();
        assert_eq!(p.list.len(), n);
        assert_eq!(p.list[0], Phrases::defaults()[0]);
        assert_eq!(Phrases::load(Some(path)).list, p.list);
        let _ = std::fs::remove_dir_all(dir);
    }
}
