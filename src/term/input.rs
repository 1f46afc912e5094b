//! Reading the trainee's replies in the terminal: a line editor on a terminal (rustyline:
//! cursor keys, Home/End, backspace over wide characters, this session's history, Ctrl+C to
//! leave), plain line reading when stdin is piped. Either way, control and escape sequences
//! are removed before a reply is scored.

use std::io::{BufRead, IsTerminal};

/// What one read gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// One line, cleaned of control and escape sequences.
    Line(String),
    /// End of input (Ctrl+D, or the pipe closed).
    End,
    /// Ctrl+C: the trainee wants to leave.
    Interrupted,
}

/// Where replies come from.
pub trait Replies {
    /// Read one line after showing `prompt` (shown on a terminal only).
    fn read(&mut self, prompt: &str) -> Input;
    /// Is a person typing at a terminal?
    fn interactive(&self) -> bool;
}

/// Replies read line by line from any reader (a pipe, a file, a test's bytes).
pub struct PlainLines<R> {
    input: R,
}

impl<R: BufRead> PlainLines<R> {
    pub fn new(input: R) -> Self {
        PlainLines { input }
    }
}

impl<R: BufRead> Replies for PlainLines<R> {
    /// A line longer than a reply may be is refused with a message and skipped without being
    /// held (see `crate::textio`).
    fn read(&mut self, _prompt: &str) -> Input {
        use crate::textio::{Read, read_line_bounded};
        let mut buf = Vec::new();
        loop {
            match read_line_bounded(&mut self.input, &mut buf, crate::session::MAX_REPLY_BYTES) {
                Ok(Read::End) | Err(_) => return Input::End,
                Ok(Read::Line) => return Input::Line(clean_line(&String::from_utf8_lossy(&buf))),
                Ok(Read::TooLong { chars, .. }) => println!(
                    "  {}",
                    crate::session::ReplyError::TooLong(chars.try_into().unwrap_or(usize::MAX))
                ),
            }
        }
    }
    fn interactive(&self) -> bool {
        false
    }
}

/// A line editor on the terminal, with this session's replies as history.
pub struct Editor {
    editor: rustyline::DefaultEditor,
}

impl Replies for Editor {
    fn read(&mut self, prompt: &str) -> Input {
        use rustyline::error::ReadlineError;
        match self.editor.readline(prompt) {
            Ok(line) => {
                let line = clean_line(&line);
                if !line.trim().is_empty() {
                    let _ = self.editor.add_history_entry(line.as_str());
                }
                Input::Line(line)
            }
            Err(ReadlineError::Interrupted) => Input::Interrupted,
            Err(_) => Input::End,
        }
    }
    fn interactive(&self) -> bool {
        true
    }
}

/// Replies from standard input: the line editor when both ends are a terminal, else plain
/// lines.
pub fn stdin_replies() -> Box<dyn Replies> {
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        let config = rustyline::Config::builder()
            .auto_add_history(false)
            .max_history_size(500)
            .map(|b| b.build());
        if let Ok(editor) = config.and_then(rustyline::DefaultEditor::with_config) {
            return Box::new(Editor { editor });
        }
        // No usable terminal after all: plain reading below.
    }
    Box::new(PlainLines::new(std::io::stdin().lock()))
}

/// A line as typed or piped, without its line ending, ANSI escape sequences (cursor keys
/// such as `ESC [ D`, colours, window titles) and other control characters. A tab becomes a
/// space.
pub fn clean_line(raw: &str) -> String {
    let raw = raw.trim_end_matches(['\n', '\r']);
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                // CSI: ESC [ parameters/intermediates, ended by a byte in @..=~.
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                // OSC, DCS, SOS, PM, APC: up to BEL or ESC \.
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                            chars.next();
                            break;
                        }
                    }
                }
                // SS3 (ESC O A: cursor keys in application mode): one more character.
                Some('O') => {
                    chars.next();
                }
                // Any other two-character escape.
                _ => {}
            },
            // 8-bit CSI.
            '\u{9b}' => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_keys_and_colours_never_reach_a_reply() {
        assert_eq!(clean_line("亲，您好\x1b[D\x1b[DX"), "亲，您好X");
        assert_eq!(clean_line("\x1b[1;31m红\x1b[0m字\r\n"), "红字");
        assert_eq!(clean_line("a\x1bOAb"), "ab");
        assert_eq!(clean_line("\x1b]0;title\x07好的"), "好的");
        assert_eq!(clean_line("\x1b]8;;http://x\x1b\\链接"), "链接");
        assert_eq!(clean_line("x\u{9b}2Ky"), "xy");
    }

    #[test]
    fn other_control_characters_go_and_tabs_become_spaces() {
        assert_eq!(clean_line("亲\u{8}\u{7f}\u{0}在\t呢"), "亲在 呢");
        assert_eq!(
            clean_line("您好，有什么可以帮您？"),
            "您好，有什么可以帮您？"
        );
    }

    #[test]
    fn plain_lines_are_cleaned_and_end_at_eof() {
        let mut r = PlainLines::new(&b"\xe4\xba\xb2\x1b[D\n\nlast"[..]);
        assert_eq!(r.read("> "), Input::Line("亲".into()));
        assert_eq!(r.read("> "), Input::Line(String::new()));
        assert_eq!(r.read("> "), Input::Line("last".into()));
        assert_eq!(r.read("> "), Input::End);
        assert!(!r.interactive());
    }
}
