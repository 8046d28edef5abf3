//! Many documents out as one file: each format's own convention for a corpus, the file its
//! tools read a dataset from (`formats::corpus::export`, which the page's project export and
//! `marginalia convert --to` both call).
//!
//! | format | a corpus is |
//! |---|---|
//! | spaCy / Prodigy, doccano, doccano with relations | a line a document: the one-document lines one after another |
//! | Label Studio | one list of tasks, a task a document, numbered from 1 |
//! | CoNLL-2003 | each document's file one after another: `-DOCSTART- -X- -X- O`, a blank line, its sentences |
//! | brat | one zip: `<id>.txt` and `<id>.ann` a document, one `annotation.conf` declaring every document's labels |
//! | W3C Web Annotation | one collection about every document (`w3c::many`) |
//! | spaCy DocBin | one DocBin holding every document (`spacy::docbin::export_many`), what `spacy train` reads |
//! | Marginalia | the project file (`formats::project`) |
//!
//! A corpus of one document is that document's own export, byte for byte (for Marginalia, its
//! document file). Document ids must be unique: they name brat's files, W3C's sources and the
//! documents read back.

use std::collections::HashMap;

use super::corpus::MAX_DOCUMENTS;
use super::{brat, label_studio, project, safe_file_stem, short, spacy, w3c, zip, Bundle, Format};
use super::{Growing, Labels};

/// The documents as one file of `format`; why not, as a sentence, when there is none, more
/// than a project holds, or two share an id (or, for brat, a file name).
pub fn export(format: Format, bundles: &[Bundle]) -> Result<Vec<u8>, String> {
    check(format, bundles)?;
    if let [one] = bundles {
        return Ok(format.export(one));
    }
    Ok(match format {
        Format::Native => project::export(bundles).into_bytes(),
        Format::Spacy | Format::Doccano | Format::DoccanoRel | Format::Conll => {
            bundles.iter().flat_map(|b| format.export(b)).collect()
        }
        Format::LabelStudio => label_studio::export_tasks(bundles).into_bytes(),
        Format::Brat => brat_zip(bundles),
        Format::W3c => w3c::many::export(bundles).into_bytes(),
        Format::SpacyDocBin => spacy::docbin::export_many(bundles),
    })
}

fn check(format: Format, bundles: &[Bundle]) -> Result<(), String> {
    if bundles.is_empty() {
        return Err("There is no document to export.".into());
    }
    if bundles.len() > MAX_DOCUMENTS {
        return Err(format!(
            "{} documents are more than one file holds: Marginalia writes and reads at most \
             {MAX_DOCUMENTS} documents a file.",
            bundles.len()
        ));
    }
    let mut ids: HashMap<&str, usize> = HashMap::with_capacity(bundles.len());
    for (n, b) in bundles.iter().enumerate() {
        if let Some(first) = ids.insert(&b.document.id, n) {
            return Err(format!(
                "Documents {} and {} both have the id “{}”: the documents of one file need \
                 ids of their own, which name them when it is read.",
                first + 1,
                n + 1,
                short(&b.document.id, 60)
            ));
        }
    }
    if format == Format::Brat {
        let mut stems: HashMap<String, &str> = HashMap::with_capacity(bundles.len());
        for b in bundles {
            let id = b.document.id.as_str();
            if let Some(other) = stems.insert(safe_file_stem(id), id) {
                let stem = safe_file_stem(id);
                return Err(format!(
                    "Documents “{}” and “{}” would both be written as {stem}.txt and \
                     {stem}.ann: give one of them another id.",
                    short(other, 60),
                    short(id, 60)
                ));
            }
        }
    }
    Ok(())
}

/// One zip of every document's `.txt` and `.ann`, and one `annotation.conf` for them all.
fn brat_zip(bundles: &[Bundle]) -> Vec<u8> {
    let mut entity = Growing::new(Vec::new());
    let mut checkworthiness = Growing::new(Vec::new());
    let mut files: Vec<(String, Vec<u8>)> = Vec::with_capacity(2 * bundles.len() + 1);
    for b in bundles {
        for l in &b.labels.entity {
            entity.add(l);
        }
        for l in &b.labels.checkworthiness {
            checkworthiness.add(l);
        }
        let [txt, ann, _] = brat::entry_names(&b.document.id);
        files.push((txt, b.document.text().as_bytes().to_vec()));
        files.push((ann, brat::export_ann(b).into_bytes()));
    }
    let labels = Labels {
        entity: entity.into_vec(),
        checkworthiness: checkworthiness.into_vec(),
    };
    files.push((
        brat::CONF_FILE.to_string(),
        brat::export_conf_with(&labels, &brat::Declared::of(bundles)).into_bytes(),
    ));
    let entries: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip::write(&entries)
}

#[cfg(test)]
#[path = "corpus_out_tests.rs"]
mod tests;
