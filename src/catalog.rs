//! Where the scenarios are and which rubric applies: the lookups every front end shares
//! (terminal, drills, reports, the window), below the command line.

use std::path::PathBuf;
use std::process::ExitCode;

/// Where to find the courseware: the scenario folder and the rubric file.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Scenario folder (None: `$PEILIAN_SCENARIOS` or `./scenarios`).
    pub scenarios: Option<PathBuf>,
    /// Rubric file (None: the built-in `assets/rubric/courseware.ron`).
    pub rubric: Option<PathBuf>,
    /// Shop profile to play in: a file, or the id of one in the scenario folder's `shops/`
    /// (None: each scenario's own shop, else the first profile that stocks it).
    pub shop: Option<String>,
}

/// Load the rubric named in `sources`, or the built-in one. Problems go to stderr.
pub fn load_rubric(sources: &Sources) -> Result<crate::rubric::Rubric, ExitCode> {
    match &sources.rubric {
        None => Ok(crate::rubric::Rubric::builtin()),
        Some(p) => crate::rubric::Rubric::load(p).map_err(|ds| {
            for d in ds {
                eprintln!("{d}");
            }
            ExitCode::from(2)
        }),
    }
}

/// The shop profile named in `sources`, loaded (None when none is named). Problems go to
/// stderr.
pub fn load_shop(
    sources: &Sources,
) -> Result<Option<crate::scenario::shop::ShopProfile>, ExitCode> {
    match &sources.shop {
        None => Ok(None),
        Some(name) => crate::scenario::shop::resolve(name, &scenario_dir(sources))
            .map(Some)
            .map_err(|ds| {
                for d in ds {
                    eprintln!("{d}");
                }
                ExitCode::from(2)
            }),
    }
}

/// Every scenario of the folder named in `sources`, in the shop it names (scenarios that
/// shop cannot play are listed in `not_stocked`).
pub fn load_scenarios(
    sources: &Sources,
    rubric: &crate::rubric::Rubric,
    shop: Option<&crate::scenario::shop::ShopProfile>,
) -> crate::scenario::Loaded {
    crate::scenario::load_dir_in(&scenario_dir(sources), rubric, shop)
}

/// The scenario folder named in `sources`, else the default one.
pub fn scenario_dir(sources: &Sources) -> PathBuf {
    sources
        .scenarios
        .clone()
        .unwrap_or_else(crate::scenario::default_dir)
}

/// The trainee's name when none is given: the login name, if it is a usable name.
pub fn default_trainee() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .and_then(|u| check_trainee(&u).ok())
        .unwrap_or_else(|| "trainee".into())
}

/// A trainee's name as typed, checked: surrounding spaces are dropped; an empty name, one of
/// spaces only, one without any letter or digit (`.`, `..`, `-`) or one holding a control
/// character (newline, tab, …) is refused with the problem named.
pub fn check_trainee(raw: &str) -> Result<String, String> {
    if let Some((i, c)) = raw.chars().enumerate().find(|(_, c)| c.is_control()) {
        let what = match c {
            '\n' => "a newline".to_string(),
            '\r' => "a carriage return".to_string(),
            '\t' => "a tab".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        return Err(format!(
            "学员姓名不能含有换行、制表符等控制字符 (the trainee name contains {what} at character {})",
            i + 1
        ));
    }
    let name = raw.trim();
    if raw.is_empty() {
        return Err("学员姓名不能为空 (the trainee name is empty)".into());
    }
    if name.is_empty() {
        return Err("学员姓名不能只有空格 (the trainee name is only spaces)".into());
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(format!(
            "学员姓名至少要有一个字或字母、数字 (`{name}` has no letter or digit)"
        ));
    }
    Ok(name.to_string())
}

/// Longest trainee name shown whole, in characters; longer names are shortened on screen
/// (never in files).
pub const NAME_DISPLAY_CHARS: usize = 24;

/// A trainee's name for display: names longer than [`NAME_DISPLAY_CHARS`] are cut and end
/// in `…`.
pub fn display_name(name: &str) -> String {
    if name.chars().count() <= NAME_DISPLAY_CHARS {
        return name.to_string();
    }
    let mut s: String = name.chars().take(NAME_DISPLAY_CHARS - 1).collect();
    s.push('…');
    s
}

/// A fresh seed for a session when none is given.
pub fn random_seed() -> u64 {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    (t ^ (std::process::id() as u64).rotate_left(32)) % 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_trainee_names_are_refused_with_the_problem_named() {
        assert!(check_trainee("").unwrap_err().contains("empty"));
        assert!(check_trainee("   ").unwrap_err().contains("only spaces"));
        assert!(
            check_trainee(".")
                .unwrap_err()
                .contains("no letter or digit")
        );
        assert!(
            check_trainee("..")
                .unwrap_err()
                .contains("no letter or digit")
        );
        let e = check_trainee("小王\n").unwrap_err();
        assert!(e.contains("a newline at character 3"), "{e}");
        assert!(check_trainee("a\tb").unwrap_err().contains("a tab"));
        assert!(check_trainee("a\u{1b}b").unwrap_err().contains("U+001B"));
    }

    #[test]
    fn good_names_pass_trimmed() {
        assert_eq!(check_trainee("  小王 ").as_deref(), Ok("小王"));
        assert_eq!(
            check_trainee("Wang Xiaoming").as_deref(),
            Ok("Wang Xiaoming")
        );
        assert_eq!(check_trainee("客服-07").as_deref(), Ok("客服-07"));
    }

    #[test]
    fn long_names_are_shortened_for_display_only() {
        let long = "很".repeat(100);
        assert_eq!(check_trainee(&long).as_deref(), Ok(long.as_str()));
        let shown = display_name(&long);
        assert_eq!(shown.chars().count(), NAME_DISPLAY_CHARS);
        assert!(shown.ends_with('…'));
        assert_eq!(display_name("小王"), "小王");
    }
}
