//! Security: schemes added, removed or changed, and requirements (document-wide and per
//! operation). Any change to the authentication mechanism is breaking under the provider's
//! policy, where oasdiff reports most of these as information.

use std::collections::{BTreeMap, BTreeSet};

use sdkgen_model::{SecurityRequirement, SecurityScheme};

use super::Differ;
use crate::rules::Fixed;

/// The rules of one level of requirements: document-wide or an operation's.
struct RequirementRules {
    added: Fixed,
    removed: Fixed,
    scope_added: Fixed,
    scope_removed: Fixed,
    became_required: Fixed,
}

const GLOBAL: RequirementRules = RequirementRules {
    added: Fixed::GlobalSecurityAdded,
    removed: Fixed::GlobalSecurityRemoved,
    scope_added: Fixed::GlobalSecurityScopeAdded,
    scope_removed: Fixed::GlobalSecurityScopeRemoved,
    became_required: Fixed::GlobalSecurityBecameRequired,
};

const OPERATION: RequirementRules = RequirementRules {
    added: Fixed::SecurityAdded,
    removed: Fixed::SecurityRemoved,
    scope_added: Fixed::SecurityScopeAdded,
    scope_removed: Fixed::SecurityScopeRemoved,
    became_required: Fixed::SecurityBecameRequired,
};

impl Differ<'_> {
    pub(super) fn security(&mut self) {
        let (old, new) = (self.old, self.new);
        self.requirements(None, false, &old.security, &new.security);
        for (name, old_scheme) in &old.security_schemes {
            let location = format!("components.securitySchemes.{name}");
            match new.security_schemes.get(name) {
                None => self.push(
                    Fixed::SecurityComponentRemoved,
                    None,
                    location,
                    format!("the security scheme `{name}` was removed"),
                ),
                Some(new_scheme) => self.scheme(name, old_scheme, new_scheme),
            }
        }
        for name in new.security_schemes.keys() {
            if !old.security_schemes.contains_key(name) {
                self.push(
                    Fixed::SecurityComponentAdded,
                    None,
                    format!("components.securitySchemes.{name}"),
                    format!("a new security scheme `{name}`"),
                );
            }
        }
    }

    fn scheme(&mut self, name: &str, old: &SecurityScheme, new: &SecurityScheme) {
        let location = format!("components.securitySchemes.{name}");
        if old.type_name() != new.type_name() {
            self.push(
                Fixed::SecurityComponentTypeChanged,
                None,
                location,
                format!(
                    "`{name}` changed from {} to {}",
                    old.type_name(),
                    new.type_name()
                ),
            );
            return;
        }
        let changed = |differ: &mut Self, rule: Fixed, message: String| {
            differ.push(rule, None, location.clone(), message)
        };
        match (old, new) {
            (
                SecurityScheme::Http {
                    scheme: old_scheme,
                    bearer_format: old_format,
                    ..
                },
                SecurityScheme::Http {
                    scheme: new_scheme,
                    bearer_format: new_format,
                    ..
                },
            ) => {
                if old_scheme != new_scheme {
                    changed(
                        self,
                        Fixed::SecurityHttpSchemeChanged,
                        format!("`{name}` changed from {old_scheme} to {new_scheme}"),
                    );
                }
                if old_format != new_format {
                    changed(
                        self,
                        Fixed::SecurityBearerFormatChanged,
                        format!("the bearer format of `{name}` changed"),
                    );
                }
            }
            (
                SecurityScheme::ApiKey {
                    name: old_key,
                    location: old_in,
                    ..
                },
                SecurityScheme::ApiKey {
                    name: new_key,
                    location: new_in,
                    ..
                },
            ) => {
                if old_key != new_key {
                    changed(
                        self,
                        Fixed::SecurityApiKeyNameChanged,
                        format!("the key of `{name}` moved from `{old_key}` to `{new_key}`"),
                    );
                }
                if old_in != new_in {
                    changed(
                        self,
                        Fixed::SecurityApiKeyLocationChanged,
                        format!("the key of `{name}` moved from the {old_in} to the {new_in}"),
                    );
                }
            }
            (
                SecurityScheme::OAuth2 {
                    flows: old_flows, ..
                },
                SecurityScheme::OAuth2 {
                    flows: new_flows, ..
                },
            ) => {
                for (flow, old_flow) in old_flows {
                    match new_flows.get(flow) {
                        None => changed(
                            self,
                            Fixed::SecurityOauthFlowRemoved,
                            format!("the {flow} flow of `{name}` was removed"),
                        ),
                        Some(new_flow) => {
                            if old_flow.token_url != new_flow.token_url {
                                changed(
                                    self,
                                    Fixed::SecurityOauthTokenUrlChanged,
                                    format!("the token URL of `{name}` changed"),
                                );
                            }
                            if old_flow.authorization_url != new_flow.authorization_url {
                                changed(
                                    self,
                                    Fixed::SecurityOauthUrlChanged,
                                    format!("the authorization URL of `{name}` changed"),
                                );
                            }
                            for scope in old_flow
                                .scopes
                                .keys()
                                .filter(|scope| !new_flow.scopes.contains_key(*scope))
                            {
                                changed(
                                    self,
                                    Fixed::SecurityOauthScopeRemoved,
                                    format!("the scope `{scope}` of `{name}` was removed"),
                                );
                            }
                            for scope in new_flow
                                .scopes
                                .keys()
                                .filter(|scope| !old_flow.scopes.contains_key(*scope))
                            {
                                changed(
                                    self,
                                    Fixed::SecurityOauthScopeAdded,
                                    format!("the scope `{scope}` was added to `{name}`"),
                                );
                            }
                        }
                    }
                }
            }
            (
                SecurityScheme::OpenIdConnect { url: old_url, .. },
                SecurityScheme::OpenIdConnect { url: new_url, .. },
            ) if old_url != new_url => {
                changed(
                    self,
                    Fixed::SecurityOpenIdUrlChanged,
                    format!("the OpenID Connect URL of `{name}` changed"),
                );
            }
            _ => {}
        }
    }

    /// Security requirements of the document (`operation` is `None`) or of an operation.
    pub(super) fn requirements(
        &mut self,
        operation: Option<&str>,
        operation_level: bool,
        old: &[SecurityRequirement],
        new: &[SecurityRequirement],
    ) {
        let rules = if operation_level { &OPERATION } else { &GLOBAL };
        let location = "security";
        let schemes = |requirements: &[SecurityRequirement]| -> BTreeMap<String, BTreeSet<String>> {
            let mut schemes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for requirement in requirements {
                for (scheme, scopes) in requirement {
                    schemes
                        .entry(scheme.clone())
                        .or_default()
                        .extend(scopes.iter().cloned());
                }
            }
            schemes
        };
        let old_schemes = schemes(old);
        let new_schemes = schemes(new);
        for (scheme, old_scopes) in &old_schemes {
            match new_schemes.get(scheme) {
                None => self.push(
                    rules.removed,
                    operation,
                    location,
                    format!("the security requirement `{scheme}` was removed"),
                ),
                Some(new_scopes) => {
                    for scope in old_scopes.difference(new_scopes) {
                        self.push(
                            rules.scope_removed,
                            operation,
                            location,
                            format!("the scope `{scope}` of `{scheme}` is no longer required"),
                        );
                    }
                    for scope in new_scopes.difference(old_scopes) {
                        self.push(
                            rules.scope_added,
                            operation,
                            location,
                            format!("the scope `{scope}` of `{scheme}` is now required"),
                        );
                    }
                }
            }
        }
        for scheme in new_schemes.keys() {
            if !old_schemes.contains_key(scheme) {
                self.push(
                    rules.added,
                    operation,
                    location,
                    format!("the security requirement `{scheme}` was added"),
                );
            }
        }
        let optional = |requirements: &[SecurityRequirement]| {
            requirements
                .iter()
                .any(|requirement| requirement.is_empty())
        };
        if optional(old) && !optional(new) && !old.is_empty() {
            self.push(
                rules.became_required,
                operation,
                location,
                "authentication is now required",
            );
        }
    }
}
