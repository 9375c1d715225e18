//! The sandbox's command-line options as the binary hands them over (text, unparsed), read
//! into [`Settings`] and [`Mount`]s here, so that every binary serving the sandbox behaves
//! the same and only forwards its flags.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::{BudgetSchedule, Chaos, Error, Failure, Key, Mount, Settings};

/// The sandbox's options.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Serve only this document (at its servers' base path) instead of every major.
    pub spec: Option<PathBuf>,
    /// The folder of majors (`v1/`, `v2/`) served when no `spec` is given.
    pub specs: PathBuf,
    /// The address to listen on, such as `127.0.0.1:8080`.
    pub address: String,
    /// Keys as `TOKEN:ORG:PLAN`; none gives the demo keys.
    pub keys: Vec<String>,
    /// The budget window in seconds.
    pub window_seconds: u64,
    /// Chaos: the share of requests that fail (`0.1` or `10%`).
    pub fail_rate: Option<String>,
    /// Chaos: how they fail (`500,502,503,drop`, the default).
    pub failures: Option<String>,
    /// Chaos: the latency range (`MIN..MAX`, milliseconds or with units).
    pub latency: Option<String>,
    /// Chaos: budget changes (`SECONDS=POINTS,...`, `POINTS` may be `plan`).
    pub budget_schedule: Option<String>,
    /// Chaos: the seed (random, and printed, when not given).
    pub seed: Option<u64>,
    /// Keep resources in this file across restarts.
    pub data: Option<PathBuf>,
}

fn invalid(flag: &str, message: impl std::fmt::Display) -> Error {
    Error::Invalid(format!("--{flag}: {message}"))
}

impl Options {
    /// The address to listen on.
    pub fn address(&self) -> Result<SocketAddr, Error> {
        self.address.parse().map_err(|_| {
            invalid(
                "addr",
                format!(
                    "{:?} is not an address such as 127.0.0.1:8080",
                    self.address
                ),
            )
        })
    }

    /// Chaos settings, when any chaos option is given.
    pub fn chaos(&self) -> Result<Option<Chaos>, Error> {
        if self.fail_rate.is_none()
            && self.failures.is_none()
            && self.latency.is_none()
            && self.budget_schedule.is_none()
            && self.seed.is_none()
        {
            return Ok(None);
        }
        let mut chaos = Chaos {
            seed: self.seed.unwrap_or_else(|| fastrand::u64(..)),
            ..Chaos::default()
        };
        if let Some(rate) = &self.fail_rate {
            chaos.fail_rate = crate::parse_fail_rate(rate).map_err(|e| invalid("fail-rate", e))?;
        }
        if let Some(failures) = &self.failures {
            chaos.failures = Failure::parse_list(failures).map_err(|e| invalid("failures", e))?;
        }
        if let Some(latency) = &self.latency {
            chaos.latency = crate::parse_latency(latency).map_err(|e| invalid("latency", e))?;
        }
        if let Some(schedule) = &self.budget_schedule {
            chaos.budget_schedule =
                BudgetSchedule::parse(schedule).map_err(|e| invalid("budget-schedule", e))?;
        }
        Ok(Some(chaos))
    }

    /// The settings these options give.
    pub fn settings(&self) -> Result<Settings, Error> {
        if self.window_seconds == 0 {
            return Err(invalid("window", "the window must be at least 1 second"));
        }
        if self.window_seconds > 86_400 {
            return Err(invalid(
                "window",
                "the window must be at most 86400 seconds (a day)",
            ));
        }
        let mut keys = self
            .keys
            .iter()
            .map(|key| Key::parse(key).map_err(|e| invalid("key", e)))
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            keys = crate::demo_keys();
        }
        Ok(Settings {
            keys,
            window: Duration::from_secs(self.window_seconds),
            chaos: self.chaos()?,
            data: self.data.clone(),
            ..Settings::default()
        })
    }

    /// What to serve: the one document given, or each major's newest release.
    pub fn mounts(&self) -> Result<Vec<Mount>, Error> {
        match &self.spec {
            Some(spec) => {
                let api = sdkgen_loader::load_file(spec).map_err(|error| Error::Load {
                    path: spec.clone(),
                    message: error.to_string(),
                })?;
                Ok(vec![Mount::new(api, spec.display().to_string())])
            }
            None => crate::default_mounts(&self.specs),
        }
    }
}

/// Serves what `options` say until Ctrl-C; `ready` gets the startup message (what is served
/// where, the keys, chaos settings) once listening. Returning on Ctrl-C lets the caller drop
/// its runtime, which writes whatever the data file still has queued.
pub async fn run(options: &Options, ready: impl FnOnce(&str)) -> Result<(), Error> {
    let address = options.address()?;
    let settings = options.settings()?;
    let mounts = options.mounts()?;
    let serving = crate::serve(mounts, settings, address, |bound, sandbox| {
        ready(&sandbox.describe(&format!("http://{bound}")));
    });
    tokio::select! {
        result = serving => result,
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            specs: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../specs"),
            address: "127.0.0.1:0".into(),
            window_seconds: 60,
            ..Options::default()
        }
    }

    #[test]
    fn no_flags_give_demo_keys_every_major_and_no_chaos() {
        let settings = options().settings().expect("valid");
        assert_eq!(settings.keys, crate::demo_keys());
        assert!(settings.chaos.is_none());
        assert_eq!(options().mounts().expect("loads").len(), 2);
        let one = Options {
            spec: Some(options().specs.join("v1/1.0.0.yaml")),
            ..options()
        };
        let mounts = one.mounts().expect("loads");
        assert_eq!(mounts.len(), 1);
        assert_eq!(mounts[0].base_path, "/v1");
        assert!(options().address().expect("valid").ip().is_loopback());
    }

    #[test]
    fn bad_flags_say_which_flag_and_why() {
        let cases = [
            (
                Options {
                    window_seconds: 0,
                    ..options()
                },
                "--window: the window must be at least 1 second",
            ),
            (
                Options {
                    window_seconds: u64::MAX,
                    ..options()
                },
                "--window: the window must be at most 86400 seconds (a day)",
            ),
            (
                Options {
                    keys: vec!["k".into()],
                    ..options()
                },
                "--key: a key is TOKEN:ORG:PLAN, not \"k\"",
            ),
            (
                Options {
                    fail_rate: Some("2".into()),
                    ..options()
                },
                "--fail-rate: a fail rate is between 0 and 1 (0% and 100%), not \"2\"",
            ),
            (
                Options {
                    failures: Some("404".into()),
                    ..options()
                },
                "--failures: a failure is 500, 502, 503 or drop, not \"404\"",
            ),
            (
                Options {
                    latency: Some("fast".into()),
                    ..options()
                },
                "--latency: a latency is MIN..MAX, such as 10..200 (milliseconds), not \"fast\"",
            ),
            (
                Options {
                    budget_schedule: Some("10".into()),
                    ..options()
                },
                "--budget-schedule: a budget change is SECONDS=POINTS, not \"10\"",
            ),
        ];
        for (options, message) in cases {
            let error = options.settings().expect_err(message);
            assert_eq!(error.to_string(), message);
        }
        let error = Options {
            address: "here".into(),
            ..options()
        }
        .address()
        .expect_err("bad");
        assert_eq!(
            error.to_string(),
            "--addr: \"here\" is not an address such as 127.0.0.1:8080"
        );
    }

    #[test]
    fn chaos_flags_make_chaos_settings() {
        let chaos = Options {
            fail_rate: Some("10%".into()),
            latency: Some("1..5".into()),
            budget_schedule: Some("30=50".into()),
            seed: Some(7),
            ..options()
        }
        .settings()
        .expect("valid")
        .chaos
        .expect("chaos");
        assert_eq!(chaos.seed, 7);
        assert_eq!(chaos.fail_rate, 0.1);
        assert_eq!(
            chaos.latency,
            (Duration::from_millis(1), Duration::from_millis(5))
        );
        assert_eq!(
            chaos.budget_schedule.changes,
            vec![(Duration::from_secs(30), Some(50))]
        );
        assert_eq!(chaos.failures, Failure::ALL.to_vec());
    }
}
