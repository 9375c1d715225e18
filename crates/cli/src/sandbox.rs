//! `sdkgen sandbox`: serves every major's newest release under `<root>/specs/` (or one spec)
//! with the provider's rules, until interrupted. All of it is in the sandbox library; this
//! only forwards the flags.

use anyhow::Result;
use sdkgen_sandbox::Options;

/// Runs the sandbox until Ctrl-C.
pub fn run(options: &Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(sdkgen_sandbox::run(options, |message| {
        println!("{message}Ctrl-C to stop");
    }))?;
    Ok(())
}
