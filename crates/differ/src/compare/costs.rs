//! Point costs: an operation that costs more is a warning (callers' budgets run out sooner),
//! one that costs less is not a risk. The finding names `x-points` only when a document
//! declares the cost; an inferred cost says so and names the provider's rule that applied.

use sdkgen_model::{CostSource, Operation};

use super::Differ;
use crate::rules::Fixed;

fn points_text(operation: &Operation) -> String {
    let (base, max) = (operation.cost.base_points(), operation.cost.max_points());
    if base == max {
        base.to_string()
    } else {
        format!("{base}-{max}")
    }
}

fn declared(operation: &Operation) -> bool {
    operation.cost.source == CostSource::Declared
}

impl Differ<'_> {
    pub(super) fn costs(&mut self, label: &str, old: &Operation, new: &Operation) {
        let (old_points, new_points) = (old.cost.max_points(), new.cost.max_points());
        let (old_base, new_base) = (old.cost.base_points(), new.cost.base_points());
        let (rule, verb) = if new_points > old_points || new_base > old_base {
            (Fixed::PointsIncreased, "rose")
        } else if new_points < old_points || new_base < old_base {
            (Fixed::PointsDecreased, "fell")
        } else {
            return;
        };
        let location = if declared(old) || declared(new) {
            sdkgen_model::cost::EXTENSION.to_owned()
        } else {
            "cost (inferred)".to_owned()
        };
        let message = if declared(old) && declared(new) {
            format!(
                "the cost {verb} from {} to {} points",
                points_text(old),
                points_text(new)
            )
        } else {
            let source = |operation: &Operation| match &operation.cost.source {
                CostSource::Declared => "declared".to_owned(),
                CostSource::Inferred { rule } => format!("inferred: {rule}"),
            };
            format!(
                "the cost {verb} from {} ({}) to {} ({}) points",
                points_text(old),
                source(old),
                points_text(new),
                source(new)
            )
        };
        self.push(rule, Some(label), location, message);
    }
}
