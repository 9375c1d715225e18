//! `sdkgen diff`, `sdkgen check-versions`, and the changelogs and migration guides of
//! generated crates.

use std::path::Path;
use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};
use sdkgen_differ::controls::{self, Config, IgnoreList};
use sdkgen_differ::report::{self, Format};
use sdkgen_differ::{DiffSettings, Level, Report, diff};

use crate::project::{Release, majors, releases};

/// The date and a team's controls: what `diff` and `check-versions` judge with.
pub struct Gate {
    settings: DiffSettings,
    config: Config,
    ignore: IgnoreList,
}

impl Gate {
    /// Reads `--today`, `--config` and `--ignore`.
    pub fn read(today: Option<&str>, config: Option<&Path>, ignore: Option<&Path>) -> Result<Gate> {
        let settings = match today {
            Some(today) => DiffSettings::new(DiffSettings::parse_today(today)?),
            None => DiffSettings::from_clock(),
        };
        let read = |path: &Path| {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
        };
        let config = match config {
            Some(path) => controls::parse_config(&read(path)?, &path.display().to_string())?,
            None => Config::default(),
        };
        let ignore = match ignore {
            Some(path) => controls::parse_ignore(&read(path)?, &path.display().to_string())?,
            None => IgnoreList::default(),
        };
        Ok(Gate {
            settings,
            config,
            ignore,
        })
    }

    /// Compares, applies the controls, and says on stderr what was ignored and which ignore
    /// entries are stale.
    fn judge(&self, old: &sdkgen_model::Api, new: &sdkgen_model::Api) -> Report {
        let applied = controls::apply(diff(old, new, &self.settings), &self.config, &self.ignore);
        for (change, reason) in &applied.ignored {
            eprintln!(
                "ignored {} {}: {reason}",
                change.id,
                change.operation.as_deref().unwrap_or("-")
            );
        }
        for entry in &applied.stale {
            eprintln!(
                "stale ignore entry (line {}): {} {} matches no finding",
                entry.line,
                entry.operation.as_deref().unwrap_or("-"),
                entry.rule
            );
        }
        applied.report
    }
}

/// `sdkgen diff OLD NEW`: exit 1 when a finding reaches `fail_on`.
pub fn diff_command(
    old: &Path,
    new: &Path,
    format: &str,
    fail_on: Option<&str>,
    gate: &Gate,
) -> Result<ExitCode> {
    let format = Format::parse(format).with_context(|| {
        format!("unknown format {format:?} (text, json, markdown, github, junit, sarif)")
    })?;
    let fail_on = match fail_on {
        None => None,
        Some(level) => Some(
            Level::parse(level)
                .filter(|level| *level != Level::NonBreaking)
                .with_context(|| format!("--fail-on must be breaking or warning, not {level:?}"))?,
        ),
    };
    let old_api = sdkgen_loader::load_file(old)?;
    let new_api = sdkgen_loader::load_file(new)?;
    let report = gate.judge(&old_api, &new_api);
    use std::io::IsTerminal;
    let color = format == Format::Text
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let text = std::fs::read_to_string(new).ok();
    let rendered = report::render_with_source(
        &report,
        format,
        &new.display().to_string(),
        text.as_deref(),
        color,
    );
    std::io::Write::write_all(&mut std::io::stdout().lock(), rendered.as_bytes())
        .context("cannot write the report")?;
    Ok(match fail_on {
        Some(level) if report.reaches(level) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// `sdkgen check-versions [--root DIR] [--base REF]`: within each major, every release against the one
/// before shows no breaking change and bumps its version accordingly; released files are
/// never changed.
pub fn check_versions(
    root: &Path,
    base: Option<&str>,
    github: bool,
    gate: &Gate,
) -> Result<ExitCode> {
    if let Some(base) = base.filter(|base| base.is_empty() || base.starts_with('-')) {
        bail!("--base {base:?} is not a git revision (it must not be empty or start with '-')");
    }
    let mut problems = Vec::new();
    for (major, folder) in majors(&root.join("specs"))? {
        let releases = releases(&folder)?;
        for release in &releases {
            let api = sdkgen_loader::load_file(&release.path)?;
            let declared = api.version.trim();
            let named = version_text(release);
            if declared != named {
                problems.push((
                    release.path.clone(),
                    format!("info.version is {declared:?} but the file is named {named}"),
                ));
            }
            if release.version.0 != major {
                problems.push((
                    release.path.clone(),
                    format!("version {named} is not of major {major}, the folder's"),
                ));
            }
        }
        for pair in releases.windows(2) {
            let [old, new] = pair else { continue };
            let report = gate.judge(
                &sdkgen_loader::load_file(&old.path)?,
                &sdkgen_loader::load_file(&new.path)?,
            );
            for change in report.at(Level::Breaking) {
                problems.push((
                    new.path.clone(),
                    format!(
                        "breaking change against {}: {} {} ({})",
                        version_text(old),
                        change.operation.as_deref().unwrap_or(""),
                        change.message,
                        change.id
                    ),
                ));
            }
            let additions = !report.changes.is_empty();
            let minor_bump = new.version.1 > old.version.1;
            let patch_bump = new.version.1 == old.version.1 && new.version.2 > old.version.2;
            if additions && !minor_bump {
                problems.push((new.path.clone(), format!("{} changes the API ({} findings) against {}: it needs a minor version bump", version_text(new), report.changes.len(), version_text(old))));
            } else if !additions && !minor_bump && !patch_bump {
                problems.push((
                    new.path.clone(),
                    format!(
                        "{} must be newer than {}",
                        version_text(new),
                        version_text(old)
                    ),
                ));
            }
            println!(
                "{} -> {}: {} breaking, {} warning, {} non-breaking",
                version_text(old),
                version_text(new),
                report.summary().breaking,
                report.summary().warning,
                report.summary().non_breaking
            );
        }
    }
    problems.extend(changed_releases(root, base)?);
    if problems.is_empty() {
        println!("every released spec is immutable and every version follows the policy");
        return Ok(ExitCode::SUCCESS);
    }
    for (path, problem) in &problems {
        let relative = path.strip_prefix(root).unwrap_or(path).display();
        if github {
            println!("::error file={relative},title=API versioning::{problem}");
        } else {
            println!("{relative}: {problem}");
        }
    }
    Ok(ExitCode::from(1))
}

fn version_text(release: &Release) -> String {
    release.version_text()
}

/// Released spec files that were modified or deleted: against `base`, or, without one, in any
/// commit of the history (a release is written once).
fn changed_releases(root: &Path, base: Option<&str>) -> Result<Vec<(std::path::PathBuf, String)>> {
    // Paths relative to `root` (which may be a folder inside the repository), NUL-separated
    // (no quoting of unusual names); the ref after `--end-of-options`, so that nothing it
    // says is read as an option of git's.
    let output = match base {
        Some(base) => Command::new("git")
            .args([
                "diff",
                "--name-status",
                "-z",
                "--relative",
                "--end-of-options",
                base,
            ])
            .args(["--", "specs"])
            .current_dir(root)
            .output(),
        None => Command::new("git")
            .args([
                "log",
                "--format=",
                "--name-status",
                "-z",
                "--relative",
                "--diff-filter=MDR",
                "--",
                "specs",
            ])
            .current_dir(root)
            .output(),
    };
    let output = match output {
        Ok(output) if output.status.success() => output,
        Ok(output) => bail!(
            "git could not compare the specs: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ),
        Err(error) => {
            eprintln!(
                "note: git is not available ({error}); the immutability of released specs was not checked"
            );
            return Ok(Vec::new());
        }
    };
    let mut problems = Vec::new();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // `STATUS\0PATH\0`, or `R<score>\0OLD\0NEW\0` for a rename (and `C` for a copy).
    let mut fields = stdout
        .split('\0')
        .map(|field| field.trim_start_matches('\n'));
    while let Some(status) = fields.next().filter(|status| !status.is_empty()) {
        let Some(path) = fields.next() else {
            break;
        };
        if status.starts_with(['R', 'C']) {
            fields.next();
        }
        if status.starts_with('M') || status.starts_with('D') || status.starts_with('R') {
            let what = if status.starts_with('M') {
                "was modified"
            } else {
                "was deleted or renamed"
            };
            problems.push((
                root.join(path),
                format!("a released spec {what}; release a new version instead"),
            ));
        }
    }
    problems.sort();
    problems.dedup();
    Ok(problems)
}

/// The CHANGELOG.md of a major's crate: each release against the one before, newest first.
pub fn changelog(crate_name: &str, releases: &[Release]) -> Result<String> {
    let mut sections = Vec::new();
    for (index, release) in releases.iter().enumerate() {
        let version = version_text(release);
        if index == 0 {
            sections.push(format!(
                "## {version}\n\nFirst release of this major version.\n"
            ));
            continue;
        }
        let previous = &releases[index - 1];
        let report = diff(
            &sdkgen_loader::load_file(&previous.path)?,
            &sdkgen_loader::load_file(&release.path)?,
            &DiffSettings::before_every_sunset(),
        );
        sections.push(report::markdown(&report, &version));
    }
    sections.reverse();
    Ok(format!(
        "<!-- Generated by `cargo xtask codegen` from the specs of this major. Do not edit by hand. -->\n# Changelog of {crate_name}\n\nEvery change of the API, by release, found by comparing each release with the one before.\n\n{}",
        sections.join("\n")
    ))
}

/// The migration guide from the newest release of the previous major to the first of this one.
pub fn migration_guide(crate_name: &str, from: &Release, to: &Release) -> Result<String> {
    let report = diff(
        &sdkgen_loader::load_file(&from.path)?,
        &sdkgen_loader::load_file(&to.path)?,
        &DiffSettings::before_every_sunset(),
    );
    let summary = report.summary();
    Ok(format!(
        "<!-- Generated by `cargo xtask codegen`. Do not edit by hand. -->\n# Migrating to {crate_name} from {} to {}\n\n{} breaking changes, {} warnings and {} non-breaking changes. Every breaking change needs a look in code that uses the operation.\n\n{}",
        version_text(from),
        version_text(to),
        summary.breaking,
        summary.warning,
        summary.non_breaking,
        report::markdown(
            &report,
            &format!("{} to {}", version_text(from), version_text(to))
        )
    ))
}
