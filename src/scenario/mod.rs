//! Scenarios: the RON format, loading with `file:line:column` errors, and the validator.
//!
//! The authoring guide is `scenarios/README.md`.

pub mod check;

use crate::diag::Diagnostic;
use crate::listen::{Heard, NodeListen, PromiseKind};
use crate::rubric::{CheckId, Policy};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A scripted difficult customer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Stable id used on the command line and in result files, e.g. `haggler-phone-case`.
    pub id: String,
    /// Chinese title, e.g. 手机壳砍价.
    pub title: String,
    /// One line telling the trainee what they face.
    pub brief: String,
    /// 1 (gentle) … 5 (hardest).
    pub difficulty: u8,
    pub persona: PersonaDef,
    pub shop: Shop,
    /// Default response-time target for every node, in seconds.
    #[serde(default)]
    pub target_seconds: Option<f32>,
    /// The node the customer opens with.
    pub start: String,
    /// Where the customer goes when their mood reaches 0 (they lose patience), if anywhere.
    #[serde(default)]
    pub walkout: Option<String>,
    pub nodes: Vec<Node>,
    #[serde(skip)]
    pub source: PathBuf,
    #[serde(skip)]
    index: HashMap<String, usize>,
}

/// Who the customer is.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaDef {
    pub kind: PersonaKind,
    /// Display name, e.g. 犹豫的小林.
    pub name: String,
    /// Starting mood, drawn from this range (0 = furious … 100 = delighted).
    pub mood: (i32, i32),
    /// Patience, drawn from this range (0 = none … 100 = saintly): how hard bad replies hit.
    pub patience: (i32, i32),
    #[serde(default)]
    pub about: String,
    /// What the customer knows and tells when asked: `order_number`, `photo`, `height`,
    /// `weight`, `usual_size`, `concern`… (slots of the answers in `listening.ron`, and of any
    /// customer line that names them, e.g. `{order_number}`).
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// Options the customer prefers when offered several (vocabulary ids, most preferred
    /// first). The choice among the options actually offered is drawn with the session's seed,
    /// weighted toward these.
    #[serde(default)]
    pub prefers: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PersonaKind {
    /// 犹豫型: 我要考虑一下, 再看看.
    Hesitant,
    /// 讨价还价: 太贵了, 能不能便宜点, 包邮吗.
    Haggler,
    /// 投诉: delivery delay, wrong item, damage, quality.
    Complainant,
    /// 怀疑型: 是正品吗? 会不会掉色?
    Skeptic,
    /// 退换货: returns and exchanges, who pays the shipping.
    Returner,
}

impl PersonaKind {
    pub fn label(self) -> &'static str {
        match self {
            PersonaKind::Hesitant => "犹豫型",
            PersonaKind::Haggler => "讨价还价",
            PersonaKind::Complainant => "投诉",
            PersonaKind::Skeptic => "怀疑型",
            PersonaKind::Returner => "退换货",
        }
    }
    pub const ALL: [PersonaKind; 5] = [
        PersonaKind::Hesitant,
        PersonaKind::Haggler,
        PersonaKind::Complainant,
        PersonaKind::Skeptic,
        PersonaKind::Returner,
    ];
}

/// The shop facts the trainee must respect.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shop {
    pub name: String,
    pub product: String,
    /// List price, 元.
    pub price: f32,
    /// The lowest price the shop allows; any lower is a 违规让价.
    pub lowest_price: f32,
    /// Orders at or above this ship free.
    #[serde(default)]
    pub free_shipping_over: Option<f32>,
    /// May the agent add a small gift?
    #[serde(default)]
    pub gifts_allowed: bool,
    /// Return and exchange policy, as the trainee should state it.
    pub returns: String,
    /// Shipping times.
    pub shipping: String,
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Shop {
    pub fn policy(&self) -> Policy {
        Policy {
            price: self.price,
            lowest_price: self.lowest_price,
            free_shipping_over: self.free_shipping_over,
            gifts_allowed: self.gifts_allowed,
        }
    }
}

/// One step of the conversation: the customer says a line, the trainee replies.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub id: String,
    /// What the customer says; one variant is drawn with the session's seed.
    pub lines: Vec<String>,
    /// Checks the reply should meet, with weights.
    #[serde(default)]
    pub expect: Vec<(String, u32)>,
    /// Checks the reply must not show, with penalties (violations are always penalised; a
    /// weight here overrides the rubric's default).
    #[serde(default)]
    pub forbid: Vec<(String, u32)>,
    /// Good replies, in the courseware's spirit; the reply is compared with them.
    #[serde(default)]
    pub model_answers: Vec<String>,
    /// Response-time target in seconds (overrides the scenario's).
    #[serde(default)]
    pub target_seconds: Option<f32>,
    /// A one-line coaching hint naming the technique that fits.
    #[serde(default)]
    pub hint: String,
    /// Where to go after the reply: the first branch whose condition holds.
    #[serde(default)]
    pub next: Vec<Branch>,
    /// Set on endings: the customer's line is their last word, and the session ends.
    #[serde(default)]
    pub ending: Option<Outcome>,
    /// What the customer listens for here: topics they raised, options they can take, what
    /// they expect to be asked, their question in a few words.
    #[serde(default)]
    pub listen: NodeListen,
    /// What a good reply must address here, each a condition on what was heard or detected
    /// (e.g. `(point: "给出两个可选方案", when: OfferedAtLeast(2))`). Scored as 关键点.
    #[serde(default)]
    pub key_points: Vec<KeyPoint>,
}

/// One thing a good reply must address at a node.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPoint {
    /// What it is, in words for the trainee: 要订单号, 说清什么时候答复.
    pub point: String,
    pub when: When,
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub when: When,
    pub goto: String,
}

/// A branch condition, on the verdict of the reply, what the customer heard in it, and the
/// customer's mood after it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum When {
    Always,
    /// The trainee offered this option (vocabulary id, or `"any"`).
    Offered(String),
    /// The trainee offered at least this many options.
    OfferedAtLeast(u32),
    /// The trainee put the options as a choice (A还是B, A或者B, a list + 哪).
    Choice,
    /// The customer took this option (vocabulary id, or `"any"`).
    Picked(String),
    /// The trainee asked for this (vocabulary id, or `"any"`).
    Asked(String),
    /// The trainee committed to a time (`"time"`), an action (`"action"`) or either (`"any"`).
    Promised(String),
    /// The trainee refused something (不能便宜, 包邮不了…).
    Refused,
    /// The reply repeats an earlier one.
    Repeated,
    /// The reply answers something the customer did not raise (答非所问).
    OffTopic,
    /// The reply takes up this topic (vocabulary id: `price`, `delivery`, `size`…).
    Mentions(String),
    /// The reply shows the check (for a violation: the trainee committed it).
    Detected(String),
    /// The reply lacks the check.
    Missing(String),
    ScoreAtLeast(u32),
    ScoreBelow(u32),
    MoodAtLeast(i32),
    MoodBelow(i32),
    All(Vec<When>),
    Any(Vec<When>),
}

/// How a conversation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// 成交
    Sale,
    /// 流失
    Lost,
    /// 已解决
    Resolved,
    /// 投诉升级
    Escalated,
    /// 差评
    BadReview,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Sale => "成交",
            Outcome::Lost => "流失",
            Outcome::Resolved => "已解决",
            Outcome::Escalated => "投诉升级",
            Outcome::BadReview => "差评",
        }
    }
    pub fn is_good(self) -> bool {
        matches!(self, Outcome::Sale | Outcome::Resolved)
    }
}

impl Node {
    pub fn is_ending(&self) -> bool {
        self.ending.is_some()
    }
    /// Expected checks with parsed ids (unknown ids are skipped; `check` reports them).
    pub fn expected(&self) -> Vec<(CheckId, u32)> {
        parse_weighted(&self.expect)
    }
    pub fn forbidden(&self) -> Vec<(CheckId, u32)> {
        parse_weighted(&self.forbid)
    }
}

fn parse_weighted(v: &[(String, u32)]) -> Vec<(CheckId, u32)> {
    v.iter()
        .filter_map(|(id, w)| id.parse().ok().map(|c| (c, *w)))
        .collect()
}

impl Scenario {
    /// Parse RON, with the shop's placeholders filled in every text shown to people (see
    /// [`Scenario::fill_placeholders`]). Syntax errors come back as
    /// `file:line:column: what was expected`.
    pub fn parse(src: &str, path: &Path) -> Result<Scenario, Diagnostic> {
        let mut s = Scenario::parse_as_written(src, path)?;
        s.fill_placeholders();
        Ok(s)
    }

    /// Parse RON and keep the text as written, placeholders and all (for `check`).
    pub fn parse_as_written(src: &str, path: &Path) -> Result<Scenario, Diagnostic> {
        let mut s: Scenario = crate::ron_options()
            .from_str(src)
            .map_err(|e| Diagnostic::from_ron(path, &e))?;
        s.source = path.to_path_buf();
        s.reindex();
        Ok(s)
    }

    /// Fill the placeholders in every text a person sees: the brief, the shop's policies and
    /// notes, and each node's customer lines, model answers and hint. Done once at load, so
    /// sessions, verdicts (`closest_answer`), result files, reports and the window all carry
    /// the filled text.
    pub fn fill_placeholders(&mut self) {
        self.brief = self.fill(&self.brief);
        self.shop.returns = self.fill(&self.shop.returns);
        self.shop.shipping = self.fill(&self.shop.shipping);
        let notes: Vec<String> = self.shop.notes.iter().map(|n| self.fill(n)).collect();
        self.shop.notes = notes;
        let nodes: Vec<Node> = self
            .nodes
            .iter()
            .map(|n| Node {
                lines: n.lines.iter().map(|l| self.fill(l)).collect(),
                model_answers: n.model_answers.iter().map(|a| self.fill(a)).collect(),
                hint: self.fill(&n.hint),
                ..n.clone()
            })
            .collect();
        self.nodes = nodes;
    }

    /// Read, parse and validate against the rubric: a scenario with problems does not load.
    pub fn load(path: &Path, rubric: &crate::rubric::Rubric) -> Result<Scenario, Vec<Diagnostic>> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::new(
                path,
                1,
                1,
                format!("cannot read scenario: {e}"),
            )]
        })?;
        let mut s = Scenario::parse_as_written(&src, path).map_err(|d| vec![d])?;
        let problems = check::validate(&s, &src, rubric);
        if problems.is_empty() {
            s.fill_placeholders();
            Ok(s)
        } else {
            Err(problems)
        }
    }

    fn reindex(&mut self) {
        self.index = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.clone(), i))
            .collect();
    }

    pub fn node_index(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.node_index(id).map(|i| &self.nodes[i])
    }

    /// Response-time target for a node.
    pub fn target_for(&self, node: &Node) -> Option<f32> {
        node.target_seconds.or(self.target_seconds)
    }

    /// The value of a shop placeholder, if the shop has one (see [`Scenario::placeholder`]).
    pub fn shop_value(&self, name: &str) -> Option<String> {
        self.placeholder(name).flatten()
    }

    /// The shop's value for a placeholder name (`price` for `{price}`): `None` for a name that
    /// is not a placeholder, `Some(None)` for one this shop has no value for.
    pub fn placeholder(&self, name: &str) -> Option<Option<String>> {
        let fmt = |v: f32| {
            if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                format!("{v:.2}")
            }
        };
        Some(match name {
            "price" => Some(fmt(self.shop.price)),
            "lowest_price" => Some(fmt(self.shop.lowest_price)),
            "free_shipping_over" => self.shop.free_shipping_over.map(fmt),
            "product" => Some(self.shop.product.clone()),
            "shop" => Some(self.shop.name.clone()),
            _ => return None,
        })
    }

    /// Fill `{price}`, `{lowest_price}`, `{free_shipping_over}`, `{product}`, `{shop}`
    /// (see [`PLACEHOLDERS`]); anything else in braces is left as it is.
    pub fn fill(&self, line: &str) -> String {
        let mut out = String::with_capacity(line.len());
        let mut rest = line;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after
                .find('}')
                .map(|close| (close, self.placeholder(&after[..close])))
            {
                Some((close, Some(value))) => {
                    out.push_str(&value.unwrap_or_default());
                    rest = &after[close + 1..];
                }
                _ => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// The placeholders a scenario's text may use, filled from its `shop`.
pub const PLACEHOLDERS: [&str; 5] = [
    "price",
    "lowest_price",
    "free_shipping_over",
    "product",
    "shop",
];

/// The shipped scenarios directory: `$PEILIAN_SCENARIOS`, else `scenarios/` beside the
/// working directory, else beside the executable's crate root (for `cargo run`).
pub fn default_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("PEILIAN_SCENARIOS") {
        return PathBuf::from(d);
    }
    let here = PathBuf::from("scenarios");
    if here.is_dir() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// Every `*.ron` file directly in `dir`, sorted by name.
pub fn files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ron") && p.is_file())
        .collect();
    v.sort();
    Ok(v)
}

/// Where a scenario's `id` is set in its file.
pub fn id_place(s: &Scenario) -> crate::diag::Defined {
    let src = std::fs::read_to_string(&s.source).unwrap_or_default();
    crate::diag::Defined::find(&s.source, &src, "id", &s.id)
}

/// Load every scenario in `dir`; the problems of the ones that fail come back separately.
/// Ids are unique: a file whose id an earlier file (by name) already uses is skipped, with a
/// problem naming both.
pub fn load_dir(dir: &Path, rubric: &crate::rubric::Rubric) -> (Vec<Scenario>, Vec<Diagnostic>) {
    let mut ok: Vec<Scenario> = Vec::new();
    let mut bad = Vec::new();
    match files_in(dir) {
        Ok(files) => {
            for f in files {
                match Scenario::load(&f, rubric) {
                    Ok(s) => match ok.iter().find(|o| o.id == s.id) {
                        Some(first) => {
                            bad.extend(crate::diag::duplicates(
                                "scenario id",
                                &[id_place(first), id_place(&s)],
                            ));
                        }
                        None => ok.push(s),
                    },
                    Err(d) => bad.extend(d),
                }
            }
        }
        Err(e) => bad.push(Diagnostic::new(
            dir,
            1,
            1,
            format!("cannot read scenario folder: {e}"),
        )),
    }
    (ok, bad)
}

/// Find a scenario by id, or load it from a path.
pub fn resolve(
    name: &str,
    dir: &Path,
    rubric: &crate::rubric::Rubric,
) -> Result<Scenario, Vec<Diagnostic>> {
    let p = Path::new(name);
    if p.extension().is_some_and(|x| x == "ron") || p.is_file() {
        return Scenario::load(p, rubric);
    }
    let (all, problems) = load_dir(dir, rubric);
    if let Some(s) = all.into_iter().find(|s| s.id == name) {
        return Ok(s);
    }
    let mut d = vec![Diagnostic::new(
        dir,
        1,
        1,
        format!("no scenario with id `{name}` (run `peilian scenarios` to list them)"),
    )];
    d.extend(problems);
    Err(d)
}

/// What a branch condition or a key point is judged on.
pub struct Facts<'a> {
    pub detected: &'a dyn Fn(CheckId) -> bool,
    pub score: u32,
    pub mood: i32,
    pub heard: &'a Heard,
}

/// Does a condition hold?
pub fn holds(w: &When, f: &Facts) -> bool {
    let has = |id: &str| id.parse::<CheckId>().is_ok_and(|c| (f.detected)(c));
    let h = f.heard;
    let any_or = |id: &str, mut it: Box<dyn Iterator<Item = &str> + '_>| {
        if id == "any" {
            it.next().is_some()
        } else {
            it.any(|x| x == id)
        }
    };
    match w {
        When::Always => true,
        When::Detected(id) => has(id),
        When::Missing(id) => !has(id),
        When::ScoreAtLeast(n) => f.score >= *n,
        When::ScoreBelow(n) => f.score < *n,
        When::MoodAtLeast(m) => f.mood >= *m,
        When::MoodBelow(m) => f.mood < *m,
        When::Offered(id) => any_or(id, Box::new(h.offered.iter().map(|o| o.id.as_str()))),
        When::OfferedAtLeast(n) => h.offered.len() >= *n as usize,
        When::Choice => h.choice,
        When::Picked(id) => any_or(id, Box::new(h.picked.iter().map(|p| p.as_str()))),
        When::Asked(id) => any_or(id, Box::new(h.asked.iter().map(|a| a.id.as_str()))),
        When::Promised(kind) => h.promised.iter().any(|p| match kind.as_str() {
            "time" => p.kind == PromiseKind::Time,
            "action" => p.kind == PromiseKind::Action,
            _ => true,
        }),
        When::Refused => !h.refused.is_empty(),
        When::Repeated => h.repeated,
        When::OffTopic => h.off_topic,
        When::Mentions(t) => h.topics.iter().any(|x| x == t),
        When::All(ws) => ws.iter().all(|w| holds(w, f)),
        When::Any(ws) => ws.iter().any(|w| holds(w, f)),
    }
}
