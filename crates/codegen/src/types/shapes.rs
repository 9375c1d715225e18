//! Structs of one wire shape share one derived `Deserialize`.
//!
//! Many APIs have families of structs that differ only in the types at the properties that
//! name other schemas: Oxide's `DiskResultsPage { items: Vec<Disk>, next_page }` and
//! `InstanceResultsPage { items: Vec<Instance>, next_page }`, Kubernetes' `DeploymentList` and
//! `ReplicaSetList`; and of structs that do not differ at all, like the 29 error bodies
//! `{ message, documentation_url }` that GitHub's operations declare each on their own. A
//! derived `Deserialize` is the most expensive code in a generated crate to compile, so the
//! members of a family implement it by hand, in a few lines, through one private struct,
//! generic over the varying types, that derives it once. Each member stays its own public
//! struct with its own documentation: which family a struct belongs to is invisible to users,
//! and a family that grows or splits in a later version changes nothing in the public API.

use std::collections::HashMap;

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use sdkgen_model::{AdditionalProperties, NamedSchema, ObjectSchema, SchemaKind};

use super::TypeTable;
use crate::names::ident;

/// A family of structs that share one wire shape.
#[derive(Debug, Clone)]
pub(super) struct Family {
    /// The private generic struct that derives `Deserialize` for the family.
    wire: String,
    /// Its declaration, emitted with the family's first member.
    wire_item: TokenStream,
    /// The schema name of the first member, in document order.
    first: String,
    /// The schema names of the members.
    members: Vec<String>,
}

/// The families of an API, and the family of each member.
#[derive(Debug, Clone, Default)]
pub(super) struct Families {
    families: Vec<Family>,
    member_of: HashMap<String, usize>,
}

/// The properties of a struct whose types vary within a family: references to named schemas,
/// or arrays of them. `None` for a struct with a reference nested deeper (a map of them, an
/// inline object holding one), which this module does not handle, or without properties.
fn type_parameter_properties(object: &ObjectSchema) -> Option<Vec<&str>> {
    if object.properties.is_empty() {
        return None;
    }
    let mut varying = Vec::new();
    for (property, schema) in &object.properties {
        let is_reference = match &schema.kind {
            SchemaKind::Ref(_) => true,
            SchemaKind::Array(array) => matches!(array.items.kind, SchemaKind::Ref(_)),
            _ => false,
        };
        let mut references = Vec::new();
        super::collect_refs(schema, &mut references);
        match (is_reference, references.is_empty()) {
            (true, _) => varying.push(property.as_str()),
            (false, false) => return None,
            (false, true) => {}
        }
    }
    Some(varying)
}

/// The type parameters of a wire struct with `count` of them: `T`, or `T1`, `T2` ...
fn type_parameters(count: usize) -> Vec<Ident> {
    match count {
        1 => vec![ident("T")],
        _ => (1..=count)
            .map(|index| ident(&format!("T{index}")))
            .collect(),
    }
}

impl TypeTable<'_> {
    /// Finds the families: structs (without additional properties) whose fields are the same
    /// token for token once each property whose type is a named schema or a list of them
    /// stands for a type parameter (structs of one shape with no such property are a family
    /// too). Only families of two or more are kept.
    pub(super) fn find_families(&mut self) -> Families {
        let warnings = self.warnings.len();
        // Wire fields, type parameters and members, in the order the groups were first seen,
        // and each group's index by its wire fields as text.
        let mut groups: Vec<(TokenStream, usize, Vec<String>)> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        let api = self.api;
        // First the structs that can be members, with a key that is cheap to make (the side,
        // and each property's name, whether it is required and whether it varies): only
        // structs that share it with another can share wire fields, which are costly to make.
        let mut candidates = Vec::new();
        let mut cheap_counts: HashMap<String, usize> = HashMap::new();
        for named in api.schemas.values() {
            let Some(object) = self.struct_shape(&named.schema) else {
                continue;
            };
            if matches!(
                object.additional_properties,
                AdditionalProperties::Any | AdditionalProperties::Schema(_)
            ) {
                continue;
            }
            let Some(varying) = type_parameter_properties(&object) else {
                continue;
            };
            let target_needs_box = varying.iter().any(|property| {
                object.properties.get(*property).is_some_and(|schema| {
                    matches!(&schema.kind, SchemaKind::Ref(target) if self.needs_box(&named.name, target))
                })
            });
            if target_needs_box {
                continue;
            }
            // The side a schema is on changes how its nullable fields are declared.
            let side = self.analysis.request_side.contains(&named.name);
            let mut cheap = format!("{side}");
            for property in object.properties.keys() {
                let required = object.is_required(property);
                let varies = varying.contains(&property.as_str());
                cheap.push_str(&format!(" {property:?}:{required}:{varies}"));
            }
            let varying: Vec<String> = varying.into_iter().map(str::to_owned).collect();
            *cheap_counts.entry(cheap.clone()).or_default() += 1;
            candidates.push((named, object, varying, cheap));
        }
        for (named, object, varying, cheap) in candidates {
            if cheap_counts[&cheap] < 2 {
                continue;
            }
            let varying: Vec<&str> = varying.iter().map(String::as_str).collect();
            let fields = self.wire_fields(named, &object, &varying);
            let key = format!("{cheap} {fields}");
            match group_of.get(&key) {
                Some(&group) => groups[group].2.push(named.name.clone()),
                None => {
                    group_of.insert(key, groups.len());
                    groups.push((fields, varying.len(), vec![named.name.clone()]));
                }
            }
        }
        // Working out the shapes may have warned about what the types themselves warn about.
        self.warnings.truncate(warnings);

        let mut families = Families::default();
        for (fields, parameters, members) in groups
            .into_iter()
            .filter(|(_, _, members)| members.len() > 1)
        {
            let rust_names: Vec<&str> = members
                .iter()
                .map(|member| self.analysis.names[member].as_str())
                .collect();
            // What decode errors call the family: the members' common suffix
            // (`ResultsPage`), or `object`: the name of one member would mislead about the
            // others. The wire struct is named after the suffix or the first member.
            let (label, wire) = match common_suffix(&rust_names) {
                suffix if suffix.is_empty() => ("object".to_owned(), rust_names[0].to_owned()),
                suffix => (suffix.clone(), suffix),
            };
            let wire = self.type_names.unique(format!("{wire}Shape"));
            let wire_item = self.wire_item(&wire, &label, &members, parameters, fields);
            let index = families.families.len();
            for member in &members {
                families.member_of.insert(member.clone(), index);
            }
            families.families.push(Family {
                wire,
                wire_item,
                first: members[0].clone(),
                members,
            });
        }
        families
    }

    /// The declaration of a family's wire struct.
    fn wire_item(
        &self,
        wire: &str,
        label: &str,
        members: &[String],
        parameters: usize,
        fields: TokenStream,
    ) -> TokenStream {
        let wire = ident(wire);
        let names: Vec<String> = members
            .iter()
            .map(|member| format!("`{}`", self.analysis.names[member]))
            .collect();
        let doc = format!(
            " The wire form of {}: they share this one derived `Deserialize`.",
            names.join(", ")
        );
        let parameters = type_parameters(parameters);
        // Said outright: serde infers no bound for fields deserialised `with` a helper.
        let bound = (!parameters.is_empty()).then(|| {
            let bounds: Vec<String> = parameters
                .iter()
                .map(|parameter| format!("{parameter}: ::sdkgen_runtime::serde::Deserialize<'de>"))
                .collect();
            let bounds = bounds.join(", ");
            quote!(, bound(deserialize = #bounds))
        });
        let generics = (!parameters.is_empty()).then(|| quote!(<#(#parameters),*>));
        quote! {
            #[doc = #doc]
            #[derive(Deserialize)]
            // Named in decode errors ("expected struct ResultsPage") by the family's name.
            #[serde(crate = "::sdkgen_runtime::serde", rename = #label #bound)]
            struct #wire #generics {
                #fields
            }
        }
    }

    /// The fields of a family's wire struct, as a member would declare them with its
    /// varying properties' types replaced by the type parameters.
    fn wire_fields(
        &mut self,
        named: &NamedSchema,
        object: &ObjectSchema,
        varying: &[&str],
    ) -> TokenStream {
        let parameters = type_parameters(varying.len());
        let mut fields = Vec::new();
        for (property, schema) in &object.properties {
            let generic = varying
                .iter()
                .position(|varying| varying == property)
                .map(|index| &parameters[index]);
            let code = self.field_code(
                &named.name,
                property,
                schema,
                object.is_required(property),
                generic,
            );
            let (field, field_type, serde) = (code.field, code.field_type, code.serde);
            let attrs = (!serde.is_empty()).then(|| quote!(#[#serde]));
            fields.push(quote!(#attrs #field: #field_type,));
        }
        quote!(#(#fields)*)
    }

    /// For the first member of a family: the family's wire struct, compiled exactly when a
    /// member's `Deserialize` is (its type is compiled, and it deserialises or the
    /// `deserialize` feature is on), so that it is never compiled unused.
    pub(super) fn family_wire_item(&self, named: &NamedSchema) -> Option<TokenStream> {
        let families = self.families.as_ref()?;
        let family = &families.families[*families.member_of.get(&named.name)?];
        if family.first != named.name {
            return None;
        }
        let mut terms = Vec::new();
        for member in &family.members {
            let compiled = self.analysis.features().schema_predicate(member);
            let deserialises = self.serde_directions(member).1;
            let term = match (compiled, deserialises) {
                (None, true) => return Some(family.wire_item.clone()),
                (None, false) => quote!(feature = "deserialize"),
                (Some(compiled), true) => compiled,
                (Some(compiled), false) => quote!(all(#compiled, feature = "deserialize")),
            };
            let text = term.to_string();
            if !terms
                .iter()
                .any(|known: &TokenStream| known.to_string() == text)
            {
                terms.push(term);
            }
        }
        let cfg = match terms.as_slice() {
            [term] => quote!(#[cfg(#term)]),
            _ => quote!(#[cfg(any(#(#terms),*))]),
        };
        Some(crate::features::gate(family.wire_item.clone(), &cfg))
    }

    /// For a member of a family: its hand-written `Deserialize`, through the family's wire
    /// struct.
    pub(super) fn family_deserialize(
        &mut self,
        named: &NamedSchema,
        object: &ObjectSchema,
    ) -> Option<TokenStream> {
        let families = self.families.as_ref()?;
        let family = &families.families[*families.member_of.get(&named.name)?];
        let wire = ident(&family.wire);
        let varying = type_parameter_properties(object)?;
        let member = ident(&self.analysis.names[&named.name]);
        let mut targets = Vec::new();
        for property in varying {
            let schema = object.properties.get(property)?;
            targets.push(match &schema.kind {
                SchemaKind::Array(array) => self.type_of(&array.items, "family"),
                _ => self.type_of(schema, "family"),
            });
        }
        let arguments = (!targets.is_empty()).then(|| quote!(<#(#targets),*>));
        let fields: Vec<Ident> = object
            .properties
            .keys()
            .map(|property| ident(&self.analysis.fields[&(named.name.clone(), property.clone())]))
            .collect();
        let (_, deserializes) = self.serde_directions(&named.name);
        let cfg = (!deserializes).then(|| quote!(#[cfg(feature = "deserialize")]));
        let implementation = quote! {
            #cfg
            impl<'de> ::sdkgen_runtime::serde::Deserialize<'de> for #member {
                fn deserialize<D: ::sdkgen_runtime::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let #wire { #(#fields),* } = <#wire #arguments as ::sdkgen_runtime::serde::Deserialize>::deserialize(deserializer)?;
                    Ok(#member { #(#fields),* })
                }
            }
        };
        Some(implementation)
    }
}

/// The longest run of whole words (PascalCase) that ends every name: `ResultsPage` for
/// `DiskResultsPage` and `InstanceResultsPage`.
fn common_suffix(names: &[&str]) -> String {
    let words = |name: &str| -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for character in name.chars() {
            match words.last_mut() {
                Some(word) if !character.is_ascii_uppercase() => word.push(character),
                _ => words.push(character.to_string()),
            }
        }
        words
    };
    let split: Vec<Vec<String>> = names.iter().map(|name| words(name)).collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let mut common = 0;
    while common < first.len()
        && split.iter().all(|words| {
            words.len() > common
                && words[words.len() - 1 - common] == first[first.len() - 1 - common]
        })
    {
        common += 1;
    }
    // A whole name in common would leave the wire struct nameless in the family's terms.
    if common == first.len() {
        return String::new();
    }
    first[first.len() - common..].concat()
}

#[cfg(test)]
mod tests {
    use super::common_suffix;

    #[test]
    fn common_suffixes_are_whole_words() {
        assert_eq!(
            common_suffix(&["DiskResultsPage", "InstanceResultsPage"]),
            "ResultsPage"
        );
        assert_eq!(common_suffix(&["DeploymentList", "ReplicaSetList"]), "List");
        assert_eq!(common_suffix(&["Apage", "Bpage"]), "");
        assert_eq!(common_suffix(&["Page", "TaskPage"]), "");
    }
}
