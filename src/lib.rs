//! peilian (陪练): a training simulator for Chinese e-commerce customer-service agents.
//!
//! The logic lives in plain modules that know nothing about Bevy — `rubric` (checks, matchers,
//! scoring), `scenario` (RON scenarios and their validator), `persona` (the customer's mood and
//! branch choice), `session` (transcript, result files) — and `sim` wraps them in a Bevy
//! `SimPlugin` that every front end drives: the terminal, the window and the tests.

pub mod catalog;
pub mod cli;
pub mod diag;
pub mod drill;
pub mod listen;
pub mod persona;
pub mod report;
pub mod rubric;
pub mod scenario;
pub mod session;
pub mod sim;
pub mod term;
pub mod textio;
pub mod ui;

/// RON options used for every file peilian reads: `Some(..)` may be left out.
pub fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}
