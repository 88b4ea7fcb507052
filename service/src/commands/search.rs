//! `houniao search INSTANCE ROSTER (--specialist ID | --discipline D) --from --to`:
//! the sessions of the published roster that can take the patient, best first, and
//! why not (with the nearest alternatives) when the named expert cannot be had.

use std::path::PathBuf;

use super::desk::{self, Access, PublishedArgs, RequestArgs};
use crate::{Format, Outcome};

/// The arguments of `houniao search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub published: PublishedArgs,
    #[command(flatten)]
    pub request: RequestArgs,
    /// The booking ledger (JSON) whose bookings take places; without it only the
    /// roster's own bookings do.
    #[arg(long, value_name = "FILE")]
    pub book: Option<PathBuf>,
    /// Most options to list.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

pub fn run(args: &SearchArgs) -> anyhow::Result<Outcome> {
    let desk = match desk::open(&args.published, args.book.as_deref(), Access::Read)? {
        Ok(desk) => desk,
        Err(outcome) => return Ok(outcome),
    };
    let request = args.request.request("");
    let result = match desk.book.search(&request, args.limit) {
        Ok(result) => result,
        Err(error) => return desk::report(error),
    };
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        Format::Text => {
            let instance = desk.book.instance();
            let who = match (
                &request.specialist,
                &request.resource,
                &request.resource_kind,
            ) {
                (Some(id), _, _) => instance
                    .specialist_ix(id)
                    .map_or(id.clone(), |s| instance.specialist(s).name.clone()),
                (None, Some(id), _) => instance
                    .resource_ix(id)
                    .map_or(id.clone(), |r| instance.resource(r).name.clone()),
                (None, None, Some(kind)) => format!("any {kind}"),
                (None, None, None) => request.discipline.clone().unwrap_or_default(),
            };
            println!(
                "{who}, {} … {}{}",
                request.earliest,
                request.latest,
                if request.substitute_ok {
                    ", substitute accepted"
                } else {
                    ""
                }
            );
            desk::print_result(&result, "");
        }
    }
    Ok(Outcome::Valid)
}
