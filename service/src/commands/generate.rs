//! `houniao generate`: a seeded, valid instance shaped like the seed networks, to
//! stdout or (atomically) to a file.

use std::path::PathBuf;

use anyhow::Context;
use houniao::generate::{GenerateOptions, generate};

use crate::Outcome;

/// The arguments of `houniao generate`.
#[derive(Debug, clap::Args)]
pub struct GenerateArgs {
    /// Specialists (8 to 5000); about 40% visiting.
    #[arg(long, value_name = "N")]
    pub specialists: usize,
    /// Horizon length in weeks (1 to 8), from Monday 2026-03-02.
    #[arg(long, value_name = "W")]
    pub weeks: u32,
    /// Patients' à-la-carte requests.
    #[arg(long, value_name = "R")]
    pub requests: usize,
    /// Surgeries on the operating lists.
    #[arg(long, value_name = "S")]
    pub surgeries: usize,
    /// Sites (default max(3, N/25), at most N/4).
    #[arg(long, value_name = "K")]
    pub sites: Option<usize>,
    /// Seed of the random generator: the same options give the same bytes.
    #[arg(long, value_name = "SEED")]
    pub seed: u64,
    /// Write the instance (TOML) to this file, atomically, instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<Outcome> {
    let options = GenerateOptions {
        specialists: args.specialists,
        weeks: args.weeks,
        requests: args.requests,
        surgeries: args.surgeries,
        sites: args.sites,
        seed: args.seed,
    };
    let text = generate(&options)?;
    match &args.output {
        Some(path) => houniao::files::write_atomically(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(Outcome::Valid)
}
