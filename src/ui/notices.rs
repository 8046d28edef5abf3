//! What the page says after an action, in words a person reads at a glance: the toast's
//! "Tagged “Damascus” GPE", "“we will reach out”: linked" (the reducer in [`super::store`] shows
//! them), and how a span's text is quoted in such sentences.

use crate::model::{Action, Body, Span, State};

/// Text in quotation marks, unless it is in quotation marks already (a direct quote).
pub fn quoted(text: &str) -> String {
    if crate::model::annotation::looks_direct(text) {
        text.to_string()
    } else {
        format!("“{text}”")
    }
}

/// What a change does, named by its text, for the toast ("Tagged “Damascus” GPE"); `None` for
/// undo and redo, whose summary says it already ("Undo Add GPE").
pub(super) fn notice_of(state: &State, action: &Action) -> Option<String> {
    use crate::model::state::shorten;
    let doc = state.document();
    let quoted = |span: Span| quoted(&shorten(doc.slice(span), 40));
    let of = |id: &str| state.get(id).map(|a| quoted(a.span));
    match action {
        // Their summary names the text and the count ("Tag 7 more “Damascus” GPE").
        Action::Undo | Action::Redo | Action::TagAll { .. } => None,
        Action::Create { span, body, .. } => Some(match body {
            Body::Entity { label } => format!("Tagged {} {label}", quoted(*span)),
            other => format!("Tagged {} as a {}", quoted(*span), other.kind().as_str()),
        }),
        Action::Delete { id } => Some(format!("Deleted {}", of(id)?)),
        Action::SetSpan { id, .. }
        | Action::SetKind { id, .. }
        | Action::SetLabel { id, .. }
        | Action::SetParty { id, .. }
        | Action::SetCue { id, .. }
        | Action::TagParty { id, .. }
        | Action::SetDirect { id, .. }
        | Action::SetCheckworthiness { id, .. }
        | Action::SetNote { id, .. }
        | Action::SetAttribute { id, .. }
        | Action::AddFragment { id, .. }
        | Action::AddRelation { from: id, .. }
        | Action::RemoveRelation { from: id, .. } => {
            let text = of(id)?;
            Some(format!("{text}: {}", describe(action)))
        }
        Action::SetLabels { .. } => Some("Changed the labels".into()),
        Action::Import { annotations, .. } => Some(format!(
            "Imported {} annotation{}",
            annotations.len(),
            if annotations.len() == 1 { "" } else { "s" }
        )),
    }
}

/// A few words for an edit of one annotation.
fn describe(action: &Action) -> String {
    match action {
        Action::SetSpan { .. } => "boundaries changed".into(),
        Action::SetKind { kind, .. } => format!("now a {}", kind.as_str()),
        Action::SetLabel { label, .. } => format!("now {label}"),
        Action::SetParty { party: None, .. } => "link removed".into(),
        Action::SetParty { .. } => "linked".into(),
        Action::SetCue { cue: None, .. } => "cue cleared".into(),
        Action::SetCue { .. } => "cue set".into(),
        Action::TagParty { .. } => "linked".into(),
        Action::SetDirect { direct, .. } => if *direct {
            "direct quote"
        } else {
            "indirect quote"
        }
        .into(),
        Action::SetCheckworthiness { value, .. } => match value {
            Some(v) => format!("check-worthiness {v}"),
            None => "check-worthiness cleared".into(),
        },
        Action::SetNote { .. } => "note saved".into(),
        Action::SetAttribute {
            name, value: None, ..
        } => format!("{name} cleared"),
        Action::SetAttribute {
            name,
            value: Some(crate::model::annotation::Value::Flag),
            ..
        } => format!("{name} set"),
        Action::SetAttribute {
            name,
            value: Some(crate::model::annotation::Value::Text(v)),
            ..
        } => format!("{name} {v}"),
        Action::AddFragment { .. } => "fragment added".into(),
        Action::AddRelation { kind, .. } => format!("related, {kind}"),
        Action::RemoveRelation { .. } => "relation removed".into(),
        _ => String::new(),
    }
}
