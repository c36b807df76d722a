//! Narrow exceptions to `ownership`, from mynatca.toml: `[ownership.pay] allow =
//! ["grant on public.members"]` lets pay do exactly that in a schema it does not own.
//!
//! A grant is worded as the finding it allows (`pay may not grant on table
//! public.members`): the words after `may not`, the kind of object optional
//! (`grant on public.members`), `*` for any name in a schema (`insert into audit.*`).

use std::collections::HashMap;

use super::{Touch, Verb};

#[derive(Debug, Clone, Default)]
pub(crate) struct Grants {
    by_project: HashMap<String, Vec<String>>,
}

impl Grants {
    /// Lets `project` do `grant`; why `grant` is not one otherwise.
    pub(crate) fn add(&mut self, project: &str, grant: &str) -> Result<(), String> {
        let grant = grant.split_whitespace().collect::<Vec<_>>().join(" ");
        let worded = Verb::ALL.iter().any(|verb| {
            grant.strip_prefix(verb.word()).and_then(|rest| rest.strip_prefix(' ')).is_some_and(|rest| !rest.is_empty())
        });
        if !worded {
            let mut verbs: Vec<&str> = Vec::new();
            for word in Verb::ALL.iter().map(|verb| verb.word()) {
                if !verbs.contains(&word) {
                    verbs.push(word);
                }
            }
            return Err(format!(
                "{grant:?} is not worded as a finding: the words after `may not`, starting with one of {}",
                verbs.join(", ")
            ));
        }
        // Findings always name a schema: an unqualified name, or `*` for the schema,
        // would silently allow nothing.
        let target = grant.rsplit(' ').next().unwrap_or_default();
        let qualified = target.split_once('.').is_some_and(|(schema, name)| {
            !schema.is_empty() && schema != "*" && !name.is_empty() && !name.contains('.')
        });
        if !qualified {
            return Err(format!(
                "{grant:?} names {target:?}: name the object with its schema, as findings do (`public.members`, or `public.*` for any in it)"
            ));
        }
        self.by_project.entry(project.to_string()).or_default().push(grant);
        Ok(())
    }

    /// Whether `project` may make `touch` although it does not own its schema.
    pub(crate) fn allows(&self, project: &str, touch: &Touch) -> bool {
        let Some(grants) = self.by_project.get(project) else { return false };
        let forms = forms(touch);
        grants.iter().any(|grant| forms.contains(grant))
    }
}

/// The ways a grant may word `touch`: as the finding does, without the object's kind,
/// and both with `*` for the name.
fn forms(touch: &Touch) -> Vec<String> {
    let mut forms = vec![touch.to_string()];
    let Some(name) = &touch.name else { return forms };
    let any = Touch { name: Some("*".to_string()), ..touch.clone() };
    forms.push(any.to_string());
    if touch.kind != super::ObjectKind::Extension {
        forms.push(format!("{} {}.{name}", touch.verb.word(), touch.schema));
        forms.push(format!("{} {}.*", touch.verb.word(), touch.schema));
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::super::{ObjectKind, Part};
    use super::*;

    fn touch(verb: Verb, kind: ObjectKind, schema: &str, name: Option<&str>) -> Touch {
        Touch { verb, kind, schema: schema.to_string(), name: name.map(str::to_string) }
    }

    #[test]
    fn a_grant_names_its_object_with_the_schema() {
        let mut grants = Grants::default();
        for grant in ["insert into members", "delete from *.*", "grant on public."] {
            let err = grants.add("pay", grant).unwrap_err();
            assert!(err.contains("name the object with its schema"), "{grant}: {err}");
        }
        assert!(grants.add("pay", "delete from public.*").is_ok());
    }

    #[test]
    fn a_grant_is_worded_as_the_finding_it_allows() {
        let mut grants = Grants::default();
        for grant in ["grant on public.members", "create a trigger  on public.members", "insert into audit.*"] {
            grants.add("pay", grant).unwrap();
        }
        let grant_on = touch(Verb::GrantOn, ObjectKind::Table, "public", Some("members"));
        assert!(grants.allows("pay", &grant_on));
        assert!(!grants.allows("discord", &grant_on));
        assert!(!grants.allows("pay", &touch(Verb::RevokeOn, ObjectKind::Table, "public", Some("members"))));
        assert!(
            grants.allows("pay", &touch(Verb::Create, ObjectKind::PartOf(Part::Trigger), "public", Some("members")))
        );
        assert!(
            !grants.allows("pay", &touch(Verb::Create, ObjectKind::PartOf(Part::Policy), "public", Some("members")))
        );
        assert!(grants.allows("pay", &touch(Verb::Insert, ObjectKind::Table, "audit", Some("log"))));
        assert!(!grants.allows("pay", &touch(Verb::Insert, ObjectKind::Table, "public", Some("log"))));
        let err = grants.add("pay", "write public.members").unwrap_err();
        assert!(err.starts_with("\"write public.members\" is not worded as a finding"), "{err}");
        assert!(grants.add("pay", "insert into").is_err());
    }
}
