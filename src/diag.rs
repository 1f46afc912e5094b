//! Diagnostics that point at a place in a file: `file:line:column: message`.

use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl Diagnostic {
    pub fn new(file: &Path, line: usize, column: usize, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            message: message.into(),
        }
    }

    /// A RON parse error, with ron's own words made plainer.
    pub fn from_ron(file: &Path, err: &ron::error::SpannedError) -> Self {
        let pos = err.span.start;
        Diagnostic::new(file, pos.line, pos.col, describe_ron(&err.code))
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for Diagnostic {}

fn describe_ron(code: &ron::Error) -> String {
    let text = code.to_string();
    format!("RON syntax: {text}")
}

/// Line and column (1-based, in chars) of byte offset `at` in `src`.
pub fn line_col(src: &str, at: usize) -> (usize, usize) {
    let at = at.min(src.len());
    let before = &src[..at];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map(|i| before[i + 1..].chars().count())
        .unwrap_or_else(|| before.chars().count())
        + 1;
    (line, col)
}

/// Where the `n`th (0-based) occurrence of the quoted string `"value"` stands after `from`,
/// as (line, column); the start of the file if it cannot be found.
pub fn locate_quoted(src: &str, value: &str, from: usize) -> (usize, usize) {
    let needle = format!("\"{value}\"");
    match src.get(from..).and_then(|s| s.find(&needle)) {
        Some(i) => line_col(src, from + i),
        None => match src.find(&needle) {
            Some(i) => line_col(src, i),
            None => (1, 1),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let src = "第一行\n中文x";
        let at = src.find('x').unwrap();
        assert_eq!(line_col(src, at), (2, 3));
    }
}
