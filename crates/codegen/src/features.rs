//! A cargo feature per tag: a user who needs ten operations compiles ten operations.
//!
//! Each tag that operations carry becomes a feature of the generated crate, and `full`, a
//! default feature, turns them all on. An operation is compiled when any of its tags' features
//! is on (one without tags always is), and a type when any operation that is compiled reaches
//! it. Types no operation reaches (event wrappers, webhook payloads), the types of webhooks
//! and the API's error type are always compiled, with everything they reach; so is what more
//! than 32 tags use, which keeps every `cfg` short. A derived
//! `Deserialize` is most of what a big crate costs to compile, so the cut is large: on
//! GitHub's API, one tag compiles a small part of the crate.
//!
//! The gates are `#[cfg(...)]` attributes on the items: names and paths do not change with
//! the features, and the code with every feature on is the code without features.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use quote::quote;
use sdkgen_model::Api;

use crate::types::{collect_body_refs, collect_refs, collect_response_refs};

/// Feature names the generated crate uses for other things.
const RESERVED: [&str; 6] = [
    "default",
    "full",
    "serialize",
    "deserialize",
    "redis",
    "sdkgen-runtime",
];

/// At most this many tag features: crates.io takes at most 300 features, and the crate has
/// others. A document with more tags gets none (and a warning).
pub const MAX_TAG_FEATURES: usize = 250;

/// An item that any of more tags than this compile is compiled always.
const MAX_FEATURES_PER_ITEM: usize = 32;

/// The features of a generated crate's tags, and which items each gates.
#[derive(Debug, Clone, Default)]
pub struct TagFeatures {
    /// Feature names, sorted.
    names: Vec<String>,
    /// The tag each feature stands for.
    tags: Vec<String>,
    /// The features that compile each operation (indices into `names`); empty for an
    /// operation that is always compiled.
    operations: Vec<Vec<usize>>,
    /// The features that compile each schema's type; a schema not in the map is always
    /// compiled.
    schemas: HashMap<String, Vec<usize>>,
    /// Why the document gets no tag features although it has tags.
    warning: Option<String>,
}

impl TagFeatures {
    /// Works out the features of `api`'s tags. `always` names the schemas whose types must be
    /// compiled with any features (the crate root's error type).
    pub fn new(api: &Api, always: &[String]) -> Self {
        let mut tags: BTreeMap<String, String> = BTreeMap::new();
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|name| (*name).to_owned()).collect();
        let mut by_feature: BTreeMap<String, String> = BTreeMap::new();
        for tag in api.operations.iter().flat_map(|operation| &operation.tags) {
            if tags.contains_key(tag) {
                continue;
            }
            let name = unique(feature_name(tag), &mut taken);
            tags.insert(tag.clone(), name.clone());
            by_feature.insert(name, tag.clone());
        }
        if tags.len() < 2 {
            // One tag or none: a feature would only switch the whole crate off.
            return TagFeatures::default();
        }
        if tags.len() > MAX_TAG_FEATURES {
            return TagFeatures {
                warning: Some(format!(
                    "the operations carry {} tags, more than the {MAX_TAG_FEATURES} cargo \
                     features a crate may have for them: no feature per tag",
                    tags.len()
                )),
                ..TagFeatures::default()
            };
        }
        let names: Vec<String> = by_feature.keys().cloned().collect();
        let index_of: HashMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(index, name)| (name.as_str(), index))
            .collect();
        let operations: Vec<Vec<usize>> = api
            .operations
            .iter()
            .map(|operation| {
                let features: BTreeSet<usize> = operation
                    .tags
                    .iter()
                    .map(|tag| index_of[tags[tag].as_str()])
                    .collect();
                // Compiled with any of very many tags: as good as always, in a short cfg.
                if features.len() > MAX_FEATURES_PER_ITEM {
                    return Vec::new();
                }
                features.into_iter().collect()
            })
            .collect();

        // The schema graph by index, and what each feature (and "always") reaches in it.
        let graph = Graph::new(api);
        let mut always_roots: Vec<usize> = graph.indices(always.iter().cloned());
        let mut roots: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        // The schemas an operation names in its parameters, request bodies and responses.
        let refs_of = |operation: &sdkgen_model::Operation| {
            let mut refs = Vec::new();
            collect_body_refs(operation, &mut refs);
            collect_response_refs(operation, &mut refs);
            for parameter in &operation.parameters {
                collect_refs(&parameter.schema, &mut refs);
            }
            graph.indices(refs)
        };
        for (operation, features) in api.operations.iter().zip(&operations) {
            let refs = refs_of(operation);
            if features.is_empty() {
                always_roots.extend(refs);
            } else {
                for &feature in features {
                    roots[feature].extend(refs.iter().copied());
                }
            }
        }
        for webhook in &api.webhooks {
            always_roots.extend(refs_of(webhook));
        }
        let mut reached_by_some = vec![false; graph.names.len()];
        let mut per_feature = Vec::with_capacity(names.len());
        for feature_roots in roots {
            let reached = graph.reach(feature_roots);
            for &schema in &reached {
                reached_by_some[schema] = true;
            }
            per_feature.push(reached);
        }
        // Types no operation reaches are kept: a user may build them by hand.
        always_roots.extend((0..graph.names.len()).filter(|&schema| !reached_by_some[schema]));
        let always = graph.reach(always_roots);
        let mut is_always = vec![false; graph.names.len()];
        for schema in always {
            is_always[schema] = true;
        }
        let mut schemas: HashMap<String, Vec<usize>> = HashMap::new();
        for (feature, reached) in per_feature.into_iter().enumerate() {
            for schema in reached.into_iter().filter(|&schema| !is_always[schema]) {
                schemas
                    .entry(graph.names[schema].clone())
                    .or_default()
                    .push(feature);
            }
        }
        // A type that very many tags use is compiled always: its cfg stays short (a document
        // with hundreds of tags sharing every type would repeat them all on every item).
        schemas.retain(|_, features| features.len() <= MAX_FEATURES_PER_ITEM);
        let tags = names.iter().map(|name| by_feature[name].clone()).collect();
        TagFeatures {
            names,
            tags,
            operations,
            schemas,
            warning: None,
        }
    }

    /// Whether the crate has tag features at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The feature names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(String::as_str)
    }

    /// Why the crate has no tag features although its operations have tags, if so.
    pub fn warning(&self) -> Option<&str> {
        self.warning.as_deref()
    }

    /// The `#[cfg(...)]` that compiles an operation's code (empty when always compiled).
    pub fn operation_cfg(&self, index: usize) -> TokenStream {
        self.cfg(self.operations.get(index).map(Vec::as_slice))
    }

    /// The `#[cfg(...)]` that compiles a schema's type (empty when always compiled).
    pub fn schema_cfg(&self, schema: &str) -> TokenStream {
        self.cfg(self.schemas.get(schema).map(Vec::as_slice))
    }

    /// The condition under which a schema's type is compiled, for a `cfg(...)`: `None` when
    /// it always is.
    pub fn schema_predicate(&self, schema: &str) -> Option<TokenStream> {
        self.predicate(self.schemas.get(schema)?)
    }

    /// The features an operation needs, as a sentence for its documentation.
    pub fn operation_doc(&self, index: usize) -> Option<String> {
        let features = self
            .operations
            .get(index)
            .filter(|features| !features.is_empty())?;
        let names: Vec<String> = features
            .iter()
            .map(|&feature| format!("`{}`", self.names[feature]))
            .collect();
        let which = if names.len() == 1 {
            format!("the crate feature {}", names[0])
        } else {
            format!("any of the crate features {}", names.join(", "))
        };
        Some(format!(
            "Compiled with {which} (on by default, through `full`)."
        ))
    }

    /// The features an operation needs, for `required-features` in Cargo.toml.
    pub fn operation_features(&self, index: usize) -> Vec<&str> {
        self.operations
            .get(index)
            .map(|features| {
                features
                    .iter()
                    .map(|&feature| self.names[feature].as_str())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `[features]` lines of the tags: `full`, then one per tag, documented.
    pub fn cargo_lines(&self) -> String {
        if self.is_empty() {
            return String::new();
        }
        let mut lines = String::from(
            "# One feature per tag of the API's operations: an operation is compiled when one of\n\
             # its tags is on, a type when an operation that is compiled uses it. `full` (on by\n\
             # default) turns every tag on; to compile less, turn default features off and\n\
             # name the tags you use.\n\
             default = [\"full\"]\n",
        );
        let all: Vec<String> = self.names.iter().map(|name| format!("{name:?}")).collect();
        lines.push_str(&format!("full = [{}]\n", all.join(", ")));
        for (name, tag) in self.names.iter().zip(&self.tags) {
            if name != tag {
                lines.push_str(&format!("# The operations tagged {}.\n", toml_comment(tag)));
            }
            lines.push_str(&format!("{name} = []\n"));
        }
        lines
    }

    /// The crate documentation's section on the features (empty without tag features).
    pub fn doc_lines(&self, crate_name: &str) -> Vec<String> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut counts = vec![0usize; self.names.len()];
        for &feature in self.operations.iter().flatten() {
            counts[feature] += 1;
        }
        let example = &self.names[0];
        let mut lines = vec![
            "# Features".to_owned(),
            String::new(),
            "Each tag of the API's operations is a cargo feature: an operation is compiled when \
             one of its tags' features is on, a type when a compiled operation uses it. `full`, \
             a default feature, turns every tag on. To compile only the operations you call:"
                .to_owned(),
            String::new(),
            "```toml".to_owned(),
            format!("[dependencies.{crate_name}]"),
            "default-features = false".to_owned(),
            format!("features = [\"{example}\"]"),
            "```".to_owned(),
            String::new(),
        ];
        for ((name, tag), count) in self.names.iter().zip(&self.tags).zip(counts) {
            let operations = if count == 1 {
                "operation"
            } else {
                "operations"
            };
            let tag = tag.replace(['`', '\n', '\r'], " ");
            lines.push(format!(
                "- `{name}`: the {count} {operations} tagged `{tag}`"
            ));
        }
        lines
    }

    /// `#[cfg(...)]` of the predicate of `features` (nothing for none: always compiled).
    fn cfg(&self, features: Option<&[usize]>) -> TokenStream {
        features
            .and_then(|features| self.predicate(features))
            .map(|predicate| quote!(#[cfg(#predicate)]))
            .unwrap_or_default()
    }

    /// `feature = "a"` or `any(feature = "a", feature = "b")`; `None` for no features.
    fn predicate(&self, features: &[usize]) -> Option<TokenStream> {
        let features: Vec<&str> = features
            .iter()
            .map(|&feature| self.names[feature].as_str())
            .collect();
        match features.as_slice() {
            [] => None,
            [feature] => Some(quote!(feature = #feature)),
            _ => Some(quote!(any(#(feature = #features),*))),
        }
    }
}

/// The named schemas by index, with their references by index.
struct Graph {
    names: Vec<String>,
    index: HashMap<String, usize>,
    edges: Vec<Vec<usize>>,
}

impl Graph {
    fn new(api: &Api) -> Self {
        let names: Vec<String> = api.schemas.keys().cloned().collect();
        let index: HashMap<String, usize> = names
            .iter()
            .enumerate()
            .map(|(index, name)| (name.clone(), index))
            .collect();
        let edges = api
            .schemas
            .values()
            .map(|named| {
                let mut refs = Vec::new();
                collect_refs(&named.schema, &mut refs);
                refs.iter()
                    .filter_map(|name| index.get(name).copied())
                    .collect()
            })
            .collect();
        Graph {
            names,
            index,
            edges,
        }
    }

    fn indices(&self, names: impl IntoIterator<Item = String>) -> Vec<usize> {
        names
            .into_iter()
            .filter_map(|name| self.index.get(&name).copied())
            .collect()
    }

    /// The schemas `roots` reach, roots included, in no particular order.
    fn reach(&self, mut pending: Vec<usize>) -> Vec<usize> {
        let mut seen = vec![false; self.names.len()];
        let mut reached = Vec::new();
        while let Some(schema) = pending.pop() {
            if std::mem::replace(&mut seen[schema], true) {
                continue;
            }
            reached.push(schema);
            pending.extend(self.edges[schema].iter().copied());
        }
        reached
    }
}

/// A cargo feature name for a tag: lowercase ASCII letters and digits, words joined by `-`.
fn feature_name(tag: &str) -> String {
    let mut name = String::new();
    let mut previous_lower = false;
    for character in tag.chars() {
        if character.is_ascii_alphanumeric() {
            // `CodeScanning` -> `code-scanning`.
            if character.is_ascii_uppercase() && previous_lower && !name.ends_with('-') {
                name.push('-');
            }
            previous_lower = character.is_ascii_lowercase() || character.is_ascii_digit();
            name.push(character.to_ascii_lowercase());
        } else {
            previous_lower = false;
            if !name.is_empty() && !name.ends_with('-') {
                name.push('-');
            }
        }
    }
    let mut name = name.trim_end_matches('-').to_owned();
    if name.len() > MAX_NAME {
        // Whole words where it can: cut at the last `-` within the limit.
        let cut = name[..MAX_NAME]
            .rfind('-')
            .filter(|&at| at > 0)
            .unwrap_or(MAX_NAME);
        name.truncate(cut);
    }
    if name.is_empty() {
        "tag".to_owned()
    } else {
        name
    }
}

/// The longest feature name made from a tag, before the `-2` (and so on) that a clash adds.
const MAX_NAME: usize = 48;

/// `base`, or `base-2`, `base-3` ... whichever is not taken yet; taken from then on.
fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.clone();
    let mut number = 2;
    while taken.contains(&name) {
        name = format!("{base}-{number}");
        number += 1;
    }
    taken.insert(name.clone());
    name
}

/// A tag as text in a TOML comment: on one line.
fn toml_comment(tag: &str) -> String {
    format!("{:?}", tag.replace(['\n', '\r'], " "))
}

/// Puts `cfg` (an attribute, or nothing) on every item of `items`, a sequence of items
/// (or of associated items of an `impl`). Items end at a `;` or a `{ ... }` group at the top
/// level of the stream, with the `;` that may follow such a group (`const X: T = T { .. };`).
pub fn gate(items: TokenStream, cfg: &TokenStream) -> TokenStream {
    if cfg.is_empty() {
        return items;
    }
    let mut gated = TokenStream::new();
    let mut item: Vec<TokenTree> = Vec::new();
    let mut tokens = items.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let ends = match &token {
            TokenTree::Punct(punct) => punct.as_char() == ';' && punct.spacing() == Spacing::Alone,
            TokenTree::Group(group) => group.delimiter() == Delimiter::Brace,
            _ => false,
        };
        item.push(token);
        if ends {
            if let Some(TokenTree::Punct(punct)) = tokens.peek()
                && punct.as_char() == ';'
                && matches!(item.last(), Some(TokenTree::Group(_)))
            {
                item.extend(tokens.next());
            }
            push_gated(&mut gated, std::mem::take(&mut item), cfg);
        }
    }
    if !item.is_empty() {
        push_gated(&mut gated, item, cfg);
    }
    gated
}

/// Appends an item with `cfg` after its documentation, where readers look for it.
fn push_gated(gated: &mut TokenStream, item: Vec<TokenTree>, cfg: &TokenStream) {
    let is_doc = |pair: &[TokenTree]| match pair {
        [TokenTree::Punct(hash), TokenTree::Group(group)] => {
            hash.as_char() == '#'
                && group.delimiter() == Delimiter::Bracket
                && matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(name)) if name == "doc")
        }
        _ => false,
    };
    let mut docs = 0;
    while item.len() >= docs + 2 && is_doc(&item[docs..docs + 2]) {
        docs += 2;
    }
    let mut item = item.into_iter();
    gated.extend(item.by_ref().take(docs));
    gated.extend(cfg.clone());
    gated.extend(item);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_are_kebab_case_ascii() {
        assert_eq!(feature_name("repos"), "repos");
        assert_eq!(feature_name("code-scanning"), "code-scanning");
        assert_eq!(feature_name("CodeScanning"), "code-scanning");
        assert_eq!(feature_name("Pet Store"), "pet-store");
        assert_eq!(feature_name("v2 / admin_tools"), "v2-admin-tools");
        assert_eq!(feature_name("HTTPRoutes"), "httproutes");
        assert_eq!(feature_name("Ünïcode"), "n-code");
        assert_eq!(feature_name("日本"), "tag");
        let long = "word ".repeat(40);
        let name = feature_name(&long);
        assert!(name.len() <= MAX_NAME && name.ends_with("word"), "{name}");
        assert_eq!(feature_name(&"x".repeat(100)).len(), MAX_NAME);
    }

    #[test]
    fn feature_names_avoid_each_other_and_the_crates_own() {
        let mut taken: BTreeSet<String> = RESERVED.iter().map(|name| (*name).to_owned()).collect();
        assert_eq!(unique("full".to_owned(), &mut taken), "full-2");
        assert_eq!(unique("pets".to_owned(), &mut taken), "pets");
        assert_eq!(unique("pets".to_owned(), &mut taken), "pets-2");
        assert_eq!(unique("pets".to_owned(), &mut taken), "pets-3");
    }

    #[test]
    fn gate_puts_the_attribute_on_every_item() {
        let items = quote! {
            #[derive(Debug)]
            pub struct A { a: u8 }
            pub struct B;
            pub struct C(u8);
            impl A { fn f() {} }
            pub const X: A = A { a: 1 };
            ::sdkgen_runtime::request_options!(A);
            pub fn g() -> Result<(), ()> { Ok(()) }
        };
        let cfg = quote!(#[cfg(feature = "t")]);
        let gated = gate(items, &cfg).to_string();
        assert_eq!(
            gated.matches("# [cfg (feature = \"t\")]").count(),
            7,
            "{gated}"
        );
        let file: syn::File = syn::parse2(gate(
            quote!(pub struct B; pub const X: A = A { a: 1 }; impl A {}),
            &cfg,
        ))
        .expect("gated items parse");
        assert_eq!(file.items.len(), 3);
        for item in &file.items {
            let text = quote!(#item).to_string();
            assert!(text.starts_with("# [cfg (feature = \"t\")]"), "{text}");
        }
    }

    #[test]
    fn gate_puts_the_attribute_after_the_documentation() {
        let items = quote! {
            /// A.
            /// More.
            #[derive(Debug)]
            pub struct A;
            #[doc = "B"]
            impl A {}
        };
        let cfg = quote!(#[cfg(feature = "t")]);
        let gated = gate(items, &cfg).to_string();
        assert_eq!(
            gated,
            quote! {
                /// A.
                /// More.
                #[cfg(feature = "t")]
                #[derive(Debug)]
                pub struct A;
                #[doc = "B"]
                #[cfg(feature = "t")]
                impl A {}
            }
            .to_string()
        );
    }

    /// A document of 100 tags whose operations all share one type, and one operation in all
    /// of them: both are compiled always, under no cfg at all.
    #[test]
    fn what_very_many_tags_share_is_compiled_always() {
        let mut spec = String::from("openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n");
        for index in 0..100 {
            spec.push_str(&format!(
                "  /a{index}:\n    get:\n      operationId: a{index}\n      tags: [t{index}]\n      \
                 responses: {{'200': {{description: ok, content: {{application/json: {{schema: \
                 {{$ref: '#/components/schemas/Shared'}}}}}}}}}}\n"
            ));
        }
        let all: Vec<String> = (0..100).map(|index| format!("t{index}")).collect();
        spec.push_str(&format!(
            "  /every:\n    get:\n      operationId: every\n      tags: [{}]\n      \
             responses: {{'204': {{description: ok}}}}\n",
            all.join(", ")
        ));
        spec.push_str("components:\n  schemas:\n    Shared: {type: object, properties: {a: {type: string}}}\n");
        let api = sdkgen_loader::load_str(&spec, "many.yaml").expect("loads");
        let features = TagFeatures::new(&api, &[]);
        assert_eq!(features.names().count(), 100);
        assert!(features.schema_cfg("Shared").is_empty());
        assert!(features.operation_cfg(100).is_empty());
        assert!(!features.operation_cfg(0).is_empty());
    }

    #[test]
    fn no_cfg_leaves_items_alone() {
        let items = quote!(
            pub struct B;
        );
        assert_eq!(
            gate(items.clone(), &TokenStream::new()).to_string(),
            items.to_string()
        );
    }
}
