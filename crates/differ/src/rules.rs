//! The rule catalogue: every rule the differ can report, each with its id, level, family,
//! direction and a one-line description. Every finding names a rule from here, and the reports
//! that list rules (SARIF, `RULES.md`) read this catalogue, not the findings.
//!
//! Two kinds of rule make up the catalogue:
//! - [`Fixed`] rules, one id each (`endpoint-added`, `request-property-removed`, ...);
//! - schema rules, a [`SchemaChange`] at a [`Place`]: the id is the place's prefix and the
//!   change's suffix (`response-property` + `enum-value-added`), as in oasdiff, and the level
//!   depends on which side of the wire the place is.
//!
//! Ids are oasdiff's where an equivalent exists. Levels follow oasdiff's (ERR is breaking, WARN
//! a warning, INFO non-breaking) except where the provider's policy says otherwise: any change
//! to the authentication mechanism is breaking, and so is removing response data.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Serialize;

use crate::Level;

/// The part of a comparison a rule belongs to (and the module that checks it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// Operations and webhooks added, removed or deprecated.
    Paths,
    /// Parameters added, removed or changed.
    Parameters,
    /// Request bodies, responses, media types and headers.
    Bodies,
    /// Schemas of bodies and parameters, compared structurally.
    Schemas,
    /// Security schemes and requirements.
    Security,
    /// The point cost of operations.
    Costs,
}

impl Family {
    /// Every family, in the order of `RULES.md`.
    pub const ALL: [Family; 6] = [
        Family::Paths,
        Family::Parameters,
        Family::Bodies,
        Family::Schemas,
        Family::Security,
        Family::Costs,
    ];

    /// `paths`, `parameters`, `bodies`, `schemas`, `security` or `costs`.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Paths => "paths",
            Family::Parameters => "parameters",
            Family::Bodies => "bodies",
            Family::Schemas => "schemas",
            Family::Security => "security",
            Family::Costs => "costs",
        }
    }
}

/// Which side of the wire a rule is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// What clients send: parameters and request bodies.
    Request,
    /// What the server sends: responses (and webhook payloads, which receivers read).
    Response,
    /// Neither or both: operations, security, costs.
    Both,
}

impl Direction {
    /// `request`, `response` or `both`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Request => "request",
            Direction::Response => "response",
            Direction::Both => "both",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The id, e.g. `request-property-type-changed`.
    pub id: String,
    /// Its level under the provider's policy (a team's config may move it).
    pub level: Level,
    /// The family that checks it.
    pub family: Family,
    /// The side of the wire it is about.
    pub direction: Direction,
    /// What it means, in a sentence.
    pub description: String,
}

macro_rules! fixed_rules {
    ($($variant:ident = $id:literal, $level:ident, $family:ident, $direction:ident, $description:literal;)*) => {
        /// The rules with one id each.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Fixed {
            $(
                #[doc = $description]
                $variant,
            )*
        }

        impl Fixed {
            /// Every fixed rule, in catalogue order.
            pub const ALL: &[Fixed] = &[$(Fixed::$variant),*];

            fn rule(self) -> Rule {
                match self {
                    $(Fixed::$variant => Rule {
                        id: $id.to_owned(),
                        level: Level::$level,
                        family: Family::$family,
                        direction: Direction::$direction,
                        description: $description.to_owned(),
                    },)*
                }
            }
        }
    };
}

fixed_rules! {
    EndpointAdded = "endpoint-added", NonBreaking, Paths, Both, "An operation was added.";
    EndpointDeprecated = "endpoint-deprecated", NonBreaking, Paths, Both, "An operation became deprecated.";
    EndpointDeprecatedWithSunset = "endpoint-deprecated-with-sunset", NonBreaking, Paths, Both, "An operation became deprecated, with a sunset date.";
    OperationIdRemoved = "api-operation-id-removed", Breaking, Paths, Both, "A declared operationId was changed or dropped: the SDK method named after it is renamed.";
    OperationIdAdded = "api-operation-id-added", Warning, Paths, Both, "An operationId was declared where there was none: the SDK method may be renamed.";
    TagAdded = "api-tag-added", NonBreaking, Paths, Both, "An operation gained a tag.";
    TagRemoved = "api-tag-removed", NonBreaking, Paths, Both, "An operation lost a tag.";
    EndpointReactivated = "endpoint-reactivated", NonBreaking, Paths, Both, "An operation is no longer deprecated.";
    PathRemovedWithoutDeprecation = "api-path-removed-without-deprecation", Breaking, Paths, Both, "A path was removed without being deprecated first.";
    RemovedWithoutDeprecation = "api-removed-without-deprecation", Breaking, Paths, Both, "An operation was removed without being deprecated first.";
    PathRemovedWithDeprecation = "api-path-removed-with-deprecation", NonBreaking, Paths, Both, "A deprecated path was removed after its sunset date (or it had none).";
    RemovedWithDeprecation = "api-removed-with-deprecation", NonBreaking, Paths, Both, "A deprecated operation was removed after its sunset date (or it had none).";
    SunsetDeleted = "api-sunset-deleted", Breaking, Paths, Both, "A deprecated operation lost its sunset date: its users were promised time to move.";
    SunsetDateTooEarly = "api-sunset-date-changed-too-small", Breaking, Paths, Both, "The sunset date of a deprecated operation was moved earlier.";
    DeprecatedSunsetParse = "api-deprecated-sunset-parse", Warning, Paths, Both, "A deprecated operation's sunset is not a date (ISO or HTTP date).";
    PathSunsetParse = "api-path-sunset-parse", Breaking, Paths, Both, "A deprecated path was removed, but its sunset is not a date: nobody can tell whether the notice ran out.";
    SunsetParse = "api-sunset-parse", Breaking, Paths, Both, "A deprecated operation was removed, but its sunset is not a date: nobody can tell whether the notice ran out.";
    PathRemovedBeforeSunset = "api-path-removed-before-sunset", Breaking, Paths, Both, "A deprecated path was removed before its sunset date.";
    RemovedBeforeSunset = "api-removed-before-sunset", Breaking, Paths, Both, "A deprecated operation was removed before its sunset date.";
    WebhookAdded = "webhook-added", NonBreaking, Paths, Response, "A webhook was added.";
    WebhookRemoved = "webhook-removed", Breaking, Paths, Response, "A webhook was removed.";

    NewRequiredParameter = "new-required-request-parameter", Breaking, Parameters, Request, "A required parameter was added.";
    NewOptionalParameter = "new-optional-request-parameter", NonBreaking, Parameters, Request, "An optional parameter was added.";
    ParameterRemoved = "request-parameter-removed", Warning, Parameters, Request, "A parameter was removed (servers usually ignore it if still sent).";
    ParameterBecameRequired = "request-parameter-became-required", Breaking, Parameters, Request, "An optional parameter became required.";
    ParameterBecameOptional = "request-parameter-became-optional", NonBreaking, Parameters, Request, "A required parameter became optional.";
    ParameterDeprecated = "request-parameter-deprecated", NonBreaking, Parameters, Request, "A parameter became deprecated.";
    ParameterReactivated = "request-parameter-reactivated", NonBreaking, Parameters, Request, "A parameter is no longer deprecated.";
    ParameterStyleChanged = "request-parameter-style-changed", Breaking, Parameters, Request, "The serialisation (style or explode) of a parameter changed.";

    RequestBodyAddedRequired = "request-body-added-required", Breaking, Bodies, Request, "A required request body was added.";
    RequestBodyAddedOptional = "request-body-added-optional", NonBreaking, Bodies, Request, "An optional request body was added.";
    RequestBodyRemoved = "request-body-removed", Warning, Bodies, Request, "The request body was removed.";
    RequestBodyBecameRequired = "request-body-became-required", Breaking, Bodies, Request, "The request body became required.";
    RequestBodyBecameOptional = "request-body-became-optional", NonBreaking, Bodies, Request, "The request body became optional.";
    RequestMediaTypeAdded = "request-body-media-type-added", NonBreaking, Bodies, Request, "The request body accepts a new media type.";
    RequestMediaTypeRemoved = "request-body-media-type-removed", Breaking, Bodies, Request, "The request body no longer accepts a media type.";
    ResponseMediaTypeAdded = "response-media-type-added", NonBreaking, Bodies, Response, "A response has a new media type.";
    ResponseMediaTypeRemoved = "response-media-type-removed", Breaking, Bodies, Response, "A response lost a media type.";
    SuccessStatusAdded = "response-success-status-added", NonBreaking, Bodies, Response, "A success (2xx) response was added.";
    SuccessStatusRemoved = "response-success-status-removed", Breaking, Bodies, Response, "A success (2xx) response was removed.";
    NonSuccessStatusAdded = "response-non-success-status-added", NonBreaking, Bodies, Response, "A non-success response was added.";
    NonSuccessStatusRemoved = "response-non-success-status-removed", NonBreaking, Bodies, Response, "A non-success response was removed.";
    RequiredHeaderRemoved = "required-response-header-removed", Breaking, Bodies, Response, "A required response header was removed.";
    OptionalHeaderRemoved = "optional-response-header-removed", Breaking, Bodies, Response, "An optional response header was removed (removing response data is breaking).";
    HeaderBecameOptional = "response-header-became-optional", Breaking, Bodies, Response, "A required response header became optional.";
    HeaderAdded = "response-header-added", NonBreaking, Bodies, Response, "A response header was added.";

    ResponseRequiredPropertyRemoved = "response-required-property-removed", Breaking, Schemas, Response, "A required property was removed from a response.";
    ResponseOptionalPropertyRemoved = "response-optional-property-removed", Breaking, Schemas, Response, "An optional property was removed from a response (removing response data is breaking).";
    ResponseRequiredPropertyAdded = "response-required-property-added", NonBreaking, Schemas, Response, "A required property was added to a response.";
    ResponseOptionalPropertyAdded = "response-optional-property-added", NonBreaking, Schemas, Response, "An optional property was added to a response.";
    ResponsePropertyBecameRequired = "response-property-became-required", NonBreaking, Schemas, Response, "A response property is now always sent.";
    ResponsePropertyBecameOptional = "response-property-became-optional", Breaking, Schemas, Response, "A response property may now be absent.";
    RequestPropertyRemoved = "request-property-removed", Warning, Schemas, Request, "A property was removed from an open request schema (servers usually ignore it if still sent).";
    RequestClosedPropertyRemoved = "request-property-removed-from-closed-schema", Breaking, Schemas, Request, "A property was removed from a request schema with `additionalProperties: false`: sending it is now rejected.";
    ParameterPropertyRemoved = "request-parameter-property-removed", Warning, Schemas, Request, "A property was removed from an open parameter schema.";
    ParameterClosedPropertyRemoved = "request-parameter-property-removed-from-closed-schema", Breaking, Schemas, Request, "A property was removed from a parameter schema with `additionalProperties: false`.";
    RequestPropertyBecameRequired = "request-property-became-required", Breaking, Schemas, Request, "A request property became required.";
    RequestPropertyBecameOptional = "request-property-became-optional", NonBreaking, Schemas, Request, "A request property became optional.";
    NewRequiredRequestProperty = "new-required-request-property", Breaking, Schemas, Request, "A required property was added to a request.";
    NewRequiredRequestPropertyWithDefault = "new-required-request-property-with-default", Breaking, Schemas, Request, "A required property with a default was added to a request.";
    NewOptionalRequestProperty = "new-optional-request-property", NonBreaking, Schemas, Request, "An optional property was added to a request.";

    GlobalSecurityAdded = "api-global-security-added", Breaking, Security, Request, "A document-wide security requirement was added.";
    GlobalSecurityRemoved = "api-global-security-removed", Breaking, Security, Request, "A document-wide security requirement was removed.";
    GlobalSecurityScopeAdded = "api-global-security-scope-added", Breaking, Security, Request, "A document-wide requirement needs a new scope.";
    GlobalSecurityScopeRemoved = "api-global-security-scope-removed", Breaking, Security, Request, "A document-wide requirement no longer needs a scope.";
    GlobalSecurityBecameRequired = "api-global-security-became-required", Breaking, Security, Request, "Document-wide authentication, once optional, is now required.";
    SecurityAdded = "api-security-added", Breaking, Security, Request, "An operation's security requirement was added.";
    SecurityRemoved = "api-security-removed", Breaking, Security, Request, "An operation's security requirement was removed.";
    SecurityScopeAdded = "api-security-scope-added", Breaking, Security, Request, "An operation's requirement needs a new scope.";
    SecurityScopeRemoved = "api-security-scope-removed", Breaking, Security, Request, "An operation's requirement no longer needs a scope.";
    SecurityBecameRequired = "api-security-became-required", Breaking, Security, Request, "An operation's authentication, once optional, is now required.";
    SecurityComponentAdded = "api-security-component-added", NonBreaking, Security, Both, "A security scheme was added.";
    SecurityComponentRemoved = "api-security-component-removed", Breaking, Security, Both, "A security scheme was removed.";
    SecurityComponentTypeChanged = "api-security-component-type-changed", Breaking, Security, Both, "A security scheme changed its type.";
    SecurityHttpSchemeChanged = "api-security-component-http-scheme-changed", Breaking, Security, Both, "An HTTP security scheme changed its scheme.";
    SecurityBearerFormatChanged = "api-security-component-bearer-format-changed", Breaking, Security, Both, "A bearer scheme changed its token format.";
    SecurityApiKeyNameChanged = "api-security-component-api-key-name-changed", Breaking, Security, Both, "An API key moved to another name.";
    SecurityApiKeyLocationChanged = "api-security-component-api-key-location-changed", Breaking, Security, Both, "An API key moved to another location.";
    SecurityOauthFlowRemoved = "api-security-component-oauth-flow-removed", Breaking, Security, Both, "An OAuth 2 flow was removed.";
    SecurityOauthTokenUrlChanged = "api-security-component-oauth-token-url-changed", Breaking, Security, Both, "An OAuth 2 token URL changed.";
    SecurityOauthUrlChanged = "api-security-component-oauth-url-changed", Breaking, Security, Both, "An OAuth 2 authorization URL changed.";
    SecurityOauthScopeAdded = "api-security-component-oauth-scope-added", Breaking, Security, Both, "An OAuth 2 flow gained a scope.";
    SecurityOauthScopeRemoved = "api-security-component-oauth-scope-removed", Breaking, Security, Both, "An OAuth 2 flow lost a scope.";
    SecurityOpenIdUrlChanged = "api-security-component-openid-url-changed", Breaking, Security, Both, "An OpenID Connect URL changed.";

    PointsIncreased = "operation-points-increased", Warning, Costs, Both, "An operation costs more points.";
    PointsDecreased = "operation-points-decreased", NonBreaking, Costs, Both, "An operation costs fewer points.";
}

/// Where in an operation a schema stands: gives a schema rule its prefix and its side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// The root of a request body.
    RequestBody,
    /// A property below the root of a request body.
    RequestProperty,
    /// The root of a response body (or a webhook payload).
    ResponseBody,
    /// A property below the root of a response body.
    ResponseProperty,
    /// A parameter's schema.
    RequestParameter,
    /// A property below the root of a parameter's schema.
    RequestParameterProperty,
    /// A response header's schema.
    ResponseHeader,
}

impl Place {
    /// Every place, in catalogue order.
    pub const ALL: [Place; 7] = [
        Place::RequestBody,
        Place::RequestProperty,
        Place::RequestParameter,
        Place::RequestParameterProperty,
        Place::ResponseBody,
        Place::ResponseProperty,
        Place::ResponseHeader,
    ];

    /// The id prefix, e.g. `request-property`.
    pub fn prefix(self) -> &'static str {
        match self {
            Place::RequestBody => "request-body",
            Place::RequestProperty => "request-property",
            Place::ResponseBody => "response-body",
            Place::ResponseProperty => "response-property",
            Place::RequestParameter => "request-parameter",
            Place::RequestParameterProperty => "request-parameter-property",
            Place::ResponseHeader => "response-header",
        }
    }

    /// The side of the wire.
    pub fn direction(self) -> Direction {
        match self {
            Place::ResponseBody | Place::ResponseProperty | Place::ResponseHeader => {
                Direction::Response
            }
            _ => Direction::Request,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Place::RequestBody => "a request body",
            Place::RequestProperty => "a request property",
            Place::ResponseBody => "a response body",
            Place::ResponseProperty => "a response property",
            Place::RequestParameter => "a parameter",
            Place::RequestParameterProperty => "a parameter's property",
            Place::ResponseHeader => "a response header",
        }
    }
}

/// Which bound of a value a constraint sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `maximum` (or `exclusiveMaximum`).
    Max,
    /// `minimum` (or `exclusiveMinimum`).
    Min,
    /// `maxLength`.
    MaxLength,
    /// `minLength`.
    MinLength,
    /// `maxItems`.
    MaxItems,
    /// `minItems`.
    MinItems,
}

impl Bound {
    const ALL: [Bound; 6] = [
        Bound::Max,
        Bound::Min,
        Bound::MaxLength,
        Bound::MinLength,
        Bound::MaxItems,
        Bound::MinItems,
    ];

    /// `max`, `min`, `max-length`, ...
    pub fn name(self) -> &'static str {
        match self {
            Bound::Max => "max",
            Bound::Min => "min",
            Bound::MaxLength => "max-length",
            Bound::MinLength => "min-length",
            Bound::MaxItems => "max-items",
            Bound::MinItems => "min-items",
        }
    }

    /// Whether it bounds from above (so that a smaller value is stricter).
    pub fn is_upper(self) -> bool {
        matches!(self, Bound::Max | Bound::MaxLength | Bound::MaxItems)
    }
}

/// How a bound changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoundChange {
    /// There was none; now there is one.
    Set,
    /// There was one; now there is none.
    Removed,
    /// The value rose.
    Increased,
    /// The value fell.
    Decreased,
}

impl BoundChange {
    const ALL: [BoundChange; 4] = [
        BoundChange::Set,
        BoundChange::Removed,
        BoundChange::Increased,
        BoundChange::Decreased,
    ];

    fn name(self) -> &'static str {
        match self {
            BoundChange::Set => "set",
            BoundChange::Removed => "removed",
            BoundChange::Increased => "increased",
            BoundChange::Decreased => "decreased",
        }
    }
}

/// A change to a schema, reported at a [`Place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SchemaChange {
    /// `null` became allowed.
    BecameNullable,
    /// `null` is no longer allowed.
    BecameNotNullable,
    /// The type or format changed incompatibly.
    TypeChanged,
    /// A request type was widened so that every old value is still valid (integer to number).
    TypeGeneralized,
    /// A response type was narrowed so that every new value was valid before (number to
    /// integer, any value to a type).
    TypeSpecialized,
    /// `oneOf` gained a variant.
    OneOfAdded,
    /// `oneOf` lost a variant.
    OneOfRemoved,
    /// `anyOf` gained a variant.
    AnyOfAdded,
    /// `anyOf` lost a variant.
    AnyOfRemoved,
    /// `allOf` gained a part.
    AllOfAdded,
    /// `allOf` lost a part.
    AllOfRemoved,
    /// A discriminator was declared.
    DiscriminatorAdded,
    /// The discriminator was dropped.
    DiscriminatorRemoved,
    /// The discriminator reads another property.
    DiscriminatorPropertyNameChanged,
    /// The discriminator mapping gained a value.
    DiscriminatorMappingAdded,
    /// The discriminator mapping lost a value.
    DiscriminatorMappingRemoved,
    /// A discriminator value maps to another schema.
    DiscriminatorMappingChanged,
    /// The one allowed value changed.
    ConstChanged,
    /// The value became restricted to a list.
    BecameEnum,
    /// The value is no longer restricted to a list.
    EnumRemoved,
    /// The list of allowed values gained values.
    EnumValueAdded,
    /// The list of allowed values lost values.
    EnumValueRemoved,
    /// `x-extensible-enum` gained values (clients must tolerate unknown values anyway).
    ExtensibleEnumValueAdded,
    /// `x-extensible-enum` lost values.
    ExtensibleEnumValueRemoved,
    /// The default changed.
    DefaultValueChanged,
    /// A default was set.
    DefaultValueAdded,
    /// The default was removed.
    DefaultValueRemoved,
    /// A bound changed.
    Bound(Bound, BoundChange),
    /// A pattern was set.
    PatternAdded,
    /// The pattern was removed.
    PatternRemoved,
    /// The pattern changed.
    PatternChanged,
}

impl SchemaChange {
    fn all() -> Vec<SchemaChange> {
        use SchemaChange::*;
        let mut all = vec![
            BecameNullable,
            BecameNotNullable,
            TypeChanged,
            TypeGeneralized,
            TypeSpecialized,
            OneOfAdded,
            OneOfRemoved,
            AnyOfAdded,
            AnyOfRemoved,
            AllOfAdded,
            AllOfRemoved,
            DiscriminatorAdded,
            DiscriminatorRemoved,
            DiscriminatorPropertyNameChanged,
            DiscriminatorMappingAdded,
            DiscriminatorMappingRemoved,
            DiscriminatorMappingChanged,
            ConstChanged,
            BecameEnum,
            EnumRemoved,
            EnumValueAdded,
            EnumValueRemoved,
            ExtensibleEnumValueAdded,
            ExtensibleEnumValueRemoved,
            DefaultValueChanged,
            DefaultValueAdded,
            DefaultValueRemoved,
        ];
        for bound in self::Bound::ALL {
            for change in BoundChange::ALL {
                all.push(SchemaChange::Bound(bound, change));
            }
        }
        all.extend([PatternAdded, PatternRemoved, PatternChanged]);
        all
    }

    /// The id suffix, e.g. `enum-value-added`.
    fn suffix(self) -> String {
        use SchemaChange::*;
        match self {
            BecameNullable => "became-nullable",
            BecameNotNullable => "became-not-nullable",
            TypeChanged => "type-changed",
            TypeGeneralized => "type-generalized",
            TypeSpecialized => "type-specialized",
            OneOfAdded => "one-of-added",
            OneOfRemoved => "one-of-removed",
            AnyOfAdded => "any-of-added",
            AnyOfRemoved => "any-of-removed",
            AllOfAdded => "all-of-added",
            AllOfRemoved => "all-of-removed",
            DiscriminatorAdded => "discriminator-added",
            DiscriminatorRemoved => "discriminator-removed",
            DiscriminatorPropertyNameChanged => "discriminator-property-name-changed",
            DiscriminatorMappingAdded => "discriminator-mapping-added",
            DiscriminatorMappingRemoved => "discriminator-mapping-deleted",
            DiscriminatorMappingChanged => "discriminator-mapping-changed",
            ConstChanged => "const-changed",
            BecameEnum => "became-enum",
            EnumRemoved => "enum-removed",
            EnumValueAdded => "enum-value-added",
            EnumValueRemoved => "enum-value-removed",
            ExtensibleEnumValueAdded => "x-extensible-enum-value-added",
            ExtensibleEnumValueRemoved => "x-extensible-enum-value-removed",
            DefaultValueChanged => "default-value-changed",
            DefaultValueAdded => "default-value-added",
            DefaultValueRemoved => "default-value-removed",
            Bound(bound, change) => return format!("{}-{}", bound.name(), change.name()),
            PatternAdded => "pattern-added",
            PatternRemoved => "pattern-removed",
            PatternChanged => "pattern-changed",
        }
        .to_owned()
    }

    /// The level at a place, or `None` when the change is not reported there (constraints
    /// are judged on what clients send; a response cannot be "generalized").
    fn level(self, direction: Direction) -> Option<Level> {
        use Level::{Breaking, NonBreaking, Warning};
        use SchemaChange::*;
        let request = direction != Direction::Response;
        // `(in a request, in a response)`.
        let (in_request, in_response) = match self {
            BecameNullable | OneOfAdded | AnyOfAdded => (NonBreaking, Breaking),
            BecameNotNullable
            | OneOfRemoved
            | AnyOfRemoved
            | EnumValueRemoved
            | ExtensibleEnumValueRemoved
            | BecameEnum
            | DefaultValueChanged
            | AllOfAdded => (Breaking, NonBreaking),
            TypeChanged | ConstChanged => (Breaking, Breaking),
            AllOfRemoved => (Warning, Warning),
            TypeGeneralized if request => (NonBreaking, NonBreaking),
            TypeSpecialized if !request => (NonBreaking, NonBreaking),
            TypeGeneralized | TypeSpecialized => return None,
            DiscriminatorAdded
            | DiscriminatorRemoved
            | ExtensibleEnumValueAdded
            | DefaultValueAdded
            | DefaultValueRemoved => (NonBreaking, NonBreaking),
            // A server picks a request's variant by its shape; the generated clients decode a
            // response's union by its tag, so a tag they do not know, or one read from another
            // property or mapped to another schema, fails to decode.
            DiscriminatorPropertyNameChanged | DiscriminatorMappingChanged => {
                (NonBreaking, Breaking)
            }
            DiscriminatorMappingRemoved => (NonBreaking, NonBreaking),
            // Values a client has never seen: decoders with closed enums fail on them.
            DiscriminatorMappingAdded | EnumValueAdded | EnumRemoved => (NonBreaking, Warning),
            // A constraint that tightens rejects requests that passed; one that loosens lets a
            // response carry values that clients validating the old bounds reject.
            Bound(bound, change) => {
                let tightens = match change {
                    BoundChange::Set => true,
                    BoundChange::Removed => false,
                    BoundChange::Increased => !bound.is_upper(),
                    BoundChange::Decreased => bound.is_upper(),
                };
                match (change, tightens) {
                    (BoundChange::Set, _) => (Warning, NonBreaking),
                    (_, true) => (Breaking, NonBreaking),
                    (_, false) => (NonBreaking, Warning),
                }
            }
            PatternAdded => (Warning, NonBreaking),
            PatternChanged => (Warning, Warning),
            PatternRemoved => (NonBreaking, Warning),
        };
        Some(if request { in_request } else { in_response })
    }

    fn description(self, place: Place) -> String {
        use SchemaChange::*;
        let what = place.what();
        let text = match self {
            BecameNullable => format!("{what} may now be null."),
            BecameNotNullable => format!("{what} may no longer be null."),
            TypeChanged => format!("The type or format of {what} changed."),
            TypeGeneralized => {
                format!("The type of {what} was widened (every old value is still valid).")
            }
            TypeSpecialized => {
                format!("The type of {what} was narrowed (every new value was valid before).")
            }
            OneOfAdded => format!("`oneOf` of {what} gained a variant."),
            OneOfRemoved => format!("`oneOf` of {what} lost a variant."),
            AnyOfAdded => format!("`anyOf` of {what} gained a variant."),
            AnyOfRemoved => format!("`anyOf` of {what} lost a variant."),
            AllOfAdded => format!("`allOf` of {what} gained a part."),
            AllOfRemoved => format!("`allOf` of {what} lost a part."),
            DiscriminatorAdded => format!("{what} gained a discriminator."),
            DiscriminatorRemoved => format!("{what} lost its discriminator."),
            DiscriminatorPropertyNameChanged => {
                format!("The discriminator of {what} reads another property.")
            }
            DiscriminatorMappingAdded => {
                format!("The discriminator mapping of {what} gained a value.")
            }
            DiscriminatorMappingRemoved => {
                format!("The discriminator mapping of {what} lost a value.")
            }
            DiscriminatorMappingChanged => {
                format!("A discriminator value of {what} maps to another schema.")
            }
            ConstChanged => format!("The one allowed value of {what} changed."),
            BecameEnum => format!("{what} became restricted to a list of values."),
            EnumRemoved => format!("{what} is no longer restricted to a list of values."),
            EnumValueAdded => format!("{what} allows a new value."),
            EnumValueRemoved => format!("{what} no longer allows a value."),
            ExtensibleEnumValueAdded => {
                format!("The `x-extensible-enum` of {what} gained a value.")
            }
            ExtensibleEnumValueRemoved => {
                format!("The `x-extensible-enum` of {what} lost a value.")
            }
            DefaultValueChanged => format!("The default of {what} changed."),
            DefaultValueAdded => format!("{what} gained a default."),
            DefaultValueRemoved => format!("{what} lost its default."),
            Bound(bound, change) => format!(
                "The {} bound of {what} was {}.",
                bound.name(),
                match change {
                    BoundChange::Set => "set",
                    BoundChange::Removed => "removed",
                    BoundChange::Increased => "increased",
                    BoundChange::Decreased => "decreased",
                }
            ),
            PatternAdded => format!("{what} must now match a pattern."),
            PatternRemoved => format!("{what} no longer has a pattern."),
            PatternChanged => format!("The pattern of {what} changed."),
        };
        let mut characters = text.chars();
        match characters.next() {
            Some(first) => first.to_uppercase().collect::<String>() + characters.as_str(),
            None => text,
        }
    }
}

/// A rule as a check names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleRef {
    /// A rule with one id.
    Fixed(Fixed),
    /// A schema change at a place.
    Schema(Place, SchemaChange),
}

impl From<Fixed> for RuleRef {
    fn from(rule: Fixed) -> Self {
        RuleRef::Fixed(rule)
    }
}

struct Catalogue {
    rules: Vec<Rule>,
    by_ref: HashMap<RuleRef, usize>,
    by_id: HashMap<String, usize>,
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| {
    let mut rules = Vec::new();
    let mut by_ref = HashMap::new();
    for fixed in Fixed::ALL {
        by_ref.insert(RuleRef::Fixed(*fixed), rules.len());
        rules.push(fixed.rule());
    }
    for place in Place::ALL {
        for change in SchemaChange::all() {
            let Some(level) = change.level(place.direction()) else {
                continue;
            };
            by_ref.insert(RuleRef::Schema(place, change), rules.len());
            rules.push(Rule {
                id: format!("{}-{}", place.prefix(), change.suffix()),
                level,
                family: Family::Schemas,
                direction: place.direction(),
                description: change.description(place),
            });
        }
    }
    let by_id = rules
        .iter()
        .enumerate()
        .map(|(index, rule)| (rule.id.clone(), index))
        .collect();
    Catalogue {
        rules,
        by_ref,
        by_id,
    }
});

/// Every rule, fixed rules first, then schema rules by place.
pub fn catalogue() -> &'static [Rule] {
    &CATALOGUE.rules
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    CATALOGUE
        .by_id
        .get(id)
        .map(|index| &CATALOGUE.rules[*index])
}

/// The catalogue's rule for a reference, or `None` for a schema change that is not reported at
/// that place (a constraint in a response).
pub fn lookup(rule: RuleRef) -> Option<&'static Rule> {
    CATALOGUE
        .by_ref
        .get(&rule)
        .map(|index| &CATALOGUE.rules[*index])
}

/// `RULES.md`: the catalogue as a document, by family.
pub fn markdown() -> String {
    let mut output = String::from(
        "<!-- Generated by `UPDATE_RULES=1 cargo test -p sdkgen-differ --test catalogue` from crates/differ/src/rules.rs; do not edit by hand. -->\n\n# Rules of the breaking-change differ\n\nEvery finding of `sdkgen-differ` names one of these rules. Levels are the provider's policy; a team's config file can raise or lower a rule's level, and an ignore file can accept a finding on one operation.\n",
    );
    for family in Family::ALL {
        let rules: Vec<&Rule> = catalogue()
            .iter()
            .filter(|rule| rule.family == family)
            .collect();
        output.push_str(&format!(
            "\n## {} ({} rules)\n\n| Id | Level | Direction | Description |\n|---|---|---|---|\n",
            family.as_str(),
            rules.len()
        ));
        for rule in rules {
            output.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                rule.id,
                rule.level.as_str(),
                rule.direction.as_str(),
                rule.description.replace('|', "\\|")
            ));
        }
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_found() {
        let rules = catalogue();
        assert_eq!(CATALOGUE.by_id.len(), rules.len(), "duplicate ids");
        for rule in rules {
            assert_eq!(find(&rule.id).map(|found| &found.id), Some(&rule.id));
        }
        assert!(find("no-such-rule").is_none());
    }

    #[test]
    fn schema_rules_take_their_prefix_and_side_from_the_place() {
        let rule = lookup(RuleRef::Schema(
            Place::ResponseProperty,
            SchemaChange::EnumValueAdded,
        ))
        .map(|rule| (rule.id.as_str(), rule.level));
        assert_eq!(
            rule,
            Some(("response-property-enum-value-added", Level::Warning))
        );
        let rule = lookup(RuleRef::Schema(
            Place::RequestParameter,
            SchemaChange::Bound(Bound::MaxLength, BoundChange::Decreased),
        ))
        .map(|rule| (rule.id.as_str(), rule.level));
        assert_eq!(
            rule,
            Some(("request-parameter-max-length-decreased", Level::Breaking))
        );
        assert!(
            lookup(RuleRef::Schema(
                Place::ResponseBody,
                SchemaChange::TypeGeneralized
            ))
            .is_none(),
            "a response is never generalized"
        );
        let widened = lookup(RuleRef::Schema(
            Place::ResponseProperty,
            SchemaChange::Bound(Bound::MaxLength, BoundChange::Increased),
        ))
        .map(|rule| rule.level);
        assert_eq!(widened, Some(Level::Warning));
        assert_eq!(
            lookup(Fixed::EndpointAdded.into()).map(|rule| rule.id.as_str()),
            Some("endpoint-added")
        );
    }

    #[test]
    fn the_markdown_lists_every_rule_under_its_family() {
        let text = markdown();
        for rule in catalogue() {
            assert!(text.contains(&format!("| `{}` |", rule.id)), "{}", rule.id);
        }
        assert!(text.contains("## security ("));
    }
}
