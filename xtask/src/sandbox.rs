//! `cargo xtask sandbox`: serves every major's newest release (or one spec) with the
//! provider's rules, until interrupted. All of it is in the sandbox library; this only
//! forwards the flags.

use anyhow::Result;
use sdkgen_sandbox::Options;

use crate::codegen::root;

/// Runs the sandbox.
pub fn run(mut options: Options) -> Result<()> {
    options.specs = root().join("specs");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(sdkgen_sandbox::run(&options, |message| {
        println!("{message}Ctrl-C to stop");
    }))?;
    Ok(())
}
