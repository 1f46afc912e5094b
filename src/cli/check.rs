//! `peilian check`: validate scenarios, drill plans and rubrics.

use super::{CheckArgs, load_rubric, scenario_dir};
use crate::diag::{Defined, Diagnostic, duplicates};
use crate::rubric::Rubric;
use crate::scenario::shop::ShopProfile;
use crate::scenario::{Scenario, ShopChoice, check::validate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What kind of RON file this is, judged from its first item.
fn kind_of(src: &str) -> &'static str {
    let body: String = src
        .lines()
        .map(|l| l.trim())
        .filter(|l| !l.starts_with("//") && !l.is_empty() && !l.starts_with("#!"))
        .collect::<Vec<_>>()
        .join(" ");
    if body.starts_with("RubricFile") {
        "rubric"
    } else if body.starts_with("ShopProfile") {
        "shop"
    } else if body.starts_with("DrillPlan") {
        "drill"
    } else {
        "scenario"
    }
}

/// Check one file; problems come back as diagnostics. Err = unreadable.
pub fn check_file(
    path: &Path,
    rubric: &Rubric,
    scenarios: &Path,
    shop: Option<&ShopProfile>,
) -> Result<Vec<Diagnostic>, Diagnostic> {
    let src = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::new(path, 1, 1, format!("cannot read: {e}")))?;
    Ok(match kind_of(&src) {
        "rubric" => match Rubric::from_str(&src, path) {
            Ok(_) => Vec::new(),
            Err(d) => d,
        },
        "shop" => match ShopProfile::parse(&src, path) {
            Ok(p) => p.validate(&src),
            Err(d) => vec![d],
        },
        "drill" => crate::drill::check_plan(&src, path, scenarios, rubric),
        _ => match Scenario::parse_as_written(&src, path) {
            Err(d) => vec![d],
            Ok(s) => check_pairings(s, &src, path, rubric, shop),
        },
    })
}

/// A scenario checked in every shop it can be played in: its own, or each profile of the
/// `shops/` beside it (or only `shop`, when one is given) that stocks what it needs. Every
/// placeholder must be filled and every model answer must hold in each of them.
fn check_pairings(
    s: Scenario,
    src: &str,
    path: &Path,
    rubric: &Rubric,
    shop: Option<&ShopProfile>,
) -> Vec<Diagnostic> {
    let profiles: Vec<ShopProfile> = match shop {
        Some(p) => vec![p.clone()],
        None => crate::scenario::shop::load_dir(&crate::scenario::shop::dir_beside(path)).0,
    };
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut played = 0;
    let choices: Vec<ShopChoice> = if s.own_shop.is_some() {
        if shop.is_none() {
            vec![ShopChoice::Default(&[])]
        } else {
            Vec::new()
        }
    } else {
        profiles
            .iter()
            .filter(|p| p.product_for(&s.needs).is_some())
            .map(ShopChoice::Given)
            .collect()
    };
    for choice in choices {
        let mut one = s.clone();
        match one.choose_shop(choice, src) {
            Err(d) => out.push(d),
            Ok(()) => {
                played += 1;
                for d in validate(&one, src, rubric) {
                    if !out.contains(&d) {
                        out.push(d);
                    }
                }
            }
        }
    }
    if played == 0 && out.is_empty() {
        match shop {
            // Not a pairing: the chosen shop simply does not sell what this scenario is about.
            Some(p) => eprintln!(
                "note: `{}` is not played in shop `{}` (it needs {})",
                s.id,
                p.id,
                if s.own_shop.is_some() {
                    "its own shop".to_string()
                } else {
                    ShopProfile::describe_needs(&s.needs)
                }
            ),
            None => {
                if let Err(d) = s.clone().choose_shop(ShopChoice::Default(&profiles), src) {
                    out.push(d);
                }
            }
        }
    }
    out
}

/// The name a file defines that must be unique across files: a scenario's `id` or a drill
/// plan's `name` (None for rubrics and files that do not parse).
fn defined(path: &Path) -> Option<(&'static str, Defined)> {
    let src = std::fs::read_to_string(path).ok()?;
    match kind_of(&src) {
        "rubric" | "shop" => None,
        "drill" => crate::drill::DrillPlan::parse(&src, path)
            .ok()
            .map(|p| ("drill", Defined::find(path, &src, "name", &p.name))),
        _ => Scenario::parse_as_written(&src, path)
            .ok()
            .map(|s| ("scenario", Defined::find(path, &src, "id", &s.id))),
    }
}

fn expand(p: &Path) -> std::io::Result<Vec<PathBuf>> {
    if p.is_dir() {
        let mut v = crate::scenario::files_in(p)?;
        for sub in ["shops", "drills"] {
            let d = p.join(sub);
            if d.is_dir() {
                v.extend(crate::scenario::files_in(&d)?);
            }
        }
        Ok(v)
    } else {
        std::fs::metadata(p)?;
        Ok(vec![p.to_path_buf()])
    }
}

pub fn run(a: CheckArgs) -> ExitCode {
    let rubric = match load_rubric(&a.common) {
        Ok(r) => r,
        Err(c) => return c,
    };
    let dir = scenario_dir(&a.common);
    let shop = match crate::catalog::load_shop(&a.common.sources()) {
        Ok(s) => s,
        Err(c) => return c,
    };
    let paths = if a.paths.is_empty() {
        let mut v = vec![dir.clone()];
        let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join(crate::rubric::BUILTIN_PATH);
        v.push(a.common.rubric.clone().unwrap_or(
            if Path::new(crate::rubric::BUILTIN_PATH).is_file() {
                PathBuf::from(crate::rubric::BUILTIN_PATH)
            } else {
                builtin
            },
        ));
        v
    } else {
        a.paths.clone()
    };
    let mut problems = 0;
    let mut unreadable = 0;
    let mut seen = std::collections::HashSet::new();
    let (mut ids, mut drills) = (Vec::new(), Vec::new());
    let mut files = 0;
    for p in &paths {
        let list = match expand(p) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", p.display());
                unreadable += 1;
                continue;
            }
        };
        for f in list {
            // The same file named twice is checked once.
            if !seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())) {
                continue;
            }
            files += 1;
            match defined(&f) {
                Some(("drill", d)) => drills.push(d),
                Some((_, d)) => ids.push(d),
                None => {}
            }
            match check_file(&f, &rubric, &dir, shop.as_ref()) {
                Ok(ds) => {
                    for d in &ds {
                        println!("{d}");
                    }
                    problems += ds.len();
                }
                Err(d) => {
                    eprintln!("{d}");
                    unreadable += 1;
                }
            }
        }
    }
    // Across files: scenario ids and drill names must be unique.
    for d in duplicates("scenario id", &ids)
        .into_iter()
        .chain(duplicates("drill name", &drills))
    {
        println!("{d}");
        problems += 1;
    }
    eprintln!(
        "checked {files} file(s): {problems} problem(s){}",
        if unreadable > 0 {
            format!(", {unreadable} unreadable")
        } else {
            String::new()
        }
    );
    if unreadable > 0 {
        ExitCode::from(2)
    } else if problems > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
