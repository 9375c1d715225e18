//! `sdkgen costs` and `sdkgen annotate`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use clap::ValueEnum;
use sdkgen_loader::source::Format as SourceFormat;
use sdkgen_model::PaginationSource;
use sdkgen_model::cost::{CostFormula, CostSource};
use serde_json::json;

/// Output formats of `costs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table for people.
    Text,
    /// A JSON array for programs.
    Json,
}

/// Prints every operation with its cost. A closed stdout is an error of kind `BrokenPipe`
/// (which [`crate::exit`] turns into a quiet end), never a panic.
pub fn list(spec: &Path, format: Format) -> Result<()> {
    let api = sdkgen_loader::load_file(spec)?;
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        let rows: Vec<_> = api
            .operations
            .iter()
            .map(|operation| {
                let mut row = json!({
                    "operation_id": operation.id,
                    "method": operation.method.as_str(),
                    "path": operation.path,
                    "points": operation.cost.base_points(),
                    "max_points": operation.cost.max_points(),
                    "source": operation.cost.source.as_str(),
                });
                if let CostSource::Inferred { rule } = operation.cost.source {
                    row["rule"] = json!(rule);
                }
                if let CostFormula::PerCount { .. } = operation.cost.formula {
                    row["formula"] = json!(operation.cost.formula.to_string());
                }
                if let Some(pagination) = &operation.pagination {
                    row["pagination"] = json!(pagination);
                }
                row
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    let rows: Vec<[String; 6]> = api
        .operations
        .iter()
        .map(|operation| {
            let points = match &operation.cost.formula {
                CostFormula::Fixed(points) => points.to_string(),
                formula => format!(
                    "{}-{} = {formula}",
                    operation.cost.base_points(),
                    operation.cost.max_points()
                ),
            };
            let source = match operation.cost.source {
                CostSource::Declared => "declared".to_owned(),
                CostSource::Inferred { rule } => format!("inferred ({rule})"),
            };
            // How the list pages, when it does: `into_stream()` is generated for it.
            let pages = match &operation.pagination {
                None => String::new(),
                Some(pagination) => match pagination.source {
                    PaginationSource::Recognised => pagination.style.name().to_owned(),
                    PaginationSource::Declared => format!("{} (declared)", pagination.style.name()),
                },
            };
            [
                operation.method.to_string(),
                operation.path.clone(),
                operation.id.clone(),
                points,
                source,
                pages,
            ]
        })
        .collect();
    let header = ["METHOD", "PATH", "OPERATION", "POINTS", "SOURCE", "PAGES"].map(str::to_owned);
    let mut widths = [0; 6];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

/// Writes inferred costs into the document (or to `output`).
pub fn annotate(spec: &Path, output: Option<&Path>) -> Result<()> {
    let api = sdkgen_loader::load_file(spec)?;
    let text =
        std::fs::read_to_string(spec).with_context(|| format!("cannot read {}", spec.display()))?;
    let format = SourceFormat::sniff(Some(spec), &text);
    // Its references to other files are checked again from the document's own folder.
    let folder = Some(
        spec.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    );
    let annotated = sdkgen_loader::annotate::annotate(
        &text,
        &spec.display().to_string(),
        folder,
        format,
        &api,
    )?;
    let inferred = api
        .operations
        .iter()
        .filter(|operation| operation.cost.source != CostSource::Declared)
        .count();
    let target = output.unwrap_or(spec);
    crate::fs::write_atomically(target, annotated.as_bytes())?;
    eprintln!(
        "annotated {inferred} of {} operations in {}",
        api.operations.len(),
        target.display()
    );
    Ok(())
}
