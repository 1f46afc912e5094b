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

/// Where `field: "value"` stands in `src` (the quoted value), as (line, column); the first
/// quoted `"value"` if no field precedes it, else the start of the file.
pub fn locate_field(src: &str, field: &str, value: &str) -> (usize, usize) {
    let needle = format!("\"{value}\"");
    let mut at = 0;
    while let Some(i) = src.get(at..).and_then(|s| s.find(&needle)) {
        let pos = at + i;
        let before = src[..pos].trim_end();
        if before
            .strip_suffix(':')
            .is_some_and(|b| b.trim_end().ends_with(field))
        {
            return line_col(src, pos);
        }
        at = pos + needle.len();
    }
    locate_quoted(src, value, 0)
}

/// A name that must be unique across files (a scenario id, a drill name), where it is set.
#[derive(Debug, Clone)]
pub struct Defined {
    pub name: String,
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Defined {
    /// `name` as set by `field: "name"` in `src`, the text of `file`.
    pub fn find(file: &Path, src: &str, field: &str, name: &str) -> Defined {
        let (line, column) = locate_field(src, field, name);
        Defined {
            name: name.to_string(),
            file: file.to_path_buf(),
            line,
            column,
        }
    }
}

/// One diagnostic for each repeat of a name, at the repeat, naming where it was first set
/// (`items` in the order they are loaded, so the first file by name wins). `what` names the
/// kind, e.g. "scenario id".
pub fn duplicates(what: &str, items: &[Defined]) -> Vec<Diagnostic> {
    let mut first: std::collections::HashMap<&str, &Defined> = Default::default();
    let mut out = Vec::new();
    for d in items {
        match first.get(d.name.as_str()) {
            Some(f) => out.push(Diagnostic::new(
                &d.file,
                d.line,
                d.column,
                format!(
                    "{what} `{}` is already used by {}:{}:{} (it must be unique: the first file by name is loaded, this one is not)",
                    d.name,
                    f.file.display(),
                    f.line,
                    f.column
                ),
            )),
            None => {
                first.insert(&d.name, d);
            }
        }
    }
    out
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

    #[test]
    fn repeats_name_the_first_place() {
        let a = "(\n  // \"x\" in a comment\n  id: \"x\",\n)";
        let b = "(title: \"x\", id : \"x\")";
        let items = [
            Defined::find(Path::new("a.ron"), a, "id", "x"),
            Defined::find(Path::new("b.ron"), b, "id", "x"),
            Defined::find(Path::new("c.ron"), b, "id", "y"),
        ];
        assert_eq!((items[0].line, items[0].column), (3, 7));
        let d = duplicates("scenario id", &items);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].to_string(),
            "b.ron:1:19: scenario id `x` is already used by a.ron:3:7 (it must be unique: the first file by name is loaded, this one is not)"
        );
    }
}
