//! Scenarios: the RON format, loading with `file:line:column` errors, and the validator.
//!
//! The authoring guide is `scenarios/README.md`.

pub mod check;
pub mod shop;

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
    /// Tags the product must carry (`["服装"]`, `["易碎"]`): the scenario is played with the
    /// first product of a shop profile that has them all. Empty: any shop's first product.
    #[serde(default)]
    pub needs: Vec<String>,
    /// A shop written into the scenario itself (older scenarios, or one-off exercises); played
    /// when no shop profile is chosen.
    #[serde(default, rename = "shop", skip_serializing_if = "Option::is_none")]
    pub own_shop: Option<Shop>,
    /// The shop being played: the chosen profile with its product, else `own_shop`.
    #[serde(skip)]
    pub shop: Shop,
    /// Options the shop adds to the listening vocabulary (its product's colours).
    #[serde(skip)]
    pub shop_options: Vec<crate::listen::Term>,
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
    /// 沉默寡言: 嗯, 哦, 随便 — gives little, must be asked easy questions.
    Quiet,
    /// 冲动型: buys on impulse, regrets, wants it now.
    Impulsive,
    /// 老顾客: a returning customer who expects special treatment.
    Regular,
    /// 辱骂型: abusive; stay polite, hold policy, escalate.
    Abusive,
}

impl PersonaKind {
    pub fn label(self) -> &'static str {
        match self {
            PersonaKind::Hesitant => "犹豫型",
            PersonaKind::Haggler => "讨价还价",
            PersonaKind::Complainant => "投诉",
            PersonaKind::Skeptic => "怀疑型",
            PersonaKind::Returner => "退换货",
            PersonaKind::Quiet => "沉默寡言",
            PersonaKind::Impulsive => "冲动型",
            PersonaKind::Regular => "老顾客",
            PersonaKind::Abusive => "辱骂型",
        }
    }
    pub const ALL: [PersonaKind; 9] = [
        PersonaKind::Hesitant,
        PersonaKind::Haggler,
        PersonaKind::Complainant,
        PersonaKind::Skeptic,
        PersonaKind::Returner,
        PersonaKind::Quiet,
        PersonaKind::Impulsive,
        PersonaKind::Regular,
        PersonaKind::Abusive,
    ];
}

/// The shop facts the trainee must respect.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
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
    /// 淘宝, 京东…, `{platform}`.
    #[serde(default)]
    pub platform: String,
    /// The current activity price, `{promo_price}`.
    #[serde(default)]
    pub promo_price: Option<f32>,
    /// Facts scenarios name as placeholders (`{courier}`, `{material}`…).
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// The shop profile and product this shop came from (None: written in the scenario).
    #[serde(skip)]
    pub profile: Option<shop::ShopRef>,
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
    /// How the customer's line here feels, when it is plainly unhappy or pleased whatever the
    /// reply scored: the mood meter moves that way on arriving here — `mood: -5`, a grumble,
    /// falls at least 5; `mood: 5`, a cheer, rises at least 5; `mood: 0` holds still — so the
    /// meter never rises while the customer grumbles. Without it the reply's reaction alone
    /// moves the meter.
    #[serde(default)]
    pub mood: Option<i32>,
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
    /// The branch the talk takes after a reply: the first whose condition holds.
    pub fn branch_taken(&self, f: &Facts) -> Option<&Branch> {
        self.next.iter().find(|b| holds(&b.when, f))
    }
}

fn parse_weighted(v: &[(String, u32)]) -> Vec<(CheckId, u32)> {
    v.iter()
        .filter_map(|(id, w)| id.parse().ok().map(|c| (c, *w)))
        .collect()
}

impl Scenario {
    /// Parse RON, with the shop in place (its own, else the first stocking profile among
    /// `profiles`) and its placeholders filled in every text shown to people (see
    /// [`Scenario::fill_placeholders`]). Syntax errors come back as
    /// `file:line:column: what was expected`.
    pub fn parse(src: &str, path: &Path) -> Result<Scenario, Diagnostic> {
        Scenario::parse_in(src, path, ShopChoice::Default(&[]))
    }

    /// [`Scenario::parse`] in a chosen shop.
    pub fn parse_in(src: &str, path: &Path, choice: ShopChoice) -> Result<Scenario, Diagnostic> {
        let mut s = Scenario::parse_as_written(src, path)?;
        s.choose_shop(choice, src)?;
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

    /// Fill the placeholders in every text a person sees: the brief, the persona's sketch and
    /// the facts the customer answers with, the shop's policies and notes, and each node's
    /// customer lines, model answers and hint. Done once at load, so sessions, verdicts
    /// (`closest_answer`), result files, reports and the window all carry the filled text.
    pub fn fill_placeholders(&mut self) {
        self.shop_options = shop_colours(&self.shop);
        self.brief = self.fill(&self.brief);
        self.persona.about = self.fill(&self.persona.about);
        let facts = self
            .persona
            .facts
            .iter()
            .map(|(k, v)| (k.clone(), self.fill(v)))
            .collect();
        self.persona.facts = facts;
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
                key_points: n
                    .key_points
                    .iter()
                    .map(|k| KeyPoint {
                        point: self.fill(&k.point),
                        ..k.clone()
                    })
                    .collect(),
                ..n.clone()
            })
            .collect();
        self.nodes = nodes;
    }

    /// Read, parse and validate against the rubric: a scenario with problems does not load.
    /// Played in its own shop, else in the first profile of the folder's `shops/` that stocks
    /// what it needs.
    pub fn load(path: &Path, rubric: &crate::rubric::Rubric) -> Result<Scenario, Vec<Diagnostic>> {
        let (profiles, _) = shop::load_dir(&shop::dir_beside(path));
        Scenario::load_in(path, rubric, ShopChoice::Default(&profiles))
    }

    /// [`Scenario::load`] in a chosen shop.
    pub fn load_in(
        path: &Path,
        rubric: &crate::rubric::Rubric,
        choice: ShopChoice,
    ) -> Result<Scenario, Vec<Diagnostic>> {
        let src = read_scenario(path)?;
        let s = Scenario::parse_as_written(&src, path).map_err(|d| vec![d])?;
        s.finish(&src, rubric, choice)
    }

    /// Shop in place, validated against the rubric in that shop, placeholders filled.
    fn finish(
        mut self,
        src: &str,
        rubric: &crate::rubric::Rubric,
        choice: ShopChoice,
    ) -> Result<Scenario, Vec<Diagnostic>> {
        self.choose_shop(choice, src).map_err(|d| vec![d])?;
        let problems = check::validate(&self, src, rubric);
        if problems.is_empty() {
            self.fill_placeholders();
            Ok(self)
        } else {
            Err(problems)
        }
    }

    /// Can this scenario be played in `profile`? (Not when it carries its own shop, nor when
    /// the profile stocks no product with every tag it needs.)
    pub fn stocked_by(&self, profile: &shop::ShopProfile) -> bool {
        self.own_shop.is_none() && profile.product_for(&self.needs).is_some()
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

    /// The shop's value for a placeholder name (`price` for `{price}`): `None` for a name the
    /// shop does not know, `Some(None)` for a fixed one this shop has no value for
    /// (`free_shipping_over`, `promo_price`).
    pub fn placeholder(&self, name: &str) -> Option<Option<String>> {
        let fmt = |v: f32| {
            if v.fract() == 0.0 {
                format!("{}", v as i64)
            } else {
                format!("{v:.2}")
            }
        };
        let shop = &self.shop;
        Some(match name {
            "price" => Some(fmt(shop.price)),
            "lowest_price" => Some(fmt(shop.lowest_price)),
            "promo_price" => shop.promo_price.map(fmt),
            "max_discount" => Some(fmt(shop.price - shop.lowest_price)),
            "free_shipping_over" => shop.free_shipping_over.map(fmt),
            "product" => Some(shop.product.clone()),
            "shop" => Some(shop.name.clone()),
            "platform" => (!shop.platform.is_empty()).then(|| shop.platform.clone()),
            "returns" => Some(shop.returns.clone()),
            "shipping" => Some(shop.shipping.clone()),
            _ => return shop.facts.get(name).map(|v| Some(v.clone())),
        })
    }

    /// A number mixed into the session seed so that the same scenario in two shops is two
    /// different customers (0 for a scenario's own shop, so older result files replay).
    pub fn seed_salt(&self) -> u64 {
        match &self.shop.profile {
            None => 0,
            Some(r) => {
                // FNV-1a: stable across builds and platforms.
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for b in r.id.bytes().chain([b'/']).chain(r.product.bytes()) {
                    h ^= u64::from(b);
                    h = h.wrapping_mul(0x0100_0000_01b3);
                }
                h
            }
        }
    }

    /// Put the shop in place: the given profile, else the scenario's own shop, else the first
    /// default profile stocking a product with every tag in `needs` — general shops before
    /// specialist ones. The error says what is missing, at the place of `needs` in the file.
    pub fn choose_shop(&mut self, choice: ShopChoice, src: &str) -> Result<(), Diagnostic> {
        let at = |msg: String| {
            let pos = src
                .find("needs")
                .or_else(|| src.find("persona"))
                .unwrap_or(0);
            let (l, c) = crate::diag::line_col(src, pos);
            Diagnostic::new(&self.source, l, c, msg)
        };
        let needs = shop::ShopProfile::describe_needs(&self.needs);
        match choice {
            ShopChoice::Given(p) if self.own_shop.is_some() => Err(at(format!(
                "这个场景自带店铺，不能换到 `{}` 练 (the scenario writes its own `shop`; remove it and set `needs` to play it in shop profiles)",
                p.id
            ))),
            ShopChoice::Given(p) => match p.product_for(&self.needs) {
                Some(prod) => {
                    self.shop = p.shop_for(prod);
                    self.shop_options = shop_colours(&self.shop);
                    Ok(())
                }
                None => Err(at(format!(
                    "店铺 `{}` 没有带 {needs} 标签的商品，这个场景不能在该店练 (shop profile {} stocks no product tagged {needs})",
                    p.id,
                    p.source.display()
                ))),
            },
            ShopChoice::Default(profiles) => {
                if let Some(own) = &self.own_shop {
                    self.shop = own.clone();
                    self.shop_options = shop_colours(&self.shop);
                    return Ok(());
                }
                match profiles
                    .iter()
                    .filter(|p| !p.specialist)
                    .chain(profiles.iter().filter(|p| p.specialist))
                    .find_map(|p| p.product_for(&self.needs).map(|prod| (p, prod)))
                {
                    Some((p, prod)) => {
                        self.shop = p.shop_for(prod);
                        self.shop_options = shop_colours(&self.shop);
                        Ok(())
                    }
                    None => Err(at(format!(
                        "no shop to play in: the scenario has no `shop` and no shop profile stocks a product tagged {needs} (add one to scenarios/shops/, or give --shop)"
                    ))),
                }
            }
        }
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

/// The placeholders filled from a shop's fixed fields; any shop or product fact (`{courier}`,
/// `{material}`…) is one too.
pub const PLACEHOLDERS: [&str; 10] = [
    "price",
    "lowest_price",
    "promo_price",
    "max_discount",
    "free_shipping_over",
    "product",
    "shop",
    "platform",
    "returns",
    "shipping",
];

/// The shop's colours as listening options (its `colors` fact).
fn shop_colours(shop: &Shop) -> Vec<crate::listen::Term> {
    shop.facts
        .get("colors")
        .map(|c| crate::listen::shop_options(c))
        .unwrap_or_default()
}

/// Which shop a scenario is played in.
#[derive(Debug, Clone, Copy)]
pub enum ShopChoice<'a> {
    /// The scenario's own shop, else the first of these profiles stocking what it needs.
    Default(&'a [shop::ShopProfile]),
    /// This profile; a scenario it stocks nothing for cannot be played.
    Given(&'a shop::ShopProfile),
}

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

fn read_scenario(path: &Path) -> Result<String, Vec<Diagnostic>> {
    std::fs::read_to_string(path).map_err(|e| {
        vec![Diagnostic::new(
            path,
            1,
            1,
            format!("cannot read scenario: {e}"),
        )]
    })
}

/// Load every scenario in `dir`, each in its own shop or the first profile of `dir/shops`
/// stocking what it needs; the problems of the ones that fail come back separately.
pub fn load_dir(dir: &Path, rubric: &crate::rubric::Rubric) -> (Vec<Scenario>, Vec<Diagnostic>) {
    let l = load_dir_in(dir, rubric, None);
    (l.scenarios, l.problems)
}

/// What [`load_dir_in`] found.
#[derive(Debug, Default)]
pub struct Loaded {
    pub scenarios: Vec<Scenario>,
    pub problems: Vec<Diagnostic>,
    /// Scenarios the chosen shop cannot play (they need products it does not stock, or carry
    /// their own shop): `(id, what they need)`.
    pub not_stocked: Vec<(String, String)>,
}

/// Load every scenario in `dir`, in `shop` when one is given (scenarios it does not stock
/// are listed in `not_stocked`), else as [`load_dir`]. Ids are unique: a file whose id an
/// earlier file (by name) already uses is skipped, with a problem naming both.
pub fn load_dir_in(
    dir: &Path,
    rubric: &crate::rubric::Rubric,
    shop: Option<&shop::ShopProfile>,
) -> Loaded {
    let mut out = Loaded::default();
    let (profiles, shop_problems) = shop::load_dir(&shop::dir_for(dir));
    if shop.is_none() {
        out.problems.extend(shop_problems);
    }
    let choice = match shop {
        Some(p) => ShopChoice::Given(p),
        None => ShopChoice::Default(&profiles),
    };
    let files = match files_in(dir) {
        Ok(f) => f,
        Err(e) => {
            out.problems.push(Diagnostic::new(
                dir,
                1,
                1,
                format!("cannot read scenario folder: {e}"),
            ));
            return out;
        }
    };
    for f in files {
        let loaded = read_scenario(&f).and_then(|src| {
            let s = Scenario::parse_as_written(&src, &f).map_err(|d| vec![d])?;
            if let Some(p) = shop
                && !s.stocked_by(p)
            {
                let need = if s.own_shop.is_some() {
                    "自带店铺 (its own shop)".to_string()
                } else {
                    shop::ShopProfile::describe_needs(&s.needs)
                };
                return Ok(Err((s.id, need)));
            }
            s.finish(&src, rubric, choice).map(Ok)
        });
        match loaded {
            Ok(Ok(s)) => match out.scenarios.iter().find(|o| o.id == s.id) {
                Some(first) => {
                    out.problems.extend(crate::diag::duplicates(
                        "scenario id",
                        &[id_place(first), id_place(&s)],
                    ));
                }
                None => out.scenarios.push(s),
            },
            Ok(Err(skipped)) => out.not_stocked.push(skipped),
            Err(d) => out.problems.extend(d),
        }
    }
    out
}

/// Find a scenario by id, or load it from a path.
pub fn resolve(
    name: &str,
    dir: &Path,
    rubric: &crate::rubric::Rubric,
) -> Result<Scenario, Vec<Diagnostic>> {
    resolve_in(name, dir, rubric, None)
}

/// [`resolve`] in a chosen shop.
pub fn resolve_in(
    name: &str,
    dir: &Path,
    rubric: &crate::rubric::Rubric,
    shop: Option<&shop::ShopProfile>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let p = Path::new(name);
    if p.extension().is_some_and(|x| x == "ron") || p.is_file() {
        return match shop {
            Some(profile) => Scenario::load_in(p, rubric, ShopChoice::Given(profile)),
            None => Scenario::load(p, rubric),
        };
    }
    let l = load_dir_in(dir, rubric, shop);
    if let Some(s) = l.scenarios.into_iter().find(|s| s.id == name) {
        return Ok(s);
    }
    if let (Some(profile), Some((_, need))) =
        (shop, l.not_stocked.iter().find(|(id, _)| id == name))
    {
        return Err(vec![Diagnostic::new(
            &profile.source,
            1,
            1,
            format!(
                "店铺 `{}` 没有这个场景要的商品 ({need})，不能在该店练 `{name}` (the shop stocks no product it needs; `peilian scenarios --shop {}` lists what it can play)",
                profile.id, profile.id
            ),
        )]);
    }
    let mut d = vec![Diagnostic::new(
        dir,
        1,
        1,
        format!("no scenario with id `{name}` (run `peilian scenarios` to list them)"),
    )];
    d.extend(l.problems);
    Err(d)
}

/// What a branch condition or a key point is judged on.
pub struct Facts<'a> {
    pub detected: &'a dyn Fn(CheckId) -> bool,
    pub score: u32,
    pub mood: i32,
    pub heard: &'a Heard,
}

/// Does a condition hold because the reply blamed or was rude to the customer — a `Detected` of
/// blame or rude that holds, alone, in an `Any`, or in an `All` that holds as a whole? A customer
/// reacts to being blamed or snapped at even when the reply answered nothing they asked.
pub fn holds_for_affront(w: &When, f: &Facts) -> bool {
    match w {
        When::Detected(id) => {
            id.parse::<CheckId>()
                .is_ok_and(|c| matches!(c, CheckId::Blame | CheckId::Rude))
                && holds(w, f)
        }
        When::Any(ws) => ws.iter().any(|w| holds_for_affront(w, f)),
        When::All(ws) => holds(w, f) && ws.iter().any(|w| holds_for_affront(w, f)),
        _ => false,
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_blame_or_rudeness_that_holds_is_an_affront() {
        let heard = Heard::default();
        let blamed = |c| c == CheckId::Blame;
        let f = Facts {
            detected: &blamed,
            score: 0,
            mood: 20,
            heard: &heard,
        };
        let det = |id: &str| When::Detected(id.into());
        assert!(holds_for_affront(&det("blame"), &f));
        assert!(holds_for_affront(
            &When::Any(vec![det("rude"), det("blame")]),
            &f
        ));
        assert!(holds_for_affront(
            &When::All(vec![det("blame"), When::MoodBelow(30)]),
            &f
        ));
        // The whole condition must hold, and hold because of the affront.
        assert!(!holds_for_affront(
            &When::All(vec![det("blame"), When::MoodBelow(10)]),
            &f
        ));
        assert!(!holds_for_affront(&det("rude"), &f));
        assert!(!holds_for_affront(&When::Always, &f));
        let conceded = |c| c == CheckId::PriceConcession;
        let g = Facts {
            detected: &conceded,
            ..f
        };
        assert!(!holds_for_affront(&det("price_concession"), &g));
    }
}
