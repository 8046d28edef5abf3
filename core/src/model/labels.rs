//! The label sets a project annotates with: entity types and the check-worthiness scale.
//!
//! Defaults: the OntoNotes entity names spaCy uses, and the ClaimBuster scale (CFS check-worthy
//! factual, UFS unimportant factual, NFS non-factual). Both are configurable; a valid set has
//! from one to [`MAX_LABELS`] labels, no duplicates, and labels of 1–40 visible characters
//! without spaces.

use serde::{Deserialize, Serialize};

pub const DEFAULT_ENTITY_LABELS: [&str; 8] = [
    "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE",
];
pub const DEFAULT_CHECKWORTHINESS: [&str; 3] = ["CFS", "UFS", "NFS"];

/// The most labels a set may hold. Every type is a button of the tag menu, a line of the legend
/// and an option of every type list, so a set far larger is not one a person can annotate
/// with; a file that brings more (one made to, with a new type on every span) is refused with
/// this number rather than drawn for minutes.
pub const MAX_LABELS: usize = 1_000;

/// What each default label means, for tooltips and the legend.
pub fn describe(label: &str) -> Option<&'static str> {
    Some(match label {
        "PERSON" => "People, including fictional",
        "ORG" => "Companies, agencies, institutions, armed groups",
        "GPE" => "Countries, cities, states",
        "LOC" => "Non-GPE locations: regions, mountains, bodies of water",
        "FAC" => "Buildings, airports, highways, bridges, prisons",
        "NORP" => "Nationalities, religious or political groups",
        "EVENT" => "Named wars, battles, events",
        "DATE" => "Absolute or relative dates or periods",
        "CFS" => "Check-worthy factual statement",
        "UFS" => "Unimportant factual statement",
        "NFS" => "Non-factual statement",
        _ => return None,
    })
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Labels {
    pub entity: Vec<String>,
    pub checkworthiness: Vec<String>,
}

impl Default for Labels {
    fn default() -> Self {
        Labels {
            entity: DEFAULT_ENTITY_LABELS.map(String::from).to_vec(),
            checkworthiness: DEFAULT_CHECKWORTHINESS.map(String::from).to_vec(),
        }
    }
}

/// Both label sets for lookups in O(1): what checks every annotation of a file against them.
pub struct LabelIndex<'a> {
    entity: std::collections::HashSet<&'a str>,
    checkworthiness: std::collections::HashSet<&'a str>,
}

impl LabelIndex<'_> {
    pub fn has_entity(&self, label: &str) -> bool {
        self.entity.contains(label)
    }
    pub fn has_checkworthiness(&self, value: &str) -> bool {
        self.checkworthiness.contains(value)
    }
}

impl Labels {
    /// The labels of a merge: these, then those of `other` that are new, in their order (for
    /// merging a file's annotations into the open document).
    pub fn merged_with(&self, other: &Labels) -> Labels {
        fn merge(here: &[String], there: &[String]) -> Vec<String> {
            let mut seen: std::collections::HashSet<&str> =
                here.iter().map(String::as_str).collect();
            let mut out = here.to_vec();
            for l in there {
                if seen.insert(l.as_str()) {
                    out.push(l.clone());
                }
            }
            out
        }
        Labels {
            entity: merge(&self.entity, &other.entity),
            checkworthiness: merge(&self.checkworthiness, &other.checkworthiness),
        }
    }

    /// The sets indexed for lookups.
    pub fn index(&self) -> LabelIndex<'_> {
        LabelIndex {
            entity: self.entity.iter().map(String::as_str).collect(),
            checkworthiness: self.checkworthiness.iter().map(String::as_str).collect(),
        }
    }

    /// Checks both sets; the error names the set and the label at fault.
    pub fn validate(&self) -> Result<(), String> {
        validate_set("entity", &self.entity)?;
        validate_set("check-worthiness", &self.checkworthiness)
    }

    /// Parses a comma- or whitespace-separated list as people type it ("PERSON, ORG GPE").
    pub fn parse_list(s: &str) -> Vec<String> {
        s.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// Checks one label.
pub fn validate_label(label: &str) -> Result<(), String> {
    let n = label.chars().count();
    if n == 0 {
        return Err("a label cannot be empty".into());
    }
    if n > 40 {
        return Err(format!("the label “{label}” is longer than 40 characters"));
    }
    if label.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "the label “{}” contains a space or a control character",
            label.escape_debug()
        ));
    }
    Ok(())
}

fn validate_set(set: &str, labels: &[String]) -> Result<(), String> {
    if labels.is_empty() {
        return Err(format!("the {set} label set is empty"));
    }
    if labels.len() > MAX_LABELS {
        return Err(format!(
            "the {set} label set has {} labels; Marginalia works with at most {MAX_LABELS}",
            labels.len()
        ));
    }
    // A set of those seen: a file may bring hundreds of thousands of labels.
    let mut seen = std::collections::HashSet::with_capacity(labels.len());
    for label in labels {
        validate_label(label).map_err(|e| format!("{set} labels: {e}"))?;
        if !seen.insert(label.as_str()) {
            return Err(format!("{set} labels: “{label}” appears twice"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_merge_keeps_these_then_adds_the_new_ones_in_order() {
        let set = |e: &[&str], c: &[&str]| Labels {
            entity: e.iter().map(|s| s.to_string()).collect(),
            checkworthiness: c.iter().map(|s| s.to_string()).collect(),
        };
        let here = set(&["PERSON", "ORG"], &["low"]);
        let file = set(&["GPE", "ORG", "LAW", "GPE"], &["high", "low"]);
        assert_eq!(
            here.merged_with(&file),
            set(&["PERSON", "ORG", "GPE", "LAW"], &["low", "high"])
        );
        assert_eq!(here.merged_with(&here), here, "nothing new");
    }

    #[test]
    fn defaults_are_valid_and_described() {
        let labels = Labels::default();
        assert_eq!(labels.validate(), Ok(()));
        assert_eq!(labels.entity[0], "PERSON");
        for l in labels.entity.iter().chain(&labels.checkworthiness) {
            assert!(describe(l).is_some(), "{l}");
        }
    }

    #[test]
    fn bad_sets_are_named() {
        let cases: &[(&[&str], &str)] = &[
            (&[], "entity label set is empty"),
            (
                &["X"; MAX_LABELS + 1],
                "has 1001 labels; Marginalia works with at most 1000",
            ),
            (&["ORG", "ORG"], "“ORG” appears twice"),
            (&["ORG", ""], "cannot be empty"),
            (&["TWO WORDS"], "contains a space"),
            (&["A\u{7}"], "control character"),
            (&["X".repeat(41).leak()], "longer than 40"),
        ];
        for (entity, expected) in cases {
            let labels = Labels {
                entity: entity.iter().map(|s| s.to_string()).collect(),
                ..Labels::default()
            };
            let err = labels.validate().unwrap_err();
            assert!(err.contains(expected), "{err} should say {expected}");
        }
    }

    #[test]
    fn lists_parse_as_typed() {
        assert_eq!(
            Labels::parse_list(" PERSON, ORG\tGPE,,WEAPON "),
            ["PERSON", "ORG", "GPE", "WEAPON"]
        );
    }
}
