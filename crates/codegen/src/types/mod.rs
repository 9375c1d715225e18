//! Rust types for the named schemas of an API: structs, enums with an unknown fallback,
//! unions, and aliases. Every type lives in the generated crate's `types` module.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::TokenStream;
use quote::quote;
use sdkgen_model::{
    AdditionalProperties, Api, Discriminator, NamedSchema, ObjectSchema, Schema, SchemaKind,
    UnionSchema,
};
use serde_json::Value;

use crate::docs::doc_attrs;
use crate::features::{TagFeatures, gate};
use crate::names::{self, Scope, ident};

mod graph;
mod shapes;

use graph::Components;

/// What the generator works out about the named schemas, once, before any code is emitted:
/// their Rust names, the fields of their structs, the serde directions they are used in, which
/// fields are boxed, which aliases cannot exist, and how deeply the types nest. It is plain
/// data (`Send` and `Sync`): every thread that emits code reads the same one.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    names: HashMap<String, String>,
    /// (schema, property) -> Rust field name, for structs.
    fields: HashMap<(String, String), String>,
    request_side: BTreeSet<String>,
    /// Named schemas in what the client sends (request bodies, parameters) or receives
    /// (responses): types derive the serde traits their direction needs, the other one only
    /// behind a crate feature, which keeps generated crates quick to compile.
    sent: BTreeSet<String>,
    received: BTreeSet<String>,
    /// Every type name given in the `types` module, so that more can be added without clashes.
    type_names: Scope,
    /// Components of the graph of schemas referring to others without indirection (Vec,
    /// map): a field must be boxed when its type reaches back to its struct this way.
    direct: Components,
    /// Aliases (`pub type`) whose type contains themselves through other aliases only
    /// (`A: {$ref: A}`, `A: {items: {$ref: A}}`): no Rust type is that, so they are
    /// `serde_json::Value`.
    cyclic_aliases: BTreeSet<String>,
    /// How deeply the generated types nest, at most (see [`Analysis::nesting_depth`]).
    nesting_depth: usize,
    /// The string constants of struct properties (`enum: [user]`, `const: user`), by value,
    /// with the name of their type in `types::constants`.
    constants: BTreeMap<String, String>,
    /// The crate's feature per tag, and which types and operations each compiles.
    features: TagFeatures,
}

impl Analysis {
    /// The tag features (set once the crate root's error type is known).
    pub(crate) fn features(&self) -> &TagFeatures {
        &self.features
    }

    /// Sets the tag features.
    pub(crate) fn set_features(&mut self, features: TagFeatures) {
        self.features = features;
    }

    /// Analyses the named schemas of an API (linear in the size of the model).
    pub fn new(api: &Api) -> Self {
        TypeTable::analyse(api)
    }

    /// How deeply the generated types nest type constructors at most (`Vec<Vec<T>>`, a
    /// struct holding an `Option` of a struct, ...), counted generously. rustc proves `Send`
    /// of a future and `Deserialize` of a `Vec` by recursing through that nesting, and stops at
    /// its recursion limit (128): a crate whose types nest deeper needs a higher one.
    pub fn nesting_depth(&self) -> usize {
        self.nesting_depth
    }
}

/// Emits the code of types, and the references to them from other modules, reading an
/// [`Analysis`]. Token streams are not `Send`: each thread that emits code has its own table.
pub struct TypeTable<'a> {
    api: &'a Api,
    /// Borrowed when emitting; owned only while [`Analysis::new`] fills it in.
    analysis: Cow<'a, Analysis>,
    /// Whether the code being generated is in the `types` module (bare names) or elsewhere
    /// (`types::Name`).
    in_types_module: bool,
    /// The analysis's type names, and those this table adds (wire structs of families).
    type_names: Scope,
    /// Structs that share one derived `Deserialize` (found when the items are generated).
    families: Option<shapes::Families>,
    warnings: Vec<String>,
}

/// The serde derives of a struct.
struct SerdeDerives {
    /// In the derive list.
    derived: TokenStream,
    /// `#[cfg_attr(feature = .., derive(..))]` for the others.
    behind_feature: TokenStream,
    /// The feature that serde attributes must wait for, when no derive is in effect.
    attributes_behind: Option<&'static str>,
}

/// A struct field as [`TypeTable::field_code`] makes it.
pub(super) struct FieldCode {
    field: proc_macro2::Ident,
    /// The value's type.
    value_type: TokenStream,
    /// The field's type: the value's, in one or two `Option`s.
    field_type: TokenStream,
    /// `serde(...)`, the field's serde attribute without `#[]`, if any.
    serde: TokenStream,
    nullable: bool,
}

/// How a struct field holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldShape {
    /// `T`.
    Plain,
    /// `Option<T>`.
    Optional,
    /// `Option<Option<T>>` (absent, null, value).
    DoubleOptional,
}

/// What a parameter value is, for serialising it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamShape {
    /// Formats with `ToParam`.
    Scalar,
    /// A list of scalars.
    List,
    /// Anything else: sent as JSON.
    Other,
}

impl<'a> TypeTable<'a> {
    /// A table that emits code from an analysis of the same API.
    pub fn new(api: &'a Api, analysis: &'a Analysis) -> Self {
        TypeTable {
            api,
            analysis: Cow::Borrowed(analysis),
            in_types_module: true,
            type_names: analysis.type_names.clone(),
            families: None,
            warnings: Vec::new(),
        }
    }

    /// Names every schema and works out directions, boxing, cycles and nesting.
    fn analyse(api: &Api) -> Analysis {
        let mut scope = Scope::with_taken(["Unknown"]);
        let names = api
            .schemas
            .keys()
            .map(|name| (name.clone(), scope.unique(names::schema_type_name(name))))
            .collect();
        let mut table = TypeTable {
            api,
            analysis: Cow::Owned(Analysis {
                names,
                type_names: scope,
                ..Analysis::default()
            }),
            in_types_module: true,
            type_names: Scope::default(),
            families: None,
            warnings: Vec::new(),
        };
        table.mark_directions();
        table.compute_reach();
        let mut fields = HashMap::new();
        let mut constants = BTreeSet::new();
        for named in api.schemas.values() {
            if let Some(object) = table.struct_shape(&named.schema) {
                let mut scope = Scope::with_taken(["additional_properties"]);
                for (property, schema) in &object.properties {
                    let field = scope.unique(names::value_name(property));
                    fields.insert((named.name.clone(), property.clone()), field);
                    constants.extend(single_string_value(api, schema));
                }
            }
        }
        // Named by value, in the order of values: a constant keeps its name when others come.
        let mut scope = Scope::default();
        let constants = constants
            .into_iter()
            .map(|value| {
                let name = scope.unique(names::type_name(&value));
                (value, name)
            })
            .collect();
        let mut analysis = table.analysis.into_owned();
        analysis.fields = fields;
        analysis.constants = constants;
        analysis
    }

    /// The tag features, and what each compiles.
    pub(crate) fn features(&self) -> &TagFeatures {
        self.analysis.features()
    }

    /// Generate references for code outside the `types` module (`types::Name`).
    pub fn outside_types_module(mut self) -> Self {
        self.in_types_module = false;
        self
    }

    /// Warnings collected so far (constructs that fell back to `serde_json::Value`).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// The Rust field name of a property of a struct schema.
    pub fn field_of(&self, schema: &str, property: &str) -> Option<&str> {
        self.analysis
            .fields
            .get(&(schema.to_owned(), property.to_owned()))
            .map(String::as_str)
    }

    /// How a field of a struct schema holds its value.
    pub fn field_shape(&self, schema: &str, property: &str) -> Option<FieldShape> {
        let named = self.api.schemas.get(schema)?;
        let object = self.struct_shape(&named.schema)?;
        let property_schema = object.properties.get(property)?;
        let nullable = property_schema.nullable || self.resolve(property_schema).nullable;
        Some(match (object.is_required(property), nullable) {
            (true, false) => FieldShape::Plain,
            (false, true) if self.analysis.request_side.contains(schema) => {
                FieldShape::DoubleOptional
            }
            _ => FieldShape::Optional,
        })
    }

    /// The schema an alias names, through any chain of aliases (`A: {$ref: B}`, `B: {$ref: C}`
    /// gives `C`); a schema that is no alias is its own target.
    pub fn alias_target(&self, mut name: &'a str) -> String {
        for _ in 0..=self.api.schemas.len() {
            match self.api.schemas.get(name).map(|named| &named.schema.kind) {
                Some(SchemaKind::Ref(next)) => name = next,
                _ => break,
            }
        }
        name.to_owned()
    }

    /// The declared properties of a struct schema, in order.
    pub fn struct_properties(&self, schema: &str) -> Vec<(String, Schema)> {
        self.api
            .schemas
            .get(schema)
            .and_then(|named| self.struct_shape(&named.schema))
            .map(|object| object.properties.into_iter().collect())
            .unwrap_or_default()
    }

    /// Follows references to the schema that says what a value is.
    pub fn resolve<'s>(&'s self, schema: &'s Schema) -> &'s Schema {
        self.api.resolve(schema).unwrap_or(schema)
    }

    /// Which schemas the client sends and which it receives; and the request side proper
    /// (request bodies), where an optional nullable field tells absent from `null`.
    fn mark_directions(&mut self) {
        let (mut bodies_sent, mut sent, mut received) = (Vec::new(), Vec::new(), Vec::new());
        let (bodies, responses) = (collect_body_refs, collect_response_refs);
        for operation in &self.api.operations {
            bodies(operation, &mut bodies_sent);
            for parameter in &operation.parameters {
                collect_refs(&parameter.schema, &mut sent);
            }
            responses(operation, &mut received);
        }
        // Webhooks go the other way: the provider sends the request, the client answers.
        for webhook in &self.api.webhooks {
            bodies(webhook, &mut received);
            responses(webhook, &mut sent);
        }
        let request_side = self.reachable(bodies_sent.clone());
        sent.extend(bodies_sent);
        let (sent, received) = (self.reachable(sent), self.reachable(received));
        // A schema no operation uses gets both directions, and so must everything it holds:
        // an event wrapper defined beside the operations may hold a type only received.
        let unused: Vec<String> = self
            .api
            .schemas
            .keys()
            .filter(|name| !sent.contains(*name) && !received.contains(*name))
            .cloned()
            .collect();
        let unused = self.reachable(unused);
        let sent = sent.union(&unused).cloned().collect();
        let received = received.union(&unused).cloned().collect();
        let analysis = self.analysis.to_mut();
        analysis.request_side = request_side;
        analysis.sent = sent;
        analysis.received = received;
    }

    /// The named schemas `roots` refer to, directly or through others.
    fn reachable(&self, mut pending: Vec<String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        while let Some(name) = pending.pop() {
            if !seen.contains(&name)
                && let Some(named) = self.api.schemas.get(&name)
            {
                collect_refs(&named.schema, &mut pending);
                seen.insert(name);
            }
        }
        seen
    }

    /// Whether the type of a schema implements Serialize and Deserialize without the crate's
    /// `serialize` and `deserialize` features. A schema no operation uses gets both.
    fn serde_directions(&self, name: &str) -> (bool, bool) {
        let (sent, received) = (
            self.analysis.sent.contains(name),
            self.analysis.received.contains(name),
        );
        (sent || !received, received || !sent)
    }

    /// The serde derives of a struct: the ones in the derive list, and an attribute adding the
    /// others behind their features. `deserialize_by_hand`: the struct implements
    /// `Deserialize` itself (see the `shapes` module), so it derives only `Serialize`.
    fn serde_derives(&self, name: &str, deserialize_by_hand: bool) -> SerdeDerives {
        let (serializes, deserializes) = self.serde_directions(name);
        let deserializes = deserializes && !deserialize_by_hand;
        let mut derived = Vec::new();
        let mut behind_feature = TokenStream::new();
        if serializes {
            derived.push(quote!(Serialize));
        } else {
            behind_feature.extend(quote!(#[cfg_attr(feature = "serialize", derive(Serialize))]));
        }
        if deserializes {
            derived.push(quote!(Deserialize));
        } else if !deserialize_by_hand {
            behind_feature
                .extend(quote!(#[cfg_attr(feature = "deserialize", derive(Deserialize))]));
        }
        // No derive in effect happens only to a struct that is received, not sent, and
        // deserialised by hand: its serde attributes must wait for the `serialize` feature.
        let attributes_behind = derived.is_empty().then_some("serialize");
        SerdeDerives {
            derived: quote!(#(#derived),*),
            behind_feature,
            attributes_behind,
        }
    }

    /// Works out, once, which fields need a box and which aliases cannot exist, from the
    /// components of two graphs of schema references (linear in the number of references).
    fn compute_reach(&mut self) {
        let schemas = &self.api.schemas;
        let indices = |names: Vec<String>| -> Vec<usize> {
            names
                .iter()
                .filter_map(|name| schemas.get_index_of(name))
                .collect()
        };
        let direct: Vec<Vec<usize>> = schemas
            .values()
            .map(|named| {
                let mut refs = Vec::new();
                direct_refs(&named.schema, &mut refs);
                indices(refs)
            })
            .collect();
        self.analysis.to_mut().direct = Components::new(&direct);
        let aliases: Vec<bool> = schemas
            .values()
            .map(|named| self.is_alias(&named.schema))
            .collect();
        let through_aliases: Vec<Vec<usize>> = schemas
            .values()
            .zip(&aliases)
            .map(|(named, &alias)| {
                if !alias {
                    return Vec::new();
                }
                let mut refs = Vec::new();
                collect_refs(&named.schema, &mut refs);
                indices(refs)
                    .into_iter()
                    .filter(|&target| aliases[target])
                    .collect()
            })
            .collect();
        let nesting_depth = self.compute_nesting_depth(&direct_or_not(schemas));
        self.analysis.to_mut().nesting_depth = nesting_depth;
        let alias_components = Components::new(&through_aliases);
        let cyclic_aliases = schemas
            .keys()
            .enumerate()
            .filter(|&(index, _)| alias_components.on_cycle(index))
            .map(|(_, name)| name.clone())
            .collect();
        self.analysis.to_mut().cyclic_aliases = cyclic_aliases;
    }

    /// The deepest nesting of type constructors in the generated types, following references
    /// (`edges`: every schema each one refers to). A reference back into the same cycle
    /// counts nothing: rustc proves auto traits of recursive types coinductively. Linear:
    /// schemas are visited component by component, each after those it refers to.
    fn compute_nesting_depth(&self, edges: &[Vec<usize>]) -> usize {
        let schemas = &self.api.schemas;
        let components = Components::new(edges);
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); components.count()];
        for node in 0..schemas.len() {
            if let Some(component) = components.component(node) {
                members[component].push(node);
            }
        }
        let mut depth_of_component = vec![0; components.count()];
        for (component, nodes) in members.iter().enumerate() {
            let depth_of = |name: &str| -> usize {
                match schemas
                    .get_index_of(name)
                    .and_then(|node| components.component(node))
                {
                    Some(target) if target != component => depth_of_component[target],
                    _ => 0,
                }
            };
            let depth = nodes
                .iter()
                .filter_map(|&node| schemas.get_index(node))
                .map(|(_, named)| nesting(&named.schema, &depth_of))
                .max()
                .unwrap_or(0);
            depth_of_component[component] = depth;
        }
        depth_of_component.into_iter().max().unwrap_or(0)
    }

    /// Whether a schema becomes a `pub type` alias rather than a struct or an enum (see
    /// [`TypeTable::item`]); `allOf` that is no struct is a scalar or `serde_json::Value`,
    /// which refer to nothing, so it does not count.
    fn is_alias(&self, schema: &Schema) -> bool {
        match &schema.kind {
            SchemaKind::AllOf(_) => false,
            SchemaKind::String(_)
                if !schema.enumeration.is_empty()
                    && schema.enumeration.iter().all(Value::is_string) =>
            {
                false
            }
            SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) if !union.variants.is_empty() => {
                false
            }
            _ => self.struct_shape(schema).is_none(),
        }
    }

    /// Whether a field of `owner` pointing at `target` must be boxed (they reach each other
    /// without indirection).
    fn needs_box(&self, owner: &str, target: &str) -> bool {
        match (
            self.api.schemas.get_index_of(owner),
            self.api.schemas.get_index_of(target),
        ) {
            (Some(owner), Some(target)) => {
                self.analysis.direct.together(owner, target) && self.analysis.direct.on_cycle(owner)
            }
            _ => false,
        }
    }

    /// The object a schema generates a struct from (merging `allOf`), if it does.
    fn struct_shape(&self, schema: &Schema) -> Option<ObjectSchema> {
        match &schema.kind {
            SchemaKind::Object(object) if !object.properties.is_empty() => Some(object.clone()),
            SchemaKind::AllOf(parts) => self.merge_all_of(parts, 0),
            _ => None,
        }
    }

    /// When every part of an `allOf` is the same scalar type (constraints stacked on a
    /// string, say), that type.
    fn same_scalar(&self, parts: &[Schema]) -> Option<Schema> {
        let mut kinds = parts.iter().map(|part| self.resolve(part));
        let first = kinds.next()?;
        let scalar = matches!(
            first.kind,
            SchemaKind::String(_)
                | SchemaKind::Integer(_)
                | SchemaKind::Number(_)
                | SchemaKind::Boolean
        );
        (scalar && kinds.all(|part| part.kind.type_name() == first.kind.type_name()))
            .then(|| Schema::new(first.kind.clone()))
    }

    fn merge_all_of(&self, parts: &[Schema], depth: usize) -> Option<ObjectSchema> {
        if depth > 16 {
            return None;
        }
        let mut merged = ObjectSchema::default();
        for part in parts {
            let part = self.resolve(part);
            match &part.kind {
                SchemaKind::Object(object) => merge_into(&mut merged, object),
                SchemaKind::AllOf(inner) => {
                    merge_into(&mut merged, &self.merge_all_of(inner, depth + 1)?)
                }
                SchemaKind::Any => {}
                _ => return None,
            }
        }
        Some(merged)
    }

    /// The type of a value of this schema, as used in a field or parameter.
    pub fn type_of(&mut self, schema: &Schema, where_: &str) -> TokenStream {
        match &schema.kind {
            SchemaKind::Ref(name) => match self.analysis.names.get(name) {
                Some(rust) => {
                    let rust = ident(rust);
                    if self.in_types_module {
                        quote!(#rust)
                    } else {
                        quote!(types::#rust)
                    }
                }
                None => {
                    self.warnings.push(format!(
                        "{where_}: unknown schema {name:?}; using serde_json::Value"
                    ));
                    quote!(serde_json::Value)
                }
            },
            SchemaKind::Any => quote!(serde_json::Value),
            SchemaKind::Null => quote!(()),
            SchemaKind::Boolean => quote!(bool),
            SchemaKind::Integer(number) => integer_type(number.format.as_deref(), number.minimum),
            SchemaKind::Number(number) => match number.format.as_deref() {
                Some("float") => quote!(f32),
                _ => quote!(f64),
            },
            SchemaKind::String(string) => match string.format.as_deref() {
                Some("date-time") => {
                    quote!(chrono::DateTime<chrono::Utc>)
                }
                Some("date") => quote!(chrono::NaiveDate),
                Some("uuid") => quote!(uuid::Uuid),
                // A file: bytes, a path or a stream, with its name and content type, so that
                // a multipart upload sends what the caller says.
                Some("binary") => quote!(::sdkgen_runtime::FilePart),
                _ => quote!(String),
            },
            SchemaKind::Array(array) => {
                let items = self.type_of(&array.items, where_);
                let items = if array.items.nullable {
                    quote!(Option<#items>)
                } else {
                    items
                };
                quote!(Vec<#items>)
            }
            SchemaKind::Object(object) => match &object.additional_properties {
                AdditionalProperties::Schema(values) => {
                    let values_type = self.type_of(values, where_);
                    let values_type = if values.nullable {
                        quote!(Option<#values_type>)
                    } else {
                        values_type
                    };
                    quote!(::std::collections::BTreeMap<String, #values_type>)
                }
                _ if object.properties.is_empty() => {
                    quote!(serde_json::Map<String, serde_json::Value>)
                }
                _ => {
                    self.warnings.push(format!("{where_}: an inline object with properties was not hoisted; using serde_json::Value"));
                    quote!(serde_json::Value)
                }
            },
            SchemaKind::OneOf(_)
            | SchemaKind::AnyOf(_)
            | SchemaKind::AllOf(_)
            | SchemaKind::Not(_) => {
                self.warnings.push(format!(
                    "{where_}: an inline {} cannot be named; using serde_json::Value",
                    schema.kind.type_name()
                ));
                quote!(serde_json::Value)
            }
        }
    }

    /// How a parameter of this schema is serialised.
    pub fn param_shape(&self, schema: &Schema) -> ParamShape {
        let resolved = self.resolve(schema);
        match &resolved.kind {
            SchemaKind::Boolean | SchemaKind::Integer(_) | SchemaKind::Number(_) => {
                ParamShape::Scalar
            }
            SchemaKind::String(string) if string.format.as_deref() != Some("binary") => {
                ParamShape::Scalar
            }
            SchemaKind::Array(array)
                if self.param_shape(&array.items) == ParamShape::Scalar
                    && !array.items.nullable =>
            {
                ParamShape::List
            }
            _ => ParamShape::Other,
        }
    }

    /// Every item of the `types` module.
    /// The items of every named schema, `chunk` schemas at a time, generated as they are read.
    pub fn items(&mut self, chunk: usize) -> impl Iterator<Item = TokenStream> + use<'_, 'a> {
        if self.families.is_none() {
            self.families = Some(self.find_families());
        }
        let api = self.api;
        let named: Vec<&'a NamedSchema> = api.schemas.values().collect();
        let mut constants = self.constants_module();
        let mut start = 0;
        std::iter::from_fn(move || {
            let end = (start + chunk.max(1)).min(named.len());
            let items: Vec<TokenStream> = named[start..end]
                .iter()
                .map(|named| self.item(named))
                .collect();
            start = end;
            if items.is_empty() && !constants.is_empty() {
                return Some(std::mem::take(&mut constants));
            }
            (!items.is_empty()).then(|| quote!(#(#items)*))
        })
    }

    /// `types::constants`: one type per string constant of a struct property.
    fn constants_module(&self) -> TokenStream {
        if self.analysis.constants.is_empty() {
            return TokenStream::new();
        }
        let constants = self.analysis.constants.iter().map(|(value, name)| {
            let name = ident(name);
            quote!(::sdkgen_runtime::constant!(#name = #value);)
        });
        quote! {
            /// The API's string constants, one type each: a struct property that allows one
            /// value holds it, filled in by the constructor and checked when decoding.
            pub mod constants {
                #(#constants)*
            }
        }
    }

    /// A schema's type and its impls, behind the tag features that compile it; and the wire
    /// struct of its family if it is the family's first member, behind the features of the
    /// whole family.
    fn item(&mut self, named: &NamedSchema) -> TokenStream {
        let items = self.ungated_item(named);
        let mut gated = gate(items, &self.analysis.features.schema_cfg(&named.name));
        if let Some(wire) = self.family_wire_item(named) {
            gated.extend(wire);
        }
        gated
    }

    fn ungated_item(&mut self, named: &NamedSchema) -> TokenStream {
        let rust = ident(&self.analysis.names[&named.name]);
        let schema = &named.schema;
        let mut docs = doc_attrs(schema.title.as_deref(), schema.description.as_deref());
        if docs.is_empty() {
            docs = doc_attrs(None, Some(&format!("The `{}` schema.", named.name)));
        }
        if let Some(object) = self.struct_shape(schema) {
            return self.struct_item(named, &rust, &docs, &object);
        }
        if self.analysis.cyclic_aliases.contains(&named.name) {
            self.warnings.push(format!(
                "schema {:?}: its references lead back to itself without a struct or enum in \
                 between, so no Rust type is it; using serde_json::Value",
                named.name
            ));
            return quote! { #docs pub type #rust = serde_json::Value; };
        }
        match &schema.kind {
            SchemaKind::String(_)
                if !schema.enumeration.is_empty()
                    && schema.enumeration.iter().all(Value::is_string) =>
            {
                self.string_enum(&rust, &docs, &schema.enumeration)
            }
            SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) if !union.variants.is_empty() => {
                self.union(named, &rust, &docs, union)
            }
            SchemaKind::AllOf(parts) if self.same_scalar(parts).is_some() => {
                let scalar = self.same_scalar(parts).unwrap_or_default();
                let target = self.type_of(&scalar, &format!("schema {:?}", named.name));
                quote! { #docs pub type #rust = #target; }
            }
            SchemaKind::AllOf(_) => {
                let cyclic = self
                    .api
                    .schemas
                    .get_index_of(&named.name)
                    .is_some_and(|index| self.analysis.direct.on_cycle(index));
                let why = if cyclic {
                    "allOf whose parts include the schema itself (a cycle of references)"
                } else {
                    "allOf of parts that are not all objects"
                };
                self.warnings.push(format!(
                    "schema {:?}: {why}; using serde_json::Value",
                    named.name
                ));
                quote! { #docs pub type #rust = serde_json::Value; }
            }
            _ => {
                // Nullability stays at the use sites, which wrap the alias in an Option.
                let target = self.type_of(schema, &format!("schema {:?}", named.name));
                quote! { #docs pub type #rust = #target; }
            }
        }
    }

    fn struct_item(
        &mut self,
        named: &NamedSchema,
        rust: &proc_macro2::Ident,
        docs: &TokenStream,
        object: &ObjectSchema,
    ) -> TokenStream {
        let request_side = self.analysis.request_side.contains(&named.name);
        let deserialize_by_hand = self.family_deserialize(named, object);
        let derives = self.serde_derives(&named.name, deserialize_by_hand.is_some());
        // Without a serde derive in effect, serde attributes are only valid behind the
        // feature that adds one.
        let serde_attributes_behind = derives.attributes_behind;
        let mut fields = Vec::new();
        let mut constructor_args = Vec::new();
        let mut constructor_fields = Vec::new();
        let mut setters = Vec::new();
        for (property, schema) in &object.properties {
            let required = object.is_required(property);
            let FieldCode {
                field,
                value_type,
                field_type,
                serde,
                nullable,
            } = self.field_code(&named.name, property, schema, required, None);
            let attrs = match (serde.is_empty(), &serde_attributes_behind) {
                (true, _) => TokenStream::new(),
                (false, None) => quote!(#[#serde]),
                (false, Some(feature)) => quote!(#[cfg_attr(feature = #feature, #serde)]),
            };
            let mut field_docs = doc_attrs(schema.title.as_deref(), schema.description.as_deref());
            if let Some(default) = &schema.default {
                let line = format!(" Default: `{default}`.");
                field_docs.extend(quote!(#[doc = ""] #[doc = #line]));
            }
            fields.push(quote! { #field_docs #attrs pub #field: #field_type, });
            if required && !nullable && self.constant_type(schema).is_some() {
                // A constant is filled in, never asked for.
                constructor_fields.push(quote!(#field: #field_type));
            } else if required {
                constructor_args.push(quote!(#field: impl Into<#field_type>));
                constructor_fields.push(quote!(#field: #field.into()));
            } else {
                constructor_fields.push(quote!(#field: None));
                let inner = if nullable && request_side {
                    quote!(Option<#value_type>)
                } else {
                    value_type.clone()
                };
                let doc = format!(" Sets `{property}`.");
                setters.push(quote! {
                    #[doc = #doc]
                    #[must_use]
                    pub fn #field(mut self, value: impl Into<#inner>) -> Self {
                        self.#field = Some(value.into());
                        self
                    }
                });
            }
        }
        match &object.additional_properties {
            AdditionalProperties::Schema(values) => {
                let values_type = self.type_of(
                    values,
                    &format!("schema {:?}, additionalProperties", named.name),
                );
                fields.push(quote! {
                    /// Properties beyond the declared ones.
                    #[serde(flatten)]
                    pub additional_properties: ::std::collections::BTreeMap<String, #values_type>,
                });
                constructor_fields
                    .push(quote!(additional_properties: ::std::collections::BTreeMap::new()));
            }
            AdditionalProperties::Any => {
                fields.push(quote! {
                    /// Properties beyond the declared ones.
                    #[serde(flatten)]
                    pub additional_properties: serde_json::Map<String, serde_json::Value>,
                });
                constructor_fields.push(quote!(additional_properties: serde_json::Map::new()));
            }
            _ => {}
        }
        let derive_default = constructor_args.is_empty();
        let many_arguments =
            (constructor_args.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
        let default = derive_default.then(|| quote!(Default,));
        let SerdeDerives {
            derived: serde,
            behind_feature: serde_behind_feature,
            ..
        } = derives;
        let serde_crate = match serde_attributes_behind {
            None => quote!(#[serde(crate = "::sdkgen_runtime::serde")]),
            Some(feature) => {
                quote!(#[cfg_attr(feature = #feature, serde(crate = "::sdkgen_runtime::serde"))])
            }
        };
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, #default #serde)]
            #serde_behind_feature
            #serde_crate
            #[non_exhaustive]
            pub struct #rust {
                #(#fields)*
            }

            #deserialize_by_hand

            impl #rust {
                /// A value with the required fields; set optional ones with the methods below.
                #many_arguments
                pub fn new(#(#constructor_args),*) -> Self {
                    #rust { #(#constructor_fields),* }
                }

                #(#setters)*
            }
        }
    }

    /// A struct field: its type and serde attributes. With `generic`, the property's schema (a
    /// reference, or an array of references) stands for that type parameter instead.
    pub(super) fn field_code(
        &mut self,
        owner: &str,
        property: &str,
        schema: &Schema,
        required: bool,
        generic: Option<&proc_macro2::Ident>,
    ) -> FieldCode {
        let request_side = self.analysis.request_side.contains(owner);
        let field_name = self.analysis.fields[&(owner.to_owned(), property.to_owned())].clone();
        let field = ident(&field_name);
        let where_ = format!("schema {owner:?}, property {property:?}");
        let value_type = match (generic, &schema.kind) {
            (Some(parameter), SchemaKind::Array(array)) if array.items.nullable => {
                quote!(Vec<Option<#parameter>>)
            }
            (Some(parameter), SchemaKind::Array(_)) => quote!(Vec<#parameter>),
            (Some(parameter), _) => quote!(#parameter),
            (None, SchemaKind::Ref(target)) if self.needs_box(owner, target) => {
                let target = self.type_of(schema, &where_);
                quote!(Box<#target>)
            }
            (None, _) => match self.constant_type(schema) {
                Some(constant) => constant,
                None => self.type_of(schema, &where_),
            },
        };
        let nullable = schema.nullable || self.resolve(schema).nullable;
        let rename =
            (field_name.trim_start_matches("r#") != property).then(|| quote!(rename = #property,));
        let (field_type, serde) = match (required, nullable) {
            (true, false) => (
                value_type.clone(),
                rename
                    .as_ref()
                    .map(|rename| quote!(serde(#rename)))
                    .unwrap_or_default(),
            ),
            (true, true) => (quote!(Option<#value_type>), quote!(serde(#rename default))),
            (false, true) if request_side => (
                quote!(Option<Option<#value_type>>),
                quote!(serde(#rename default, skip_serializing_if = "Option::is_none", with = "::sdkgen_runtime::serde_helpers::double_option")),
            ),
            (false, _) => (
                quote!(Option<#value_type>),
                quote!(serde(#rename default, skip_serializing_if = "Option::is_none")),
            ),
        };
        FieldCode {
            field,
            value_type,
            field_type,
            serde,
            nullable,
        }
    }

    /// The type of a property that allows one string, in `types::constants`.
    fn constant_type(&self, schema: &Schema) -> Option<TokenStream> {
        let value = single_string_value(self.api, schema)?;
        let name = ident(self.analysis.constants.get(&value)?);
        Some(if self.in_types_module {
            quote!(constants::#name)
        } else {
            quote!(types::constants::#name)
        })
    }

    fn string_enum(
        &mut self,
        rust: &proc_macro2::Ident,
        docs: &TokenStream,
        values: &[Value],
    ) -> TokenStream {
        let mut scope = Scope::with_taken(["Unknown"]);
        let mut seen = BTreeSet::new();
        let variants: Vec<(proc_macro2::Ident, String)> = values
            .iter()
            .filter_map(Value::as_str)
            .filter(|value| seen.insert(value.to_string()))
            .map(|value| {
                let base = if value.is_empty() {
                    "Empty".to_owned()
                } else {
                    names::type_name(value)
                };
                (ident(&scope.unique(base)), value.to_owned())
            })
            .collect();
        let declarations = variants.iter().map(|(variant, value)| {
            let doc = format!(" `{value}`");
            quote!(#[doc = #doc] #variant,)
        });
        let as_str = variants
            .iter()
            .map(|(variant, value)| quote!(#rust::#variant => #value,));
        let from = variants
            .iter()
            .map(|(variant, value)| quote!(#value => #rust::#variant,));
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum #rust {
                #(#declarations)*
                /// A value this version of the SDK does not know (a newer API may send it).
                Unknown(String),
            }

            impl #rust {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &str {
                    match self {
                        #(#as_str)*
                        #rust::Unknown(value) => value,
                    }
                }
            }

            impl From<String> for #rust {
                fn from(value: String) -> Self {
                    match value.as_str() {
                        #(#from)*
                        _ => #rust::Unknown(value),
                    }
                }
            }

            impl From<&str> for #rust {
                fn from(value: &str) -> Self {
                    #rust::from(value.to_owned())
                }
            }

            // Serialised by hand rather than through `From<Self> for String`: dozens of impls for
            // `String` make rustc's coherence checking quadratic.
            impl ::sdkgen_runtime::serde::Serialize for #rust {
                fn serialize<S: ::sdkgen_runtime::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_str(self.as_str())
                }
            }

            impl<'de> ::sdkgen_runtime::serde::Deserialize<'de> for #rust {
                fn deserialize<D: ::sdkgen_runtime::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <String as ::sdkgen_runtime::serde::Deserialize>::deserialize(deserializer).map(#rust::from)
                }
            }

            impl ::std::fmt::Display for #rust {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl ::sdkgen_runtime::ToParam for #rust {
                fn to_param(&self) -> String {
                    self.as_str().to_owned()
                }
            }
        }
    }

    fn union(
        &mut self,
        named: &NamedSchema,
        rust: &proc_macro2::Ident,
        docs: &TokenStream,
        union: &UnionSchema,
    ) -> TokenStream {
        let (serializes, deserializes) = self.serde_directions(&named.name);
        let serialize_cfg = (!serializes).then(|| quote!(#[cfg(feature = "serialize")]));
        let deserialize_cfg = (!deserializes).then(|| quote!(#[cfg(feature = "deserialize")]));
        let mut scope = Scope::with_taken(["Unknown"]);
        let mut variants = Vec::new();
        for (index, variant) in union.variants.iter().enumerate() {
            let base = match &variant.kind {
                // `DiskSource::Blank(DiskSourceBlank)`, not `DiskSource::DiskSourceBlank(..)`.
                SchemaKind::Ref(name) => match self.analysis.names.get(name) {
                    Some(type_name) => type_name
                        .strip_prefix(&rust.to_string())
                        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
                        .unwrap_or(type_name)
                        .to_owned(),
                    None => format!("Variant{}", index + 1),
                },
                SchemaKind::String(_) if variant.enumeration.len() == 1 => {
                    names::type_name(variant.enumeration[0].as_str().unwrap_or("Value"))
                }
                // `Uuid(Uuid)` rather than `String_(Uuid)`.
                SchemaKind::String(string) if string.format.is_some() => {
                    names::type_name(string.format.as_deref().unwrap_or("string"))
                }
                // `Text(String)` rather than `String_(String)`.
                SchemaKind::String(_) => "Text".to_owned(),
                other => names::type_name(other.type_name()),
            };
            let name = ident(&scope.unique(base));
            let where_ = format!("schema {:?}, variant {}", named.name, index + 1);
            let mut value_type = self.type_of(variant, &where_);
            if let SchemaKind::Ref(target) = &variant.kind
                && self.needs_box(&named.name, target)
            {
                value_type = quote!(Box<#value_type>);
            }
            // Which discriminator values select this variant (several variants may share
            // one: they are then tried in order).
            let tags: Vec<String> = match &union.discriminator {
                Some(discriminator) => discriminator_tags(self.api, discriminator, variant),
                None => Vec::new(),
            };
            // A one-value string variant (a `const`) only matches that string.
            let constant = match &variant.kind {
                SchemaKind::String(_) if variant.enumeration.len() == 1 => {
                    variant.enumeration[0].as_str().map(str::to_owned)
                }
                _ => None,
            };
            variants.push((name, value_type, tags, constant));
        }
        let docs_of_variants: Vec<String> = variants
            .iter()
            .zip(&union.variants)
            .map(|((_, value_type, tags, constant), schema)| {
                if !tags.is_empty() {
                    let tags: Vec<String> = tags.iter().map(|tag| format!("`{tag}`")).collect();
                    return format!(" Selected by {}.", tags.join(", "));
                }
                match (&schema.kind, constant) {
                    (_, Some(constant)) => format!(" The string `{constant}`."),
                    (SchemaKind::Ref(target), _) => self
                        .analysis
                        .names
                        .get(target)
                        .map(|name| format!(" A [`{name}`]."))
                        .unwrap_or_default(),
                    _ => format!(" Of type `{}`.", value_type.to_string().replace(' ', "")),
                }
            })
            .collect();
        let conversions = self.union_conversions(rust, union, &variants);
        let declarations = variants
            .iter()
            .zip(&docs_of_variants)
            .map(|((name, value_type, _, _), doc)| quote!(#[doc = #doc] #name(#value_type),));
        let serialize = variants
            .iter()
            .map(|(name, _, _, _)| quote!(#rust::#name(value) => value.serialize(serializer),));
        let by_tag = union.discriminator.as_ref().map(|discriminator| {
            let property = &discriminator.property_name;
            // Variants by tag value, in the order values are first met.
            let mut selected: Vec<(&str, Vec<&proc_macro2::Ident>)> = Vec::new();
            for (name, _, tags, _) in &variants {
                for tag in tags {
                    match selected.iter_mut().find(|(value, _)| *value == tag.as_str()) {
                        Some((_, names)) => names.push(name),
                        None => selected.push((tag.as_str(), vec![name])),
                    }
                }
            }
            let arms = selected.iter().map(|(tag, names)| {
                let Some((last, earlier)) = names.split_last() else {
                    return TokenStream::new();
                };
                quote! {
                    Some(#tag) => {
                        #(
                            if let Ok(variant) = ::sdkgen_runtime::serde::Deserialize::deserialize(&value) {
                                return Ok(#rust::#earlier(variant));
                            }
                        )*
                        return ::sdkgen_runtime::serde::Deserialize::deserialize(&value)
                            .map(#rust::#last)
                            .map_err(<D::Error as ::sdkgen_runtime::serde::de::Error>::custom);
                    }
                }
            });
            quote! {
                match value.get(#property).and_then(serde_json::Value::as_str) {
                    #(#arms)*
                    _ => {}
                }
            }
        });
        // With a discriminator, the tag decides: an unknown tag is an unknown variant, not a
        // guess by shape. Only a variant that no tag value selects is tried by shape.
        let attempts = variants.iter().filter(|(_, _, tags, _)| tags.is_empty()).map(|(name, _, _, constant)| match constant {
            Some(constant) => quote! {
                if value.as_str() == Some(#constant) {
                    if let Ok(variant) = ::sdkgen_runtime::serde::Deserialize::deserialize(&value) {
                        return Ok(#rust::#name(variant));
                    }
                }
            },
            None => quote! {
                if let Ok(variant) = ::sdkgen_runtime::serde::Deserialize::deserialize(&value) {
                    return Ok(#rust::#name(variant));
                }
            },
        });
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
            pub enum #rust {
                #(#declarations)*
                /// A value that matches no variant this version of the SDK knows.
                Unknown(serde_json::Value),
            }

            #serialize_cfg
            impl ::sdkgen_runtime::serde::Serialize for #rust {
                fn serialize<S: ::sdkgen_runtime::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(#serialize)*
                        #rust::Unknown(value) => value.serialize(serializer),
                    }
                }
            }

            #deserialize_cfg
            impl<'de> ::sdkgen_runtime::serde::Deserialize<'de> for #rust {
                fn deserialize<D: ::sdkgen_runtime::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = <serde_json::Value as ::sdkgen_runtime::serde::Deserialize>::deserialize(deserializer)?;
                    #by_tag
                    #(#attempts)*
                    Ok(#rust::Unknown(value))
                }
            }

            #conversions
        }
    }

    /// `From` each variant's type into the union, when no other variant has that type (after
    /// aliases), and `From<&str>` when a `String` variant takes any string: so that
    /// `vec![UserMessage::new(..).into()]` and `"gpt-4o".into()` build a union.
    fn union_conversions(
        &mut self,
        rust: &proc_macro2::Ident,
        union: &UnionSchema,
        variants: &[(proc_macro2::Ident, TokenStream, Vec<String>, Option<String>)],
    ) -> TokenStream {
        let keys: Vec<String> = union
            .variants
            .iter()
            .map(|variant| self.underlying_type(variant))
            .collect();
        let mut conversions = Vec::new();
        for ((name, value_type, _, constant), key) in variants.iter().zip(&keys) {
            let unique = keys.iter().filter(|other| *other == key).count() == 1;
            let boxed = value_type.to_string().starts_with("Box <");
            let inner = if boxed {
                let text = value_type.to_string();
                let inner = text
                    .trim_start_matches("Box <")
                    .trim_end_matches('>')
                    .trim();
                syn::parse_str::<syn::Type>(inner)
                    .ok()
                    .map(|ty| quote!(#ty))
            } else {
                Some(value_type.clone())
            };
            let Some(inner) = inner else { continue };
            let inner_text = inner.to_string();
            if !unique
                || constant.is_some()
                || *rust == inner_text
                || inner_text.contains("serde_json")
                || inner_text == "()"
            {
                continue;
            }
            let wrap = if boxed {
                quote!(#rust::#name(Box::new(value)))
            } else {
                quote!(#rust::#name(value))
            };
            conversions.push(quote! {
                impl From<#inner> for #rust {
                    fn from(value: #inner) -> Self {
                        #wrap
                    }
                }
            });
            if inner_text == "String" {
                conversions.push(quote! {
                    impl From<&str> for #rust {
                        fn from(value: &str) -> Self {
                            #rust::#name(value.to_owned())
                        }
                    }
                });
            }
        }
        quote!(#(#conversions)*)
    }

    /// The Rust type a schema stands for, through aliases, as text: two variants with the same
    /// one cannot both convert into their union.
    fn underlying_type(&mut self, schema: &Schema) -> String {
        let mut schema = schema.clone();
        for _ in 0..32 {
            let SchemaKind::Ref(name) = &schema.kind else {
                break;
            };
            match self.api.schemas.get(name) {
                Some(target) if self.is_alias(&target.schema) => schema = target.schema.clone(),
                _ => break,
            }
        }
        if schema.enumeration.len() == 1 && matches!(schema.kind, SchemaKind::String(_)) {
            // A one-value string variant takes only its constant: it converts from nothing.
            return format!("constant {:?}", schema.enumeration);
        }
        // Warnings about the type were given where the variant was declared.
        let warnings = self.warnings.len();
        let text = self.type_of(&schema, "union conversions").to_string();
        self.warnings.truncate(warnings);
        text
    }
}

/// The discriminator values that select a variant, in order of authority: the values the
/// mapping gives its schema; else the value the variant pins on the tag property (a one-value
/// `enum` or `const`, as in `role: {enum: [user]}`), which is what real data carries; else,
/// for a named schema, its name (OpenAPI's implicit mapping, the last resort).
pub(crate) fn discriminator_tags(
    api: &Api,
    discriminator: &Discriminator,
    variant: &Schema,
) -> Vec<String> {
    if let SchemaKind::Ref(target) = &variant.kind {
        let mapped: Vec<String> = discriminator
            .mapping
            .iter()
            .filter(|(_, schema)| *schema == target)
            .map(|(value, _)| value.clone())
            .collect();
        if !mapped.is_empty() {
            return mapped;
        }
    }
    if let Some(pinned) = pinned_tag(api, variant, &discriminator.property_name) {
        return vec![pinned];
    }
    match &variant.kind {
        SchemaKind::Ref(target) => vec![target.clone()],
        _ => Vec::new(),
    }
}

/// The single string value a schema allows for one of its properties, looking through
/// references and `allOf` parts (each schema visited once, so cycles end).
fn pinned_tag(api: &Api, schema: &Schema, property: &str) -> Option<String> {
    let mut pending = vec![schema];
    let mut visited = BTreeSet::new();
    while let Some(schema) = pending.pop() {
        let schema = match &schema.kind {
            SchemaKind::Ref(name) => {
                if !visited.insert(name.as_str()) {
                    continue;
                }
                &api.schemas.get(name)?.schema
            }
            _ => schema,
        };
        match &schema.kind {
            SchemaKind::Object(object) => {
                if let Some(tag) = object.properties.get(property) {
                    return single_string_value(api, tag);
                }
            }
            // The first part that has the property decides, as when the parts are merged.
            SchemaKind::AllOf(parts) => pending.extend(parts.iter().rev()),
            SchemaKind::Ref(_) => pending.push(schema),
            _ => {}
        }
    }
    None
}

/// The value of a schema that allows exactly one string (`enum: [user]`, `const: user`),
/// through references.
fn single_string_value(api: &Api, schema: &Schema) -> Option<String> {
    let schema = api.resolve(schema)?;
    match schema.enumeration.as_slice() {
        [Value::String(value)] => Some(value.clone()),
        _ => None,
    }
}

fn integer_type(format: Option<&str>, minimum: Option<f64>) -> TokenStream {
    match format {
        Some("int8") => quote!(i8),
        Some("int16") => quote!(i16),
        Some("int32") => quote!(i32),
        Some("uint8") => quote!(u8),
        Some("uint16") => quote!(u16),
        Some("uint32") => quote!(u32),
        Some("uint64" | "uint") => quote!(u64),
        _ if minimum.is_some_and(|minimum| minimum >= 0.0) && format.is_none() => quote!(u64),
        _ => quote!(i64),
    }
}

fn merge_into(merged: &mut ObjectSchema, object: &ObjectSchema) {
    for (name, schema) in &object.properties {
        merged.properties.insert(name.clone(), schema.clone());
    }
    for name in &object.required {
        if !merged.required.contains(name) {
            merged.required.push(name.clone());
        }
    }
    if merged.additional_properties == AdditionalProperties::Unspecified {
        merged.additional_properties = object.additional_properties.clone();
    }
}

/// Every schema each schema refers to, by index.
fn direct_or_not(schemas: &indexmap::IndexMap<String, NamedSchema>) -> Vec<Vec<usize>> {
    schemas
        .values()
        .map(|named| {
            let mut refs = Vec::new();
            collect_refs(&named.schema, &mut refs);
            refs.iter()
                .filter_map(|name| schemas.get_index_of(name))
                .collect()
        })
        .collect()
}

/// The steps of proof rustc takes through the type a schema generates, counted generously,
/// plus those of the schemas it refers to (`depth_of`): a struct and a field's `Option` are a
/// step each; a `Vec` three (through its buffer and a marker) and a variant's `Box` as many;
/// a map more.
fn nesting(schema: &Schema, depth_of: &dyn Fn(&str) -> usize) -> usize {
    let deepest = |schemas: &mut dyn Iterator<Item = &Schema>| {
        schemas
            .map(|schema| nesting(schema, depth_of))
            .max()
            .unwrap_or(0)
    };
    match &schema.kind {
        SchemaKind::Ref(name) => depth_of(name),
        SchemaKind::Array(array) => 4 + nesting(&array.items, depth_of),
        SchemaKind::Object(object) => {
            let fields = 2 + deepest(&mut object.properties.values());
            let values = match &object.additional_properties {
                AdditionalProperties::Schema(values) => 8 + nesting(values, depth_of),
                _ => 0,
            };
            fields.max(values)
        }
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => {
            4 + deepest(&mut union.variants.iter())
        }
        SchemaKind::AllOf(parts) => 2 + deepest(&mut parts.iter()),
        _ => 1,
    }
}

/// The named schemas an operation's request bodies refer to directly.
pub(crate) fn collect_body_refs(operation: &sdkgen_model::Operation, into: &mut Vec<String>) {
    for media in operation.request_body.iter().flat_map(|body| &body.content) {
        if let Some(schema) = &media.schema {
            collect_refs(schema, into);
        }
    }
}

/// The named schemas an operation's responses refer to directly.
pub(crate) fn collect_response_refs(operation: &sdkgen_model::Operation, into: &mut Vec<String>) {
    for media in operation
        .responses
        .iter()
        .flat_map(|response| &response.content)
    {
        if let Some(schema) = &media.schema {
            collect_refs(schema, into);
        }
    }
}

/// Every schema name a schema refers to, anywhere in it (without following the names).
pub(crate) fn collect_refs(schema: &Schema, into: &mut Vec<String>) {
    match &schema.kind {
        SchemaKind::Ref(name) => into.push(name.clone()),
        SchemaKind::Array(array) => collect_refs(&array.items, into),
        SchemaKind::Object(object) => {
            for property in object.properties.values() {
                collect_refs(property, into);
            }
            if let AdditionalProperties::Schema(values) = &object.additional_properties {
                collect_refs(values, into);
            }
        }
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => {
            for variant in &union.variants {
                collect_refs(variant, into);
            }
        }
        SchemaKind::AllOf(parts) => {
            for part in parts {
                collect_refs(part, into);
            }
        }
        SchemaKind::Not(inner) => collect_refs(inner, into),
        _ => {}
    }
}

/// Schema names a schema contains without indirection (not inside a Vec or a map).
fn direct_refs(schema: &Schema, into: &mut Vec<String>) {
    match &schema.kind {
        SchemaKind::Ref(name) => into.push(name.clone()),
        SchemaKind::Object(object) => {
            for property in object.properties.values() {
                direct_refs(property, into);
            }
        }
        SchemaKind::OneOf(union) | SchemaKind::AnyOf(union) => {
            for variant in &union.variants {
                direct_refs(variant, into);
            }
        }
        SchemaKind::AllOf(parts) => {
            for part in parts {
                direct_refs(part, into);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::Analysis;

    #[test]
    fn the_analysis_is_shared_between_threads() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Analysis>();
    }
}
