//! Label Studio tasks JSON: export and import.
//!
//! A file is a JSON list of Label Studio tasks; Marginalia writes one task for its one
//! document, and [`labeling_config`] gives the project configuration that reads it
//! ([`labeling_config_for`] declares the open schema's relation types and attributes too):
//!
//! ```text
//! [{ "id": 1,
//!    "data": { "text": "…", "document_id": "damascus-2024-12-08", "title": "…", "annotator": "…" },
//!    "annotations": [{ "id": 1, "result": [
//!      { "id": "e1", "from_name": "label", "to_name": "text", "type": "labels",
//!        "value": { "start": 32, "end": 52, "text": "Hayat Tahrir al-Sham", "labels": ["ORG"] } },
//!      { "id": "q3", "from_name": "direct", "to_name": "text", "type": "choices",
//!        "value": { "start": 456, "end": 674, "choices": ["direct"] } },
//!      { "from_id": "q3", "to_id": "e2", "type": "relation", "direction": "right", "labels": ["SPEAKER"] } … ],
//!      "was_cancelled": false, "ground_truth": false, "created_at": "…", "updated_at": "…" }] }]
//! ```
//!
//! - Every annotation is a `labels` region of the `label` control: entities by their label,
//!   quotes as `QUOTE`, claims as `CLAIM`. The region id is the annotation id.
//! - A linked speaker or claimant is a `relation` from the quote or claim to the entity,
//!   labelled `SPEAKER` or `CLAIMANT`.
//! - A quote's cue is a region of its own, of the `cue` control with the label `CUE` (id
//!   `<quote id>-cue`), and a `CUE` relation from the quote to it.
//! - The rest travels as per-region results (`perRegion` controls, same id as the region):
//!   `direct` (choices `direct`/`indirect`, every quote), `checkworthiness` (choices, claims
//!   that have one), `speaker`/`claimant` (text areas: a name not in the text), `note` (text
//!   area, annotations that have one).
//! - The document's id, title and the annotator are in `data` (Label Studio keeps task data
//!   as it is; `completed_by` is left out because Label Studio refuses an e-mail it does not
//!   know). The annotation's `created_at` is the earliest creation time, `updated_at` the latest
//!   change. A document without annotations has no annotation (`"annotations": []`).
//! - The open schema's attributes of an annotation are per-region results named by the
//!   attribute: a flag as `choices` holding the attribute's own name (a checkbox), a value as
//!   a `textarea` of one text, or as `choices` of one value where a text area of that name is
//!   one of Marginalia's fields on that kind (`speaker` on a quote, `claimant` on a claim,
//!   `note` on any). A flag named like Marginalia's choices on that kind (`direct` on a quote,
//!   `checkworthiness` on a claim) is not written: it would read back as them.
//! - The open schema's relations are `relation` results from the annotation that holds them
//!   to their target, labelled with their type; `"direction": "bi"` when the relation has the
//!   attribute `direction` = `bi` (what an imported `bi` relation gets); `"labels": []` for
//!   the default type `relation` unless a link of Marginalia's joins those kinds (a quote or
//!   claim and an entity: unlabelled, it would read back as the link).
//! - Results are in annotation order (start, end, id), each region followed by its per-region
//!   results and its cue; Marginalia's links come next, then the open schema's relations (so
//!   that the links read back first). The first result is thus a `label` region,
//!   which matters: label-studio-converter's CONLL2003 export reads the first Labels control
//!   it meets.
//!
//! **Offsets are Unicode code points**, end exclusive, as everywhere in Marginalia: Label
//! Studio's Text tag stores code points, not JavaScript's UTF-16 units. Evidence: the editor's
//! own test `web/libs/editor/tests/integration/e2e/ner/emoji.cy.ts` in HumanSignal/label-studio
//! ("Should calculate offsets by code points in text": in `"🐱 Warning: This is a test text"`
//! the word `test` is `start: 21, end: 25`, which is code points; UTF-16 would be 22..26);
//! the fix that made it so, "Fix offsets in Text with emoji — store code points instead of js
//! length" (HumanSignal/label-studio#1559, which the maintainers say landed through
//! label-studio-frontend#308), after HumanSignal/label-studio#1347 and #1008 reported emoji
//! shifting offsets (#4988 is a later display bug; its exported JSON is right). The consumers
//! agree: label-studio-converter slices Python strings (`text[start:end]` in
//! `create_tokens_and_tags`), which count code points. Files from the Label Studio versions
//! before that fix may hold UTF-16 offsets: the import notices when a region's `text` matches
//! its offsets read as UTF-16 and says so instead of guessing.
//!
//! **Import** reads one task object or a list of tasks ([`import`] the first; a list of
//! several is a corpus, a document a task: `formats::corpus`); of a task, it takes its first
//! annotation that was not cancelled (or, without one, its first prediction). The text is
//! `data.text` (or the task's only text field, said in a note). Every result is read on its
//! own, and everything the model can hold is kept:
//! - a `labels` region is an annotation (`QUOTE`, `CLAIM`, an entity otherwise; `CUE`, or
//!   any label of the `cue` control, is a cue); of several labels, an annotation of each over
//!   the same span (a note says so), the first holding its fields and relations. A region whose `text` disagrees
//!   with the document at its offsets is read at its offsets (what Label Studio shows and
//!   converts by), and a note says so, naming the annotation (and, when the offsets read as
//!   UTF-16 units would fit, that the file comes from a Label Studio that counted UTF-16);
//! - a `relation` of any labels: each label is one relation, from `from_id` to `to_id`
//!   (`"direction": "left"` swaps them; `bi` keeps them, and the relation gets the attribute
//!   `direction` = `bi`). `SPEAKER` between a quote and an entity, `CLAIMANT` between a claim
//!   and an entity, `CUE` between a quote and a cue are Marginalia's links, whatever their
//!   direction, when the quote or claim has none yet; an unlabelled relation between those
//!   kinds is the link too. Any other (a second `SPEAKER`, a `CUE` between entities, …) is a
//!   relation of the open schema of that type, held by its start; unlabelled, of the type
//!   `relation`;
//! - a per-region result (same `id` as a region: `choices`, `textarea`, `number`, `rating`,
//!   `taxonomy`, `datetime`, or any type whose value is under its own name) of the fields
//!   `direct` (quotes), `checkworthiness` (claims), `speaker`/`claimant` (text areas of
//!   quotes/claims) and `note` (text areas) is what those are; any other is an attribute of
//!   the annotation named by `from_name`: a choice that is the field's own name is a flag;
//!   otherwise the value as text (the model has no number type): several choices joined by
//!   `; `, a text area's lines by a line break, a taxonomy's paths by `; ` and each path's
//!   levels by ` / `, numbers and ratings as JSON writes them.
//!
//! What the model cannot hold is a [`Problem`] naming the result (its `index` is the position
//! in `result`, and `total` counts results), listed before the person confirms: a region that
//! cannot be read (offsets, no label, an entity across paragraphs), a non-text result
//! (rectangles, …), a relation to or from a cue other than a quote's `CUE`, to itself, or
//! repeated, a second cue, a field of no region (whole-task choices) or of a cue or of a
//! region not in the file, a field set twice, a type or field name that cannot be a name (a
//! space, more than 40 characters), and a region whose `source` is another field of the task
//! than the text. A `source` naming a field the task does not have is a note. Region ids of
//! Marginalia's own form (`e12` for an entity, `q3`, `c5`) are kept; Label Studio's random
//! ones are replaced by new ids of that form. Labels start from the defaults; any entity
//! label or check-worthiness value the file uses that is not among them is added.
//!
//! **What is lost**: per-annotation creation and change times (one time per file), the label
//! sets' unused labels, entity labels named `QUOTE`, `CLAIM` or `CUE` (they read back as
//! quotes, claims, cues); of the open schema, what Label Studio's text results have no place
//! for: fragments (the region covers the whole stretch), events, normalisations, typed notes,
//! and a relation's roles, note and attributes other than `direction` = `bi`; a flag named
//! `direct` on a quote or `checkworthiness` on a claim. Exported attributes come back as
//! attributes, but a valued choice of Label Studio's is written back as a text area. A
//! `SPEAKER` or `CLAIMANT` relation of the open schema between an entity and a quote or claim
//! without a link reads back as its link.
//!
//! Why one file of ~1,600 lines: Label Studio's task format, read and written, with its labeling
//! configuration; the export and the import must agree result by result (regions, relations, per-
//! region controls), and this documentation is the format's specification. Its tests are in
//! `label_studio_tests.rs`.

use crate::model::sort;
use std::collections::{HashMap, HashSet};

use serde::Serialize;
use serde_json::{Map, Value};

use super::native::{Imported, Problem};
use super::{
    check_document_text, decode_text, json_type, not_json, safe_file_stem, short, Bundle,
    FileError, Growing,
};
use crate::model::annotation::{Extra, Relation, Value as AttrValue};
use crate::model::blanks::Blanks;
use crate::model::labels::validate_label;
use crate::model::{Annotation, Body, Document, Kind, Labels, Party, Span, Timestamp};

/// The Text object tag's name: every result's `to_name`.
pub const TO_NAME: &str = "text";
/// The Labels control of annotations.
pub const LABEL_CONTROL: &str = "label";
/// The Labels control of cues.
pub const CUE_CONTROL: &str = "cue";
pub const QUOTE: &str = "QUOTE";
pub const CLAIM: &str = "CLAIM";
pub const CUE: &str = "CUE";
pub const SPEAKER: &str = "SPEAKER";
pub const CLAIMANT: &str = "CLAIMANT";
/// Per-region controls.
pub const DIRECT_CONTROL: &str = "direct";
pub const CHECKWORTHINESS_CONTROL: &str = "checkworthiness";
pub const SPEAKER_NAME_CONTROL: &str = "speaker";
pub const CLAIMANT_NAME_CONTROL: &str = "claimant";
pub const NOTE_CONTROL: &str = "note";
pub const DIRECT: &str = "direct";
pub const INDIRECT: &str = "indirect";
/// The type of a relation read without a label (unless it is one of Marginalia's links).
pub const DEFAULT_RELATION: &str = "relation";
/// The attribute of a relation read with `"direction": "bi"`, and its value.
pub const DIRECTION_ATTRIBUTE: &str = "direction";
pub const BI: &str = "bi";
/// The result types of Label Studio's per-region controls, read as fields of a region.
const PER_REGION_TYPES: [&str; 6] = [
    "choices", "textarea", "number", "rating", "taxonomy", "datetime",
];
/// Between the choices of a multiple choice, and the paths of a taxonomy, in an attribute's
/// value; and between a taxonomy path's levels.
const CHOICE_SEP: &str = "; ";
const PATH_SEP: &str = " / ";

// ---- export ----

#[derive(Serialize)]
struct TaskOut<'a> {
    id: u64,
    data: DataOut<'a>,
    annotations: Vec<AnnotationOut<'a>>,
}

#[derive(Serialize)]
struct DataOut<'a> {
    text: &'a str,
    document_id: &'a str,
    title: &'a str,
    annotator: &'a str,
}

#[derive(Serialize)]
struct AnnotationOut<'a> {
    id: u64,
    result: Vec<ResultOut<'a>>,
    was_cancelled: bool,
    ground_truth: bool,
    created_at: String,
    updated_at: String,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ResultOut<'a> {
    Region {
        id: String,
        from_name: &'a str,
        to_name: &'static str,
        #[serde(rename = "type")]
        kind: &'static str,
        value: ValueOut<'a>,
    },
    Relation {
        from_id: &'a str,
        to_id: String,
        #[serde(rename = "type")]
        kind: &'static str,
        direction: &'static str,
        labels: Vec<&'a str>,
    },
}

#[derive(Serialize)]
struct ValueOut<'a> {
    start: usize,
    end: usize,
    #[serde(flatten)]
    body: ValueBody<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ValueBody<'a> {
    Labels { text: &'a str, labels: [&'a str; 1] },
    Choices { choices: [&'a str; 1] },
    TextArea { text: [&'a str; 1] },
}

/// How an attribute is written: a flag as the choice of its own name, a value as a text area
/// (or, where a text area of that name is one of Marginalia's fields, as a choice); `None`
/// for a flag named like Marginalia's choices of that kind (`direct` on a quote,
/// `checkworthiness` on a claim), which would read back as them.
fn attribute_out<'a>(
    kind: Kind,
    name: &'a str,
    value: &'a AttrValue,
) -> Option<(&'static str, ValueBody<'a>)> {
    let builtin = |control: &str| is_builtin_field(kind, name, control);
    match value {
        AttrValue::Flag if builtin("choices") => None,
        AttrValue::Flag => Some(("choices", ValueBody::Choices { choices: [name] })),
        AttrValue::Text(t) if builtin("textarea") => {
            Some(("choices", ValueBody::Choices { choices: [t] }))
        }
        AttrValue::Text(t) => Some(("textarea", ValueBody::TextArea { text: [t] })),
    }
}

/// Whether a per-region result `name` of `control` type on an annotation of `kind` is one of
/// Marginalia's own fields.
fn is_builtin_field(kind: Kind, name: &str, control: &str) -> bool {
    matches!(
        (name, control, kind),
        (DIRECT_CONTROL, "choices", Kind::Quote)
            | (CHECKWORTHINESS_CONTROL, "choices", Kind::Claim)
            | (SPEAKER_NAME_CONTROL, "textarea", Kind::Quote)
            | (CLAIMANT_NAME_CONTROL, "textarea", Kind::Claim)
            | (NOTE_CONTROL, "textarea", _)
    )
}

/// Whether Marginalia's links join annotations of these kinds (in either order): a relation
/// between them is written with a label, since one without reads back as the link.
fn link_kinds(a: Kind, b: Kind) -> bool {
    matches!(
        (a, b),
        (Kind::Quote | Kind::Claim, Kind::Entity) | (Kind::Entity, Kind::Quote | Kind::Claim)
    )
}

fn region<'a>(
    id: &str,
    from_name: &'static str,
    kind: &'static str,
    span: Span,
    body: ValueBody<'a>,
) -> ResultOut<'a> {
    ResultOut::Region {
        id: id.to_string(),
        from_name,
        to_name: TO_NAME,
        kind,
        value: ValueOut {
            start: span.start,
            end: span.end,
            body,
        },
    }
}

fn relation<'a>(from_id: &'a str, to_id: &str, label: &'static str) -> ResultOut<'a> {
    ResultOut::Relation {
        from_id,
        to_id: to_id.to_string(),
        kind: "relation",
        direction: "right",
        labels: vec![label],
    }
}

/// The bundle as a Label Studio tasks file: a list of one task.
pub fn export(bundle: &Bundle) -> String {
    export_tasks(std::slice::from_ref(bundle))
}

/// The bundles as a Label Studio tasks file, a task each, numbered from 1 (as are their
/// annotations): what Label Studio exports of a project, and imports.
pub fn export_tasks(bundles: &[Bundle]) -> String {
    let tasks: Vec<TaskOut> = bundles
        .iter()
        .enumerate()
        .map(|(n, b)| task(b, n as u64 + 1))
        .collect();
    let mut out = serde_json::to_string_pretty(&tasks).expect("serialising plain data cannot fail");
    out.push('\n');
    out
}

/// One bundle as task number `n`.
fn task(bundle: &Bundle, n: u64) -> TaskOut<'_> {
    let doc = &bundle.document;
    let mut anns: Vec<&Annotation> = bundle.annotations.iter().collect();
    sort::sort_by(&mut anns, |a, b| a.sort_key().cmp(&b.sort_key()));
    let ids: HashSet<&str> = anns.iter().map(|a| a.id.as_str()).collect();
    let kinds: HashMap<&str, Kind> = anns.iter().map(|a| (a.id.as_str(), a.kind())).collect();
    let mut regions = Vec::new();
    let mut relations = Vec::new();
    for a in &anns {
        let label = match &a.body {
            Body::Entity { label } => label.as_str(),
            Body::Quote { .. } => QUOTE,
            Body::Claim { .. } => CLAIM,
        };
        regions.push(region(
            &a.id,
            LABEL_CONTROL,
            "labels",
            a.span,
            ValueBody::Labels {
                text: doc.slice(a.span),
                labels: [label],
            },
        ));
        let choices = |control, choice| {
            region(
                &a.id,
                control,
                "choices",
                a.span,
                ValueBody::Choices { choices: [choice] },
            )
        };
        let textarea = |control, text| {
            region(
                &a.id,
                control,
                "textarea",
                a.span,
                ValueBody::TextArea { text: [text] },
            )
        };
        match &a.body {
            Body::Entity { .. } => {}
            Body::Quote {
                speaker,
                cue,
                direct,
            } => {
                regions.push(choices(
                    DIRECT_CONTROL,
                    if *direct { DIRECT } else { INDIRECT },
                ));
                match speaker {
                    Some(Party::Ref(id)) => relations.push(relation(&a.id, id, SPEAKER)),
                    Some(Party::Name(name)) => regions.push(textarea(SPEAKER_NAME_CONTROL, name)),
                    None => {}
                }
                if let Some(cue) = cue {
                    let mut cue_id = format!("{}-cue", a.id);
                    while ids.contains(cue_id.as_str()) {
                        cue_id.push_str("-cue");
                    }
                    relations.push(relation(&a.id, &cue_id, CUE));
                    regions.push(region(
                        &cue_id,
                        CUE_CONTROL,
                        "labels",
                        *cue,
                        ValueBody::Labels {
                            text: doc.slice(*cue),
                            labels: [CUE],
                        },
                    ));
                }
            }
            Body::Claim {
                claimant,
                checkworthiness,
            } => {
                if let Some(c) = checkworthiness {
                    regions.push(choices(CHECKWORTHINESS_CONTROL, c));
                }
                match claimant {
                    Some(Party::Ref(id)) => relations.push(relation(&a.id, id, CLAIMANT)),
                    Some(Party::Name(name)) => regions.push(textarea(CLAIMANT_NAME_CONTROL, name)),
                    None => {}
                }
            }
        }
        if !a.note.is_empty() {
            regions.push(textarea(NOTE_CONTROL, &a.note));
        }
        for (name, value) in &a.extra().attributes {
            if let Some((control, body)) = attribute_out(a.kind(), name, value) {
                regions.push(ResultOut::Region {
                    id: a.id.clone(),
                    from_name: name,
                    to_name: TO_NAME,
                    kind: control,
                    value: ValueOut {
                        start: a.span.start,
                        end: a.span.end,
                        body,
                    },
                });
            }
        }
    }
    regions.extend(relations);
    // The open schema's relations after Marginalia's links, so that those read back first.
    for a in &anns {
        for r in &a.extra().relations {
            let Some(&to_kind) = kinds.get(r.target.as_str()) else {
                continue;
            };
            let bi = r
                .attributes
                .iter()
                .any(|(n, v)| n == DIRECTION_ATTRIBUTE && *v == AttrValue::Text(BI.into()));
            let unlabelled = r.kind == DEFAULT_RELATION && !link_kinds(a.kind(), to_kind);
            regions.push(ResultOut::Relation {
                from_id: &a.id,
                to_id: r.target.clone(),
                kind: "relation",
                direction: if bi { BI } else { "right" },
                labels: if unlabelled {
                    Vec::new()
                } else {
                    vec![&r.kind]
                },
            });
        }
    }
    let annotations = if anns.is_empty() {
        Vec::new()
    } else {
        let created = anns.iter().map(|a| a.created).min().unwrap_or_default();
        let updated = anns.iter().map(|a| a.updated).max().unwrap_or_default();
        vec![AnnotationOut {
            id: n,
            result: regions,
            was_cancelled: false,
            ground_truth: false,
            created_at: created.to_rfc3339(),
            updated_at: updated.to_rfc3339(),
        }]
    };
    TaskOut {
        id: n,
        data: DataOut {
            text: doc.text(),
            document_id: &doc.id,
            title: &doc.title,
            annotator: &bundle.annotator,
        },
        annotations,
    }
}

/// The Label Studio labeling configuration for files of this format with these labels: the
/// text, the annotation and cue labels, the relations, and the per-region fields.
pub fn labeling_config(labels: &Labels) -> String {
    labeling_config_for(labels, &[])
}

/// [`labeling_config`], and the open schema's parts these bundles use: a `<Relation>` of each
/// relation type, and a per-region control of each attribute name (a `<TextArea>` for a name
/// written as a text area anywhere, else `<Choices>` of the choices written, flags included).
/// A name of Marginalia's own controls (`note`, …) is not declared twice: its choices stay
/// in the results only.
pub fn labeling_config_for(labels: &Labels, bundles: &[Bundle]) -> String {
    let mut relation_types: Vec<&str> = Vec::new();
    // Attribute name → (written as a text area somewhere, the choices written).
    let mut fields: Vec<(&str, bool, Vec<&str>)> = Vec::new();
    for a in bundles.iter().flat_map(|b| &b.annotations) {
        for r in &a.extra().relations {
            if ![SPEAKER, CLAIMANT, CUE].contains(&r.kind.as_str())
                && !relation_types.contains(&r.kind.as_str())
            {
                relation_types.push(&r.kind);
            }
        }
        for (name, value) in &a.extra().attributes {
            let Some((control, body)) = attribute_out(a.kind(), name, value) else {
                continue;
            };
            let at = match fields.iter().position(|f| f.0 == name) {
                Some(at) => at,
                None => {
                    fields.push((name, false, Vec::new()));
                    fields.len() - 1
                }
            };
            match body {
                ValueBody::Choices { choices: [c] } if control == "choices" => {
                    if !fields[at].2.contains(&c) {
                        fields[at].2.push(c);
                    }
                }
                _ => fields[at].1 = true,
            }
        }
    }
    sort::sort_by(&mut relation_types, |a, b| a.cmp(b));
    sort::sort_by(&mut fields, |a, b| a.0.cmp(b.0));
    let mut x = String::from("<View>\n");
    x.push_str("  <Labels name=\"label\" toName=\"text\">\n");
    for l in &labels.entity {
        x.push_str(&format!("    <Label value=\"{}\"/>\n", xml_escape(l)));
    }
    x.push_str("    <Label value=\"QUOTE\" background=\"#2f6fb0\"/>\n");
    x.push_str("    <Label value=\"CLAIM\" background=\"#b0612f\"/>\n");
    x.push_str("  </Labels>\n");
    x.push_str("  <Labels name=\"cue\" toName=\"text\">\n");
    x.push_str("    <Label value=\"CUE\" background=\"#888888\"/>\n");
    x.push_str("  </Labels>\n");
    x.push_str("  <Style>.htx-text { white-space: pre-wrap; }</Style>\n");
    x.push_str("  <Text name=\"text\" value=\"$text\"/>\n");
    x.push_str("  <Relations>\n");
    for r in [SPEAKER, CLAIMANT, CUE] {
        x.push_str(&format!("    <Relation value=\"{r}\"/>\n"));
    }
    for r in &relation_types {
        x.push_str(&format!("    <Relation value=\"{}\"/>\n", xml_escape(r)));
    }
    x.push_str("  </Relations>\n");
    x.push_str(
        "  <Choices name=\"direct\" toName=\"text\" perRegion=\"true\" whenLabelValue=\"QUOTE\" choice=\"single\">\n",
    );
    x.push_str("    <Choice value=\"direct\"/>\n    <Choice value=\"indirect\"/>\n");
    x.push_str("  </Choices>\n");
    x.push_str(
        "  <Choices name=\"checkworthiness\" toName=\"text\" perRegion=\"true\" whenLabelValue=\"CLAIM\" choice=\"single\">\n",
    );
    for c in &labels.checkworthiness {
        x.push_str(&format!("    <Choice value=\"{}\"/>\n", xml_escape(c)));
    }
    x.push_str("  </Choices>\n");
    x.push_str("  <TextArea name=\"speaker\" toName=\"text\" perRegion=\"true\" whenLabelValue=\"QUOTE\" maxSubmissions=\"1\" placeholder=\"Speaker, when not in the text\"/>\n");
    x.push_str("  <TextArea name=\"claimant\" toName=\"text\" perRegion=\"true\" whenLabelValue=\"CLAIM\" maxSubmissions=\"1\" placeholder=\"Claimant, when not in the text\"/>\n");
    x.push_str("  <TextArea name=\"note\" toName=\"text\" perRegion=\"true\" maxSubmissions=\"1\" placeholder=\"Note\"/>\n");
    let own = [
        LABEL_CONTROL,
        CUE_CONTROL,
        TO_NAME,
        DIRECT_CONTROL,
        CHECKWORTHINESS_CONTROL,
        SPEAKER_NAME_CONTROL,
        CLAIMANT_NAME_CONTROL,
        NOTE_CONTROL,
    ];
    for (name, textarea, choices) in fields {
        if own.contains(&name) {
            continue;
        }
        let name = xml_escape(name);
        if textarea {
            x.push_str(&format!("  <TextArea name=\"{name}\" toName=\"text\" perRegion=\"true\" maxSubmissions=\"1\"/>\n"));
        } else {
            x.push_str(&format!("  <Choices name=\"{name}\" toName=\"text\" perRegion=\"true\" choice=\"multiple\">\n"));
            for c in choices {
                x.push_str(&format!("    <Choice value=\"{}\"/>\n", xml_escape(c)));
            }
            x.push_str("  </Choices>\n");
        }
    }
    x.push_str("</View>\n");
    x
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Whether the start of a JSON file looks like Label Studio tasks.
pub fn looks_like(head: &str) -> bool {
    let t = head.trim_start();
    (t.starts_with('[') || t.starts_with('{')) && head.contains("\"data\"")
}

// ---- import ----

use super::shape;

/// Reads a Label Studio tasks file from its bytes; `file_name` names the document when the
/// task does not.
pub fn import_bytes(bytes: &[u8], file_name: &str) -> Result<Imported, FileError> {
    import(decode_text(bytes)?, file_name)
}

/// Reads a Label Studio tasks file.
pub fn import(text: &str, file_name: &str) -> Result<Imported, FileError> {
    let value: Value = serde_json::from_str(text).map_err(|e| not_json(&e))?;
    import_value(&value, file_name)
}

/// Reads a Label Studio task (or the first of a list of tasks) already parsed: what a file of
/// it would give (a list of several is a corpus: `formats::corpus`).
pub(crate) fn import_value(value: &Value, file_name: &str) -> Result<Imported, FileError> {
    let task = match value {
        Value::Array(tasks) => tasks.first().ok_or_else(|| {
            shape("This is an empty list: it holds no Label Studio task to read.")
        })?,
        Value::Object(_) => value,
        other => {
            return Err(shape(format!(
                "This is JSON, but not Label Studio tasks: it is {} where a list of tasks was expected.",
                json_type(other)
            )))
        }
    };
    let Value::Object(task) = task else {
        return Err(shape(format!(
            "The first task is {}, not an object.",
            json_type(task)
        )));
    };
    let data = match task.get("data") {
        Some(Value::Object(d)) => d,
        Some(other) => {
            return Err(shape(format!(
                "The task's \"data\" must be an object, not {}.",
                json_type(other)
            )))
        }
        None => return Err(shape(
            "This is JSON, but not a Label Studio task: it has no \"data\" object with the text.",
        )),
    };
    let (text, text_key) = task_text(data)?;
    check_document_text(&text).map_err(shape)?;
    let mut notes = Vec::new();
    if text_key != "text" {
        notes.push(format!(
            "The task has no data.text: the document is data.{text_key}, its only text field."
        ));
    }

    let data_str = |key: &str| -> Result<Option<String>, FileError> {
        match data.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(shape(format!(
                "data.{key} must be a string, not {}.",
                json_type(other)
            ))),
        }
    };
    let stem = file_stem(file_name);
    let id = match data_str("document_id")? {
        Some(id) => {
            if id.trim().is_empty() || id.chars().count() > 200 || id.chars().any(char::is_control)
            {
                return Err(shape(
                    "data.document_id must be 1–200 characters, without control characters.",
                ));
            }
            id
        }
        None => stem.clone(),
    };
    let title = data_str("title")?.unwrap_or_else(|| stem.clone());
    let document = Document::new(id, title, text);

    let (annotation, annotator) = pick_annotation(task)?;
    let annotator = match data_str("annotator")? {
        Some(a) => a,
        None => annotator,
    };
    let (items, created, updated) = match annotation {
        None => (&[][..], Timestamp::default(), Timestamp::default()),
        Some(a) => {
            let items = match a.get("result") {
                Some(Value::Array(items)) => items.as_slice(),
                None | Some(Value::Null) => &[][..],
                Some(other) => {
                    return Err(shape(format!(
                        "The annotation's \"result\" must be a list, not {}.",
                        json_type(other)
                    )))
                }
            };
            let time = |key: &str| {
                a.get(key)
                    .and_then(Value::as_str)
                    .and_then(Timestamp::parse_rfc3339)
                    .unwrap_or_default()
            };
            let created = time("created_at");
            let updated = match time("updated_at") {
                t if t < created => created,
                t => t,
            };
            (items, created, updated)
        }
    };

    let mut reader = Reader {
        doc: &document,
        blanks: Blanks::new(&document),
        entity_labels: Growing::new(Labels::default().entity),
        ratings: Growing::new(Labels::default().checkworthiness),
        problems: Vec::new(),
        regions: Vec::new(),
        by_file_id: HashMap::new(),
        invalid_ids: HashSet::new(),
        keys: HashMap::new(),
        data,
        text_key: &text_key,
        source_note: None,
        notes: Vec::new(),
    };
    reader.read(items);
    let (annotations, labels, problems, mut found) = reader.finish(created, updated);
    notes.append(&mut found);
    Ok(Imported {
        bundle: Bundle {
            document,
            labels,
            annotator,
            annotations,
            status: Default::default(),
        },
        problems,
        total: items.len(),
        notes,
    })
}

/// The document text: `data.text`, or the task's only string field; and its key.
fn task_text(data: &Map<String, Value>) -> Result<(String, String), FileError> {
    match data.get("text") {
        Some(Value::String(s)) => return Ok((s.clone(), "text".into())),
        Some(other) => {
            return Err(shape(format!(
                "data.text must be a string, not {}.",
                json_type(other)
            )))
        }
        None => {}
    }
    let strings: Vec<&str> = data
        .iter()
        .filter(|(k, v)| {
            v.is_string() && !matches!(k.as_str(), "document_id" | "title" | "annotator")
        })
        .map(|(k, _)| k.as_str())
        .collect();
    match strings.as_slice() {
        [key] => Ok((
            data[*key].as_str().unwrap_or_default().to_string(),
            key.to_string(),
        )),
        _ => {
            let keys: Vec<&str> = data.keys().map(String::as_str).collect();
            Err(shape(format!(
                "The task's data has no \"text\" (it has {}); Marginalia reads the document from data.text.",
                if keys.is_empty() {
                    "no fields".to_string()
                } else {
                    keys.join(", ")
                }
            )))
        }
    }
}

/// The file name without `.label-studio.json` or `.json`, made safe as an id.
pub(crate) fn file_stem(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    let lower = base.to_lowercase();
    let stem = [".label-studio.json", ".json"]
        .iter()
        .find(|ext| lower.ends_with(*ext))
        .map_or(base, |ext| &base[..base.len() - ext.len()]);
    safe_file_stem(stem)
}

/// A JSON object.
type Object = Map<String, Value>;

/// The task's first annotation not cancelled, else its first prediction; and who made it.
fn pick_annotation(task: &Object) -> Result<(Option<&Object>, String), FileError> {
    let list = |key: &str| -> Result<&[Value], FileError> {
        match task.get(key) {
            None | Some(Value::Null) => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(other) => Err(shape(format!(
                "\"{key}\" must be a list, not {}.",
                json_type(other)
            ))),
        }
    };
    let annotations = if task.contains_key("annotations") {
        list("annotations")?
    } else {
        list("completions")?
    };
    let cancelled = |a: &Map<String, Value>| {
        ["was_cancelled", "skipped"]
            .iter()
            .any(|k| a.get(*k) == Some(&Value::Bool(true)))
    };
    for (what, items) in [
        ("annotation", annotations),
        ("prediction", list("predictions")?),
    ] {
        for (i, item) in items.iter().enumerate() {
            let Value::Object(a) = item else {
                return Err(shape(format!(
                    "{} {} of the task is {}, not an object.",
                    capitalise(what),
                    i + 1,
                    json_type(item)
                )));
            };
            if what == "annotation" && cancelled(a) {
                continue;
            }
            let by = match a.get("completed_by") {
                Some(Value::Object(u)) => u
                    .get("email")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => String::new(),
            };
            return Ok((Some(a), by));
        }
    }
    Ok((None, String::new()))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A region read from a `labels` result.
struct Region {
    /// Its position in the result list.
    index: usize,
    file_id: Option<String>,
    span: Span,
    what: What,
    // Filled by per-region results and relations:
    party: Option<PartyAt>,
    cue: Option<usize>,
    direct: Option<bool>,
    checkworthiness: Option<String>,
    note: Option<String>,
    /// Attributes from per-region results of other fields, by name.
    attributes: Vec<(String, AttrValue)>,
    /// Relations of the open schema it holds: (target region, type, bidirectional).
    relations: Vec<(usize, String, bool)>,
    /// Its `text` disagrees with the document at its offsets: what it says, and whether read
    /// as UTF-16 units the offsets would fit.
    mismatch: Option<(String, bool)>,
    /// A cue: whether a quote links to it.
    used: bool,
}

#[derive(Clone, PartialEq)]
enum What {
    Annotation(Kind, Option<String>),
    Cue,
}

enum PartyAt {
    Region(usize),
    Name(String),
}

struct Reader<'a> {
    doc: &'a Document,
    blanks: Blanks<'a>,
    /// The label sets: the defaults, then each label the file uses, in order of first use.
    entity_labels: Growing,
    ratings: Growing,
    problems: Vec<Problem>,
    regions: Vec<Region>,
    /// Valid regions by their id in the file.
    by_file_id: HashMap<String, usize>,
    /// Ids of regions that could not be read.
    invalid_ids: HashSet<String>,
    keys: HashMap<(Kind, Option<String>, Span), usize>,
    /// The task's data, and the key of the text read.
    data: &'a Object,
    text_key: &'a str,
    /// The first result whose `source` names a data field the task does not have.
    source_note: Option<String>,
    /// Notes on regions of several labels.
    notes: Vec<String>,
}

impl Reader<'_> {
    fn problem(&mut self, index: usize, item: &Value, message: impl Into<String>) {
        self.problems.push(Problem {
            index,
            id: item.get("id").and_then(Value::as_str).map(str::to_string),
            message: message.into(),
        });
    }

    fn read(&mut self, items: &[Value]) {
        // Regions first, so that relations and per-region fields can refer to later ones.
        let mut rest = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let Value::Object(o) = item else {
                self.problem(
                    index,
                    item,
                    format!("is {}, not an object", json_type(item)),
                );
                continue;
            };
            let kind = o
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_lowercase();
            if let Some(key) = o
                .get("source")
                .and_then(Value::as_str)
                .and_then(|s| s.strip_prefix('$'))
                .filter(|key| *key != self.text_key)
            {
                if self.data.contains_key(key) {
                    let message = format!(
                        "its source is ${}, another field of the task than the text Marginalia reads (data.{})",
                        short(key, 40),
                        self.text_key
                    );
                    if let Some(id) = o.get("id").and_then(Value::as_str) {
                        self.invalid_ids.insert(id.to_string());
                    }
                    self.problem(index, item, message);
                    continue;
                }
                if self.source_note.is_none() {
                    self.source_note = Some(format!(
                        "Result {} says its text is data.{} (\"source\": \"${}\"), which the task does not have; it is read against data.{}.",
                        index + 1,
                        short(key, 40),
                        short(key, 40),
                        self.text_key
                    ));
                }
            }
            match kind.as_str() {
                "labels" => match self.read_region(index, o) {
                    Ok(regions) => {
                        for region in regions {
                            let first = region.file_id.is_some();
                            if !self.add_region(item, region) && first {
                                break;
                            }
                        }
                    }
                    Err(message) => {
                        if let Some(id) = o.get("id").and_then(Value::as_str) {
                            self.invalid_ids.insert(id.to_string());
                        }
                        self.problem(index, item, message);
                    }
                },
                "" => self.problem(index, item, "it has no \"type\""),
                _ => rest.push((index, item, kind)),
            }
        }
        for (index, item, kind) in rest {
            if kind == "relation" {
                for message in self.read_relation(item) {
                    self.problem(index, item, message);
                }
                continue;
            }
            // A field of a region: one of the controls Label Studio gives regions, or any
            // result that shares a region's id and has its value under its type's name.
            let of_region = item.get("id").and_then(Value::as_str).is_some_and(|id| {
                self.by_file_id.contains_key(id) || self.invalid_ids.contains(id)
            }) && item
                .get("value")
                .and_then(|v| v.get(value_key(&kind)))
                .is_some();
            if PER_REGION_TYPES.contains(&kind.as_str()) || of_region {
                if let Err(message) = self.read_per_region(item, &kind) {
                    self.problem(index, item, message);
                }
            } else {
                self.problem(
                    index,
                    item,
                    format!(
                        "it is a “{}” result; Marginalia reads text spans (\"labels\"), relations and fields of spans",
                        short(&kind, 40)
                    ),
                );
            }
        }
    }

    fn read_region(&mut self, index: usize, o: &Map<String, Value>) -> Result<Vec<Region>, String> {
        let file_id = match o.get("id") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(format!("its id must be a string, not {}", json_type(other)))
            }
        };
        let value = match o.get("value") {
            Some(Value::Object(v)) => v,
            _ => return Err("it has no \"value\" object".into()),
        };
        let span = read_span(value, self.doc)?;
        if self.blanks.only_blank(span) {
            return Err("its span covers only spaces".into());
        }
        let expected = self.doc.slice(span);
        // A text that disagrees with the offsets: the offsets are what Label Studio shows and
        // exports by, so the span is read at them, and the disagreement is said (a note).
        let mismatch = match value.get("text") {
            None | Some(Value::Null) => None,
            Some(Value::String(t)) if t == expected => None,
            Some(Value::String(t)) => {
                let utf16 = match (
                    self.doc.utf16_to_cp(span.start),
                    self.doc.utf16_to_cp(span.end),
                ) {
                    (Some(s), Some(e)) => s < e && self.doc.slice(Span::new(s, e)) == t,
                    _ => false,
                };
                Some((t.clone(), utf16))
            }
            Some(other) => {
                return Err(format!(
                    "its \"text\" must be a string, not {}",
                    json_type(other)
                ))
            }
        };
        let labels: Vec<&str> = match value.get("labels") {
            Some(Value::Array(l)) => l
                .iter()
                .map(|v| v.as_str().ok_or("its labels must be strings"))
                .collect::<Result<_, _>>()?,
            _ => return Err("it has no \"labels\" list".into()),
        };
        if labels.is_empty() {
            return Err("it has no label".into());
        }
        // A region of several labels is an annotation of each (Marginalia gives a span one
        // label), the first holding its id, fields and relations.
        let from_name = o.get("from_name").and_then(Value::as_str);
        let mut whats: Vec<What> = Vec::new();
        for label in &labels {
            let what = if from_name == Some(CUE_CONTROL) || *label == CUE {
                What::Cue
            } else if *label == QUOTE {
                What::Annotation(Kind::Quote, None)
            } else if *label == CLAIM {
                What::Annotation(Kind::Claim, None)
            } else {
                validate_label(label)?;
                What::Annotation(Kind::Entity, Some(label.to_string()))
            };
            if matches!(what, What::Annotation(Kind::Entity, _))
                && self.doc.paragraphs_overlapping(span).len() > 1
            {
                return Err("it is an entity across a paragraph break".into());
            }
            if !whats.contains(&what) {
                whats.push(what);
            }
        }
        if whats.len() > 1 {
            self.notes.push(format!(
                "Result {}{}: it has {} labels ({}), and Marginalia gives a span one: it is read as an annotation of each over the same span; its fields and relations are the first's.",
                index + 1,
                file_id
                    .as_ref()
                    .map(|id| format!(" ({})", short(id, 40)))
                    .unwrap_or_default(),
                labels.len(),
                short(&labels.join(", "), 60)
            ));
        }
        let mut mismatch = mismatch;
        let mut file_id = file_id;
        Ok(whats
            .into_iter()
            .map(|what| Region {
                index,
                file_id: file_id.take(),
                span,
                what,
                party: None,
                cue: None,
                direct: None,
                checkworthiness: None,
                note: None,
                attributes: Vec::new(),
                relations: Vec::new(),
                mismatch: mismatch.take(),
                used: false,
            })
            .collect())
    }

    /// Adds a region read, unless its id or its label and span repeat another's (a problem);
    /// whether it was added.
    fn add_region(&mut self, item: &Value, region: Region) -> bool {
        let index = region.index;
        if let Some(id) = &region.file_id {
            if let Some(&first) = self.by_file_id.get(id) {
                let message = format!(
                    "the id {id} is already used by result {}",
                    self.regions[first].index + 1
                );
                self.problem(index, item, message);
                return false;
            }
        }
        if let What::Annotation(kind, label) = &region.what {
            let key = (*kind, label.clone(), region.span);
            if let Some(&first) = self.keys.get(&key) {
                let message = format!(
                    "repeats the label and span of result {}",
                    self.regions[first].index + 1
                );
                self.problem(index, item, message);
                return false;
            }
            if let Some(label) = label {
                self.entity_labels.add(label);
            }
            self.keys.insert(key, self.regions.len());
        }
        if let Some(id) = &region.file_id {
            self.by_file_id.insert(id.clone(), self.regions.len());
        }
        self.regions.push(region);
        true
    }

    /// The valid region a relation or per-region field refers to by `key`.
    fn target(&self, item: &Value, key: &str, what: &str) -> Result<usize, String> {
        let id = match item.get(key) {
            Some(Value::String(id)) => id,
            Some(Value::Number(n)) => return Err(format!("its {what} {n} is not a region id")),
            _ => return Err(format!("it has no \"{key}\"")),
        };
        match self.by_file_id.get(id) {
            Some(&r) => Ok(r),
            None if self.invalid_ids.contains(id) => {
                Err(format!("its {what} {} is itself invalid", short(id, 40)))
            }
            None => Err(format!(
                "its {what} {} is not a span in the file",
                short(id, 40)
            )),
        }
    }

    /// Reads a relation; gives a message for each of its labels that cannot be held.
    fn read_relation(&mut self, item: &Value) -> Vec<String> {
        let ends = self
            .target(item, "from_id", "start")
            .and_then(|from| Ok((from, self.target(item, "to_id", "end")?)));
        let (from, to) = match ends {
            Ok(ends) => ends,
            Err(message) => return vec![message],
        };
        let direction = match item.get("direction") {
            None | Some(Value::Null) => "right".to_string(),
            Some(Value::String(d)) => d.to_lowercase(),
            Some(other) => {
                return vec![format!(
                    "its direction must be a string, not {}",
                    json_type(other)
                )]
            }
        };
        if !matches!(direction.as_str(), "right" | "left" | "bi") {
            return vec![format!(
                "its direction “{}” is not right, left or bi",
                short(&direction, 40)
            )];
        }
        let labels: Vec<&str> = match item.get("labels") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(l)) if l.iter().all(Value::is_string) => {
                l.iter().filter_map(Value::as_str).collect()
            }
            Some(_) => return vec!["its labels must be a list of names".into()],
        };
        // `left` points from `to_id` to `from_id`; `bi` both ways, kept as an attribute.
        let (source, target) = if direction == "left" {
            (to, from)
        } else {
            (from, to)
        };
        let bi = direction == "bi";
        if labels.is_empty() {
            // Unlabelled: a link of Marginalia's when the kinds fit one that is not set yet,
            // else a relation of the default type.
            if let Some((owner, end, link)) = self.link_between(from, to) {
                if self.link_free(owner, link) {
                    self.set_link(owner, end, link);
                    return Vec::new();
                }
            }
            return self
                .add_relation(source, target, DEFAULT_RELATION, bi)
                .err()
                .into_iter()
                .collect();
        }
        let mut messages = Vec::new();
        for label in labels {
            if let Err(message) = self.read_labelled(source, target, label, bi) {
                messages.push(message);
            }
        }
        messages
    }

    /// The link of Marginalia's the kinds of two regions fit, whatever their order: (owner,
    /// linked region, SPEAKER/CLAIMANT/CUE).
    fn link_between(&self, a: usize, b: usize) -> Option<(usize, usize, &'static str)> {
        let kind_of = |r: usize| match &self.regions[r].what {
            What::Annotation(k, _) => Some(*k),
            What::Cue => None,
        };
        match (kind_of(a), kind_of(b)) {
            (Some(Kind::Quote), Some(Kind::Entity)) => Some((a, b, SPEAKER)),
            (Some(Kind::Entity), Some(Kind::Quote)) => Some((b, a, SPEAKER)),
            (Some(Kind::Claim), Some(Kind::Entity)) => Some((a, b, CLAIMANT)),
            (Some(Kind::Entity), Some(Kind::Claim)) => Some((b, a, CLAIMANT)),
            (Some(Kind::Quote), None) => Some((a, b, CUE)),
            (None, Some(Kind::Quote)) => Some((b, a, CUE)),
            _ => None,
        }
    }

    fn link_free(&self, owner: usize, link: &str) -> bool {
        let r = &self.regions[owner];
        if link == CUE {
            r.cue.is_none()
        } else {
            r.party.is_none()
        }
    }

    fn set_link(&mut self, owner: usize, end: usize, link: &str) {
        if link == CUE {
            self.regions[owner].cue = Some(end);
            self.regions[end].used = true;
        } else {
            self.regions[owner].party = Some(PartyAt::Region(end));
        }
    }

    /// One label of a relation: Marginalia's link when the label and the kinds are one and it
    /// is not set yet, else a relation of that type.
    fn read_labelled(
        &mut self,
        source: usize,
        target: usize,
        label: &str,
        bi: bool,
    ) -> Result<(), String> {
        if let Some((owner, end, link)) = self.link_between(source, target) {
            if link == label {
                if self.link_free(owner, link) {
                    self.set_link(owner, end, link);
                    return Ok(());
                }
                let r = &self.regions[owner];
                let same = if link == CUE {
                    r.cue == Some(end)
                } else {
                    matches!(r.party, Some(PartyAt::Region(e)) if e == end)
                };
                let owner_name = self.name_of(owner);
                if same {
                    return Err(format!("it repeats the {link} link of {owner_name}"));
                }
                if link == CUE {
                    return Err(format!("{owner_name} already has a cue"));
                }
            }
        }
        self.add_relation(source, target, label, bi)
    }

    /// A relation of the open schema, held by `source`.
    fn add_relation(
        &mut self,
        source: usize,
        target: usize,
        kind: &str,
        bi: bool,
    ) -> Result<(), String> {
        for end in [source, target] {
            if self.regions[end].what == What::Cue {
                return Err(format!(
                    "its “{}” relation ends at {}, a cue, which Marginalia holds only as a quote's cue (by a CUE relation from the quote)",
                    short(kind, 40),
                    self.name_of(end)
                ));
            }
        }
        if source == target {
            return Err(format!("{} is related to itself", self.name_of(source)));
        }
        validate_label(kind)
            .map_err(|why| format!("its type cannot be a relation type in Marginalia: {why}"))?;
        if self.regions[source]
            .relations
            .iter()
            .any(|(t, k, _)| *t == target && k == kind)
        {
            return Err(format!(
                "it repeats the “{}” relation from {} to {}",
                short(kind, 40),
                self.name_of(source),
                self.name_of(target)
            ));
        }
        self.regions[source]
            .relations
            .push((target, kind.to_string(), bi));
        Ok(())
    }

    /// How a problem names a region: its id, or its position.
    fn name_of(&self, r: usize) -> String {
        match &self.regions[r].file_id {
            Some(id) => format!("the span {}", short(id, 40)),
            None => format!("the span of result {}", self.regions[r].index + 1),
        }
    }

    fn read_per_region(&mut self, item: &Value, kind: &str) -> Result<(), String> {
        let from_name = match item.get("from_name") {
            Some(Value::String(n)) if !n.is_empty() => n.as_str(),
            _ => return Err(format!("its {kind} field has no \"from_name\" (its name)")),
        };
        if item.get("id").is_none() {
            return Err(format!(
                "its field “{}” belongs to no span (it has no \"id\"); Marginalia holds fields of spans, not of the whole document",
                short(from_name, 40)
            ));
        }
        let r = self.target(item, "id", "span")?;
        let value = item.get("value").and_then(Value::as_object);
        let strings = |key: &str| -> Result<Vec<String>, String> {
            match value.and_then(|v| v.get(key)) {
                Some(Value::Array(l)) => l
                    .iter()
                    .map(|s| {
                        s.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| format!("its {key} must be strings"))
                    })
                    .collect(),
                _ => Err(format!("its value has no \"{key}\" list")),
            }
        };
        let name = self.name_of(r);
        let kind_here = match &self.regions[r].what {
            What::Annotation(k, _) => Some(*k),
            What::Cue => None,
        };
        let once = |set: bool| -> Result<(), String> {
            if set {
                Err(format!("{name} already has a “{from_name}”"))
            } else {
                Ok(())
            }
        };
        match (from_name, kind, kind_here) {
            (DIRECT_CONTROL, "choices", Some(Kind::Quote)) => {
                once(self.regions[r].direct.is_some())?;
                let direct = match strings("choices")?.as_slice() {
                    [c] if c == DIRECT => true,
                    [c] if c == INDIRECT => false,
                    _ => return Err("its choices must be [\"direct\"] or [\"indirect\"]".into()),
                };
                self.regions[r].direct = Some(direct);
            }
            (CHECKWORTHINESS_CONTROL, "choices", Some(Kind::Claim)) => {
                once(self.regions[r].checkworthiness.is_some())?;
                let value = match strings("choices")?.as_slice() {
                    [c] => c.clone(),
                    _ => return Err("its choices must hold one check-worthiness value".into()),
                };
                validate_label(&value)?;
                self.ratings.add(&value);
                self.regions[r].checkworthiness = Some(value);
            }
            (SPEAKER_NAME_CONTROL, "textarea", Some(Kind::Quote))
            | (CLAIMANT_NAME_CONTROL, "textarea", Some(Kind::Claim)) => {
                once(self.regions[r].party.is_some())?;
                let text = joined(&strings("text")?, "; ");
                if text.is_empty() {
                    return Err(format!("its {from_name} name is empty"));
                }
                self.regions[r].party = Some(PartyAt::Name(text));
            }
            (NOTE_CONTROL, "textarea", Some(_)) => {
                once(self.regions[r].note.is_some())?;
                let texts = strings("text")?;
                self.regions[r].note = Some(texts.join("\n"));
            }
            (_, _, None) => {
                return Err(format!(
                    "its field “{}” is on {name}, a cue, which has no fields of its own",
                    short(from_name, 40)
                ))
            }
            _ => {
                // Any other field is an attribute of the annotation, named by the field.
                validate_label(from_name).map_err(|why| {
                    format!("its field name cannot be an attribute name in Marginalia: {why}")
                })?;
                let value = attribute_value(value, kind, from_name)?;
                let attrs = &mut self.regions[r].attributes;
                if attrs.iter().any(|(n, _)| n == from_name) {
                    return Err(format!("{name} already has a “{from_name}”"));
                }
                attrs.push((from_name.to_string(), value));
            }
        }
        Ok(())
    }

    /// The annotations with their ids, the labels, and every problem in result order.
    fn finish(
        mut self,
        created: Timestamp,
        updated: Timestamp,
    ) -> (Vec<Annotation>, Labels, Vec<Problem>, Vec<String>) {
        // A cue no quote links to is a problem; a quote whose cue is used elsewhere is fine.
        for r in &self.regions {
            if r.what == What::Cue && !r.used {
                self.problems.push(Problem {
                    index: r.index,
                    id: r.file_id.clone(),
                    message: "it is a cue (CUE) that no quote links to by a CUE relation".into(),
                });
            }
        }
        // Ids: those of Marginalia's own form are kept; the others get new ones after them.
        let mut ids: Vec<Option<String>> = vec![None; self.regions.len()];
        let mut used: HashSet<String> = HashSet::new();
        let mut max_seq = 0;
        for (i, r) in self.regions.iter().enumerate() {
            if let (What::Annotation(kind, _), Some(id)) = (&r.what, &r.file_id) {
                if let Some(seq) = own_seq(id, *kind) {
                    if used.insert(id.clone()) {
                        ids[i] = Some(id.clone());
                        max_seq = max_seq.max(seq);
                    }
                }
            }
        }
        let mut next = max_seq + 1;
        for (i, r) in self.regions.iter().enumerate() {
            if let (What::Annotation(kind, _), None) = (&r.what, &ids[i]) {
                ids[i] = Some(format!("{}{next}", kind.id_prefix()));
                next += 1;
            }
        }
        let mut annotations = Vec::new();
        for (i, r) in self.regions.iter().enumerate() {
            let What::Annotation(kind, label) = &r.what else {
                continue;
            };
            let party = r.party.as_ref().map(|p| match p {
                PartyAt::Region(t) => Party::Ref(ids[*t].clone().unwrap_or_default()),
                PartyAt::Name(n) => Party::Name(n.clone()),
            });
            let body = match kind {
                Kind::Entity => Body::Entity {
                    label: label.clone().unwrap_or_default(),
                },
                Kind::Quote => Body::Quote {
                    speaker: party,
                    cue: r.cue.map(|c| self.regions[c].span),
                    direct: r.direct.unwrap_or_else(|| self.blanks.looks_direct(r.span)),
                },
                Kind::Claim => Body::Claim {
                    claimant: party,
                    checkworthiness: r.checkworthiness.clone(),
                },
            };
            let mut attributes = r.attributes.clone();
            sort::sort_by(&mut attributes, |a, b| a.0.cmp(&b.0));
            let relations = r
                .relations
                .iter()
                .map(|(t, kind, bi)| Relation {
                    kind: kind.clone(),
                    target: ids[*t].clone().unwrap_or_default(),
                    roles: None,
                    attributes: if *bi {
                        vec![(DIRECTION_ATTRIBUTE.into(), AttrValue::Text(BI.into()))]
                    } else {
                        Vec::new()
                    },
                    note: String::new(),
                })
                .collect();
            let extra = Extra {
                attributes,
                relations,
                ..Extra::default()
            };
            annotations.push(Annotation {
                id: ids[i].clone().unwrap_or_default(),
                span: r.span,
                body,
                note: r.note.clone().unwrap_or_default(),
                created,
                updated,
                extra: (!extra.is_empty()).then(|| Box::new(extra)),
            });
        }
        // Spans whose text disagrees with the document are read at their offsets, and said.
        let mut notes: Vec<String> = self.source_note.take().into_iter().collect();
        notes.append(&mut self.notes);
        for (i, r) in self.regions.iter().enumerate() {
            let Some((said, utf16)) = &r.mismatch else {
                continue;
            };
            let as_what = match (&r.what, &ids[i]) {
                (What::Annotation(..), Some(id)) => format!("as {id}"),
                _ => "as a cue".to_string(),
            };
            let file_id = r
                .file_id
                .as_ref()
                .map(|id| format!(" ({})", short(id, 40)))
                .unwrap_or_default();
            let mut note = format!(
                "Result {}{file_id}: its text “{}” is not the document's text at {}..{}; it is imported {as_what} at its offsets, over “{}”",
                r.index + 1,
                short(said, 40),
                r.span.start,
                r.span.end,
                self.blanks.short(r.span, 40)
            );
            if *utf16 {
                note.push_str(
                    " (read as UTF-16 units the offsets would fit: the file was written by a Label Studio that counted UTF-16, not code points)",
                );
            }
            note.push('.');
            notes.push(note);
        }
        sort::sort_by(&mut annotations, |a, b| a.sort_key().cmp(&b.sort_key()));
        sort::sort_by_key(&mut self.problems, |p| p.index);
        let labels = Labels {
            entity: self.entity_labels.into_vec(),
            checkworthiness: self.ratings.into_vec(),
        };
        (annotations, labels, self.problems, notes)
    }
}

/// The number of an id of Marginalia's own form for `kind` ("e12" → 12).
fn own_seq(id: &str, kind: Kind) -> Option<u64> {
    let rest = id.strip_prefix(kind.id_prefix())?;
    if rest.is_empty() || !rest.bytes().all(|b| b.is_ascii_digit()) || rest.starts_with('0') {
        return None;
    }
    rest.parse()
        .ok()
        .filter(|&n| n < crate::model::state::MAX_SEQ)
}

/// The key a per-region result of type `kind` holds its value under (`textarea`: `text`).
fn value_key(kind: &str) -> &str {
    if kind == "textarea" {
        "text"
    } else {
        kind
    }
}

/// A per-region field's value as an attribute: a choice that is the field's own name is a
/// flag (a checkbox); choices, taxonomy paths, text lines, numbers and ratings are text.
fn attribute_value(
    value: Option<&Map<String, Value>>,
    kind: &str,
    name: &str,
) -> Result<AttrValue, String> {
    let key = value_key(kind);
    let v = value
        .and_then(|v| v.get(key))
        .ok_or_else(|| format!("its value has no \"{key}\""))?;
    let scalar = |v: &Value| -> Result<String, String> {
        match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            Value::Bool(b) => Ok(b.to_string()),
            other => Err(format!(
                "its {key} holds {}, where Marginalia reads text or numbers",
                json_type(other)
            )),
        }
    };
    match v {
        Value::Array(items) => {
            if kind == "choices" {
                if let [Value::String(one)] = items.as_slice() {
                    if one == name {
                        return Ok(AttrValue::Flag);
                    }
                }
            }
            let parts = items
                .iter()
                .map(|item| match item {
                    Value::Array(path) => path
                        .iter()
                        .map(scalar)
                        .collect::<Result<Vec<_>, _>>()
                        .map(|p| p.join(PATH_SEP)),
                    other => scalar(other),
                })
                .collect::<Result<Vec<_>, _>>()?;
            let sep = if kind == "textarea" { "\n" } else { CHOICE_SEP };
            Ok(AttrValue::Text(parts.join(sep)))
        }
        other => scalar(other).map(AttrValue::Text),
    }
}

fn joined(texts: &[String], sep: &str) -> String {
    texts
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn read_span(value: &Map<String, Value>, doc: &Document) -> Result<Span, String> {
    let num = |key: &str| -> Result<i64, String> {
        match value.get(key) {
            None => Err(format!("its value has no {key}")),
            v => super::labelled_spans::int(v, key),
        }
    };
    let (s, e) = (num("start")?, num("end")?);
    super::checked_span(s, e, doc.len(), "")
}

#[cfg(test)]
#[path = "label_studio_tests.rs"]
mod tests;
