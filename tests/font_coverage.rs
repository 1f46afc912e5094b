//! Every character the window can show has a glyph in the shipped CJK font: the strings of the
//! shipped scenarios, the rubric, the UI strings, and the text the simulation itself writes.

use skrifa::MetadataProvider;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const FONT: &str = "assets/fonts/WenQuanYiMicroHei.ttf";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The contents of the string (and, for Rust, char) literals in RON or Rust source, skipping
/// comments. Escapes are kept as written except `\n`, `\t`, `\"`, `\\`, `\'`, `\u{..}`.
fn literals(src: &str, rust: bool) -> Vec<String> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        match (c[i], at(i + 1)) {
            ('/', '/') => {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            }
            ('/', '*') => {
                i += 2;
                while i < c.len() && !(c[i] == '*' && at(i + 1) == '/') {
                    i += 1;
                }
                i += 2;
            }
            ('r', '"') | ('r', '#')
                if i == 0 || !(c[i - 1].is_alphanumeric() || c[i - 1] == '_') =>
            {
                // Raw string: r#"…"#
                let mut j = i + 1;
                let mut hashes = 0;
                while at(j) == '#' {
                    hashes += 1;
                    j += 1;
                }
                if at(j) != '"' {
                    i += 1;
                    continue;
                }
                j += 1;
                let start = j;
                loop {
                    if j >= c.len() {
                        break;
                    }
                    if c[j] == '"' && (0..hashes).all(|k| at(j + 1 + k) == '#') {
                        break;
                    }
                    j += 1;
                }
                out.push(c[start..j.min(c.len())].iter().collect());
                i = j + 1 + hashes;
            }
            ('"', _) => {
                let mut s = String::new();
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' {
                        i += 1;
                        match at(i) {
                            'n' | 't' | 'r' | '\n' => {}
                            'u' if at(i + 1) == '{' => {
                                let end = (i..c.len()).find(|&k| c[k] == '}').unwrap_or(i);
                                let hex: String = c[i + 2..end].iter().collect();
                                if let Some(ch) =
                                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                                {
                                    s.push(ch);
                                }
                                i = end;
                            }
                            other => s.push(other),
                        }
                    } else {
                        s.push(c[i]);
                    }
                    i += 1;
                }
                out.push(s);
                i += 1;
            }
            ('\'', next) if rust => {
                // A char literal, or a lifetime / label (skipped).
                if next == '\\' {
                    let end = (i + 2..c.len()).find(|&k| c[k] == '\'').unwrap_or(i + 1);
                    i = end + 1;
                } else if at(i + 2) == '\'' {
                    out.push(next.to_string());
                    i += 3;
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    out
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Characters by the first place they were seen.
fn collect() -> BTreeMap<char, String> {
    let mut seen: BTreeMap<char, String> = BTreeMap::new();
    let mut add = |text: &str, place: &str| {
        for ch in text.chars() {
            if !ch.is_whitespace() && !ch.is_control() {
                seen.entry(ch).or_insert_with(|| place.to_string());
            }
        }
    };

    // Shipped scenarios and the rubric.
    let mut ron = vec![root().join("assets/rubric/courseware.ron")];
    if let Ok(files) = peilian::scenario::files_in(&root().join("scenarios")) {
        ron.extend(files);
    }
    for f in &ron {
        let src = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for s in literals(&src, false) {
            add(&s, &f.display().to_string());
        }
    }

    // The UI strings.
    for s in peilian::ui::strings::ALL {
        add(s, "src/ui/strings.rs");
    }
    // Labels and messages the core writes and the window shows.
    for k in peilian::scenario::PersonaKind::ALL {
        add(k.label(), "PersonaKind::label");
    }
    for m in [
        peilian::session::Mode::Practice,
        peilian::session::Mode::Exam,
    ] {
        add(m.label(), "Mode::label");
    }
    use peilian::scenario::Outcome;
    for o in [
        Outcome::Sale,
        Outcome::Lost,
        Outcome::Resolved,
        Outcome::Escalated,
        Outcome::BadReview,
    ] {
        add(o.label(), "Outcome::label");
    }
    // Every literal in the modules whose text reaches the window.
    // (Not the rubric's matcher tables in rubric/normalize.rs and rubric/engine.rs: they list
    // characters to fold or strip from replies, never shown.)
    let mut rs = Vec::new();
    for d in ["src/ui", "src/scenario"] {
        rs_files(&root().join(d), &mut rs);
    }
    for f in [
        "src/sim.rs",
        "src/session/mod.rs",
        "src/rubric/mod.rs",
        "src/diag.rs",
    ] {
        rs.push(root().join(f));
    }
    for f in &rs {
        let src = std::fs::read_to_string(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for s in literals(&src, true) {
            add(&s, &f.display().to_string());
        }
    }
    seen
}

#[test]
fn literal_lexer_reads_ron_and_rust() {
    let ron = "// 注释\n( a: \"你好\\\"呀\", /* 块 */ b: [\"二\"] )";
    assert_eq!(literals(ron, false), vec!["你好\"呀", "二"]);
    let rs = "fn f<'a>(x: &'a str) -> char { let _ = r#\"原\"始\"#; '，' }";
    assert_eq!(literals(rs, true), vec!["原\"始", "，"]);
}

#[test]
fn every_character_has_a_glyph() {
    let bytes = std::fs::read(root().join(FONT)).expect("the shipped font");
    let font = skrifa::FontRef::new(&bytes).expect("a valid font file");
    let cmap = font.charmap();
    let seen = collect();
    assert!(
        seen.len() > 500,
        "too few characters collected: {}",
        seen.len()
    );
    let missing: Vec<String> = seen
        .iter()
        .filter(|(ch, _)| cmap.map(**ch).is_none())
        .map(|(ch, place)| format!("{ch:?} (U+{:04X}) first seen in {place}", *ch as u32))
        .collect();
    println!("{} distinct characters checked against {FONT}", seen.len());
    assert!(
        missing.is_empty(),
        "{} character(s) have no glyph in {FONT}:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

const EMOJI_FONT: &str = "assets/fonts/NotoEmoji-Regular.ttf";

/// Emoji that buyers and agents send on 淘宝 / 京东 / 拼多多 chats: smiles, tears, anger,
/// thanks and approval, hearts and flowers, parcels and delivery, ticks and crosses.
const COMMON_EMOJI: &str = "😊😄😁😂🤣😅😆😉😍🥰😘🤗🤔🙄😓😢😭😤😡😠😱😰🥺😳😴🙂🙃😐😑😶👍👎👌👏🙏💪🤝✌👋❤️💕💖💔🌹🌸🎉🎁✨🔥💯⭐🌟📦🚚📮📞📱💰🧧✅❌❓❗⚠️⏰";

/// Every emoji a conversation is likely to carry has a glyph in the CJK font or in the emoji
/// fallback font (the text stack tries the CJK font first, then the emoji family). Variation
/// selectors and zero-width joiners shape with their emoji and need no glyph of their own.
#[test]
fn common_emoji_have_a_glyph_in_the_fallback_font() {
    let cjk_bytes = std::fs::read(root().join(FONT)).expect("the shipped font");
    let emoji_bytes = std::fs::read(root().join(EMOJI_FONT)).expect("the shipped emoji font");
    let cjk = skrifa::FontRef::new(&cjk_bytes).expect("a valid font file");
    let emoji = skrifa::FontRef::new(&emoji_bytes).expect("a valid emoji font file");
    let (cjk, emoji) = (cjk.charmap(), emoji.charmap());
    let mut in_emoji_font = 0;
    let missing: Vec<String> = COMMON_EMOJI
        .chars()
        .filter(|c| !matches!(*c, '\u{FE0F}' | '\u{200D}'))
        .filter(|c| {
            let e = emoji.map(*c).is_some();
            in_emoji_font += usize::from(e);
            !e && cjk.map(*c).is_none()
        })
        .map(|c| format!("{c} (U+{:04X})", c as u32))
        .collect();
    assert!(missing.is_empty(), "no glyph for: {}", missing.join(", "));
    // The fallback does the work: the CJK font alone has (almost) none of them.
    let without: Vec<char> = COMMON_EMOJI
        .chars()
        .filter(|c| c.len_utf8() == 4 && cjk.map(*c).is_none())
        .collect();
    assert!(
        without.len() > 40,
        "the CJK font covers most emoji by itself?"
    );
    println!(
        "{} emoji checked, {in_emoji_font} drawn from {EMOJI_FONT}",
        COMMON_EMOJI.chars().count()
    );
}

/// The emoji font stays a reasonable size for a font compiled into the binary.
#[test]
fn the_emoji_font_is_small_enough_to_ship() {
    let len = std::fs::metadata(root().join(EMOJI_FONT))
        .expect("the shipped emoji font")
        .len();
    assert!(len < 1_200_000, "{EMOJI_FONT} is {len} bytes");
    assert!(
        root().join("assets/fonts/LICENSE-NotoEmoji.txt").is_file(),
        "its licence ships beside it"
    );
}
