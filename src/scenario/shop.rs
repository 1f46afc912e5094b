//! Shop profiles: a team's own shop — products, prices, shipping, gifts, return policies —
//! in `scenarios/shops/*.ron`. A scenario written against product tags (`needs`) is played in
//! any shop that stocks a product carrying them, its placeholders filled from that shop.
//!
//! The authoring guide is `scenarios/README.md` (§ 店铺档案).

use super::Shop;
use crate::diag::Diagnostic;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One shop, as a team lead writes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopProfile {
    /// Stable id used on the command line and in result files, e.g. `fashion`; equals the
    /// file name.
    pub id: String,
    /// Shop name shown to trainees, `{shop}`.
    pub name: String,
    /// 淘宝, 天猫, 京东, 拼多多…, `{platform}`.
    #[serde(default)]
    pub platform: String,
    /// Orders at or above this ship free, `{free_shipping_over}`.
    #[serde(default)]
    pub free_shipping_over: Option<f32>,
    /// May the agent add a small gift? (A product may override it.)
    #[serde(default)]
    pub gifts_allowed: bool,
    /// Return and exchange policy, as the trainee should state it, `{returns}`.
    pub returns: String,
    /// Shipping times and couriers, `{shipping}`.
    pub shipping: String,
    /// Other facts shown to the trainee beside the chat.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Shop facts scenarios name as placeholders: `courier`, `fast_courier`, `ship_hours`,
    /// `return_days`, `quality_days`, `price_protect_days`, `refund_time`, `coupon`, `gift`,
    /// `member_perk`, `escalation`…
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// A shop for one kind of goods (a mother-and-baby shop): without `--shop`, scenarios are
    /// played in it only when no general shop stocks what they need, so a scenario about any
    /// product does not default to infant formula because the file name sorts first.
    #[serde(default)]
    pub specialist: bool,
    /// What the shop sells, in the order scenarios pick from (the first product carrying all
    /// of a scenario's `needs`).
    pub products: Vec<Product>,
    #[serde(skip)]
    pub source: PathBuf,
}

/// One product of a shop.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    pub id: String,
    /// Product name, `{product}`.
    pub name: String,
    /// What kind of product it is (`服装`, `外套`, `数码`, `易碎`…): scenarios name the tags
    /// they need.
    #[serde(default)]
    pub tags: Vec<String>,
    /// List price, 元, `{price}`.
    pub price: f32,
    /// The lowest price the shop allows, `{lowest_price}`; any lower is a 违规让价.
    pub lowest_price: f32,
    /// The current activity price, if any, `{promo_price}`: between `lowest_price` and `price`.
    #[serde(default)]
    pub promo_price: Option<f32>,
    /// Overrides the shop's `gifts_allowed` for this product.
    #[serde(default)]
    pub gifts_allowed: Option<bool>,
    /// Product facts scenarios name as placeholders: `material`, `colors`, `sizes`,
    /// `size_advice`, `spec`, `feature`, `care`, `warranty`, `out_of_stock`, `restock`,
    /// `in_stock`… (a product fact wins over a shop fact of the same name).
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// Product facts shown to the trainee beside the chat.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Placeholder names a shop or product fact may not use: they are filled from the fixed
/// fields, or by the conversation.
pub const RESERVED_FACTS: [&str; 14] = [
    "shop",
    "platform",
    "product",
    "price",
    "lowest_price",
    "promo_price",
    "max_discount",
    "free_shipping_over",
    "returns",
    "shipping",
    "picked",
    "promise",
    "question",
    "order_number",
];

impl ShopProfile {
    /// Parse a profile's RON; syntax errors come back as `file:line:column: …`.
    pub fn parse(src: &str, path: &Path) -> Result<ShopProfile, Diagnostic> {
        let mut p: ShopProfile = crate::ron_options()
            .from_str(src)
            .map_err(|e| Diagnostic::from_ron(path, &e))?;
        p.source = path.to_path_buf();
        Ok(p)
    }

    /// Read, parse and validate a profile: one with problems does not load.
    pub fn load(path: &Path) -> Result<ShopProfile, Vec<Diagnostic>> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            vec![Diagnostic::new(
                path,
                1,
                1,
                format!("cannot read shop profile: {e}"),
            )]
        })?;
        let p = ShopProfile::parse(&src, path).map_err(|d| vec![d])?;
        let problems = p.validate(&src);
        if problems.is_empty() {
            Ok(p)
        } else {
            Err(problems)
        }
    }

    /// Problems with the profile itself: ids, prices that contradict each other, facts named
    /// like a placeholder the scenario fills otherwise.
    pub fn validate(&self, src: &str) -> Vec<Diagnostic> {
        let at = |needle: &str, from: usize| {
            let (l, c) = crate::diag::locate_quoted(src, needle, from);
            (l, c)
        };
        let field = |name: &str, from: usize| -> (usize, usize) {
            let pat = format!("{name}:");
            match src.get(from..).and_then(|s| s.find(&pat)) {
                Some(i) => crate::diag::line_col(src, from + i),
                None => (1, 1),
            }
        };
        let mut out = Vec::new();
        let mut push = |(l, c): (usize, usize), m: String| {
            out.push(Diagnostic::new(&self.source, l, c, m));
        };
        if self.id.trim().is_empty() || self.id.contains(['/', '\\', ' ']) {
            push(
                at(&self.id, 0),
                format!(
                    "shop id `{}` must be a non-empty word without spaces or slashes",
                    self.id
                ),
            );
        }
        if let Some(stem) = self.source.file_stem().and_then(|s| s.to_str())
            && stem != self.id
        {
            push(
                at(&self.id, 0),
                format!(
                    "shop id `{}` must equal the file name `{stem}` (so `--shop {stem}` finds it)",
                    self.id
                ),
            );
        }
        if self.products.is_empty() {
            push(
                field("products", 0),
                "a shop needs at least one product".into(),
            );
        }
        if let Some(f) = self.free_shipping_over
            && f < 0.0
        {
            push(
                field("free_shipping_over", 0),
                format!("free_shipping_over {f} must not be negative"),
            );
        }
        for k in self.facts.keys() {
            if RESERVED_FACTS.contains(&k.as_str()) {
                push(
                    at(k, 0),
                    format!(
                        "fact `{k}` is filled from a fixed field or by the conversation; rename it"
                    ),
                );
            }
        }
        let mut search = src.find("products").unwrap_or(0);
        let mut seen = std::collections::HashSet::new();
        for p in &self.products {
            let start = src
                .get(search..)
                .and_then(|s| s.find(&format!("\"{}\"", p.id)))
                .map(|i| search + i)
                .unwrap_or(search);
            search = start + 1;
            if !seen.insert(p.id.as_str()) {
                push(
                    at(&p.id, start),
                    format!("product `{}` is defined twice", p.id),
                );
            }
            if p.price <= 0.0 || p.lowest_price <= 0.0 || p.lowest_price > p.price {
                push(
                    field("lowest_price", start),
                    format!(
                        "product `{}`: prices must be positive and lowest_price {} not above price {}",
                        p.id, p.lowest_price, p.price
                    ),
                );
            }
            if let Some(promo) = p.promo_price
                && (promo < p.lowest_price || promo > p.price)
            {
                push(
                    field("promo_price", start),
                    format!(
                        "product `{}`: promo_price {promo} must lie between lowest_price {} and price {}",
                        p.id, p.lowest_price, p.price
                    ),
                );
            }
            for k in p.facts.keys() {
                if RESERVED_FACTS.contains(&k.as_str()) {
                    push(
                        at(k, start),
                        format!(
                            "product `{}`: fact `{k}` is filled from a fixed field or by the conversation; rename it",
                            p.id
                        ),
                    );
                }
            }
        }
        out
    }

    /// The product a scenario needing `needs` is played with: the first carrying every tag.
    pub fn product_for(&self, needs: &[String]) -> Option<&Product> {
        self.products
            .iter()
            .find(|p| needs.iter().all(|t| p.tags.contains(t)))
    }

    /// The shop as a scenario sees it, with `product` on the counter.
    pub fn shop_for(&self, product: &Product) -> Shop {
        let mut facts = self.facts.clone();
        facts.extend(product.facts.clone());
        let mut notes = self.notes.clone();
        notes.extend(product.notes.clone());
        Shop {
            name: self.name.clone(),
            product: product.name.clone(),
            price: product.price,
            lowest_price: product.lowest_price,
            free_shipping_over: self.free_shipping_over,
            gifts_allowed: product.gifts_allowed.unwrap_or(self.gifts_allowed),
            returns: self.returns.clone(),
            shipping: self.shipping.clone(),
            notes,
            platform: self.platform.clone(),
            promo_price: product.promo_price,
            facts,
            profile: Some(ShopRef {
                id: self.id.clone(),
                name: self.name.clone(),
                product: product.id.clone(),
                source: self.source.clone(),
            }),
        }
    }

    /// A short description of what a scenario needs, for messages.
    pub fn describe_needs(needs: &[String]) -> String {
        if needs.is_empty() {
            "任意商品 (any product)".into()
        } else {
            needs.join("+")
        }
    }
}

/// Which profile and product a scenario is being played with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShopRef {
    pub id: String,
    pub name: String,
    pub product: String,
    #[serde(skip)]
    pub source: PathBuf,
}

/// The shop profiles for a scenario folder: `<scenarios>/shops`, else — for a folder without
/// one — the default scenario folder's (the shipped shops).
pub fn dir_for(scenarios: &Path) -> PathBuf {
    let here = scenarios.join("shops");
    if here.is_dir() {
        here
    } else {
        super::default_dir().join("shops")
    }
}

/// The shop profiles for a scenario file: those of its folder (see [`dir_for`]).
pub fn dir_beside(file: &Path) -> PathBuf {
    dir_for(file.parent().unwrap_or(Path::new(".")))
}

/// Load every profile in `dir` (sorted by file name); problems come back separately. A
/// missing folder is no problem (scenarios may all embed their shops).
pub fn load_dir(dir: &Path) -> (Vec<ShopProfile>, Vec<Diagnostic>) {
    let mut ok: Vec<ShopProfile> = Vec::new();
    let mut bad = Vec::new();
    if !dir.is_dir() {
        return (ok, bad);
    }
    match super::files_in(dir) {
        Ok(files) => {
            for f in files {
                match ShopProfile::load(&f) {
                    Ok(p) => ok.push(p),
                    Err(d) => bad.extend(d),
                }
            }
        }
        Err(e) => bad.push(Diagnostic::new(
            dir,
            1,
            1,
            format!("cannot read shop folder: {e}"),
        )),
    }
    (ok, bad)
}

/// Find a shop named on the command line: a path to a `.ron` file, or the id of a profile in
/// the scenario folder's `shops/`.
pub fn resolve(name: &str, scenarios: &Path) -> Result<ShopProfile, Vec<Diagnostic>> {
    let p = Path::new(name);
    if p.extension().is_some_and(|x| x == "ron") || p.is_file() {
        return ShopProfile::load(p);
    }
    let dir = dir_for(scenarios);
    let (all, problems) = load_dir(&dir);
    if let Some(s) = all.into_iter().find(|s| s.id == name) {
        return Ok(s);
    }
    let mut d = vec![Diagnostic::new(
        &dir,
        1,
        1,
        format!(
            "no shop profile `{name}` (give a .ron file, or an id from {})",
            dir.display()
        ),
    )];
    d.extend(problems);
    Err(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(src: &str) -> (ShopProfile, Vec<Diagnostic>) {
        let p = ShopProfile::parse(src, Path::new("shops/t.ron")).expect("parses");
        let d = p.validate(src);
        (p, d)
    }

    const OK: &str = r#"ShopProfile(id: "t", name: "T店", returns: "7天", shipping: "48小时",
        facts: {"courier": "中通"},
        products: [
            Product(id: "a", name: "开衫", tags: ["服装"], price: 100, lowest_price: 90, promo_price: 95, facts: {"courier": "顺丰"}),
            Product(id: "b", name: "外套", tags: ["服装", "外套"], price: 300, lowest_price: 300, gifts_allowed: false),
        ])"#;

    #[test]
    fn the_first_product_with_every_tag_is_played() {
        let (p, d) = profile(OK);
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(p.product_for(&[]).map(|x| x.id.as_str()), Some("a"));
        assert_eq!(
            p.product_for(&["外套".into()]).map(|x| x.id.as_str()),
            Some("b")
        );
        assert!(p.product_for(&["数码".into()]).is_none());
        let shop = p.shop_for(p.product_for(&["外套".into()]).unwrap());
        assert_eq!(shop.product, "外套");
        assert!(!shop.gifts_allowed);
        // Product facts win over shop facts.
        let a = p.shop_for(&p.products[0]);
        assert_eq!(a.facts.get("courier").map(String::as_str), Some("顺丰"));
    }

    #[test]
    fn contradicting_prices_and_reserved_facts_are_named_with_their_place() {
        let src = r#"ShopProfile(id: "t", name: "T", returns: "", shipping: "",
            facts: {"price": "9"},
            products: [
                Product(id: "a", name: "A", price: 100, lowest_price: 120),
                Product(id: "b", name: "B", price: 100, lowest_price: 80, promo_price: 70),
                Product(id: "a", name: "A2", price: 10, lowest_price: 10),
            ])"#;
        let (_, d) = profile(src);
        let text: Vec<String> = d.iter().map(|x| x.to_string()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("lowest_price 120 not above price 100")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("promo_price 70 must lie between")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("fact `price`")), "{text:?}");
        assert!(
            text.iter()
                .any(|t| t.contains("product `a` is defined twice")),
            "{text:?}"
        );
        // Each problem names the line it is on, not the top of the file.
        assert!(d.iter().all(|x| x.line >= 2), "{text:?}");
    }

    #[test]
    fn the_file_name_must_be_the_id() {
        let p = ShopProfile::parse(OK, Path::new("shops/other.ron")).unwrap();
        let d = p.validate(OK);
        assert!(
            d.iter()
                .any(|x| x.message.contains("must equal the file name `other`"))
        );
    }
}
