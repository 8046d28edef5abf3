//! A small zip container: enough to write an archive of a few text files and to read back the
//! archives people make of them with standard tools.
//!
//! Writing: STORED entries only (no compression), UTF-8 names, a fixed timestamp (1980-01-01
//! 00:00, the earliest a zip can say) and `rw-r--r--` permissions, so the same files give the
//! same bytes. Storing keeps the compressor out of the web app; the texts are small.
//!
//! Reading: STORED and DEFLATE entries (what `zip`, Python's `zipfile`, Windows and macOS write),
//! with or without data descriptors, and the ZIP64 size fields of single entries. Refused, each
//! with one sentence: encrypted entries, other compression methods, multi-disk and ZIP64-sized
//! archives, archives listing more than [`Limits::max_entries`] entries or unpacking to more
//! than [`Limits::max_total`] bytes (zip bombs), and entries whose CRC-32 does not match.
//! Inflating is bounded by the size the directory declares, so a lying header cannot make it
//! allocate more.
//!
//! Hand-written over the `zip` crate: the app needs only stored writing and a reader whose
//! every limit against hostile archives is checked before a byte is inflated (inflating itself is
//! miniz_oxide's, which the `zip` crate uses too).
//!
//! Why ~600 lines in one file: the reader and the writer of one container share its record layouts
//! and limits, and the checks a hostile archive needs (sizes, CRCs, counts) read best beside the
//! records they guard.

use std::fmt;

/// How much an archive may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_entries: usize,
    /// Total uncompressed bytes of all entries.
    pub max_total: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            // A brat corpus of as many documents as a project holds: a .txt and an .ann each,
            // its annotation.conf, and room for folders and notes.
            max_entries: 2 * super::corpus::MAX_DOCUMENTS + 100,
            max_total: 50_000_000,
        }
    }
}

/// Why an archive could not be read. `Display` is one sentence for people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ZipError(pub String);

impl fmt::Display for ZipError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, ZipError> {
    Err(ZipError(msg.into()))
}

// ---- CRC-32 (IEEE 802.3, the zip checksum) ----

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

pub fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

// ---- writing ----

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const END_SIG: u32 = 0x0605_4b50;
/// General-purpose flag bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 0x0800;
/// MS-DOS date of 1980-01-01 (day 1, month 1, year 0 = 1980); the time is 00:00:00.
const DOS_DATE: u16 = (1 << 5) | 1;
/// "Made by" Unix (3), zip specification 2.0, so that unzip applies the permissions below.
const MADE_BY: u16 = (3 << 8) | 20;
const VERSION_NEEDED: u16 = 20;
/// A regular file, rw-r--r--, in the high half of the external attributes.
const EXTERNAL_ATTRS: u32 = 0o100_644 << 16;

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A size or offset as a zip field; archives we write hold a few texts of at most 20 MB.
fn field32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An archive of `(name, content)` entries, in the given order, STORED, deterministic.
pub fn write(entries: &[(&str, &[u8])]) -> Vec<u8> {
    write_with(entries, false)
}

/// The same archive with every entry DEFLATE-compressed (miniz_oxide, best compression): what
/// the hostile-file generator packs zip bombs with. The web app never compresses.
pub fn write_deflated_best(entries: &[(&str, &[u8])]) -> Vec<u8> {
    write_with(entries, true)
}

fn write_with(entries: &[(&str, &[u8])], deflate: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len();
        let crc = crc32(data);
        let packed = if deflate {
            std::borrow::Cow::Owned(miniz_oxide::deflate::compress_to_vec(data, 10))
        } else {
            std::borrow::Cow::Borrowed(*data)
        };
        let fields = |out: &mut Vec<u8>| {
            put16(out, VERSION_NEEDED);
            put16(out, FLAG_UTF8);
            put16(out, if deflate { 8 } else { 0 }); // method: deflated or stored
            put16(out, 0); // time 00:00:00
            put16(out, DOS_DATE);
            put32(out, crc);
            put32(out, field32(packed.len())); // compressed size
            put32(out, field32(data.len())); // uncompressed size
            put16(out, name.len() as u16);
            put16(out, 0); // extra field length
        };
        put32(&mut out, LOCAL_SIG);
        fields(&mut out);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);

        put32(&mut central, CENTRAL_SIG);
        put16(&mut central, MADE_BY);
        fields(&mut central);
        put16(&mut central, 0); // comment length
        put16(&mut central, 0); // disk number
        put16(&mut central, 0); // internal attributes
        put32(&mut central, EXTERNAL_ATTRS);
        put32(&mut central, field32(offset));
        central.extend_from_slice(name.as_bytes());
    }
    let central_offset = out.len();
    out.extend_from_slice(&central);
    put32(&mut out, END_SIG);
    put16(&mut out, 0); // this disk
    put16(&mut out, 0); // disk with the central directory
    put16(&mut out, entries.len() as u16);
    put16(&mut out, entries.len() as u16);
    put32(&mut out, field32(central.len()));
    put32(&mut out, field32(central_offset));
    put16(&mut out, 0); // comment length
    out
}

// ---- reading ----

/// One entry of an archive's central directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the archive, `/`-separated (UTF-8; other encodings are read lossily).
    pub name: String,
    flags: u16,
    method: u16,
    crc: u32,
    compressed: u64,
    pub size: u64,
    local_offset: u64,
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// An archive whose directory has been read; entries are unpacked on demand.
#[derive(Debug)]
pub struct Archive<'a> {
    bytes: &'a [u8],
    pub entries: Vec<Entry>,
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

const TRUNCATED: &str = "The zip archive is damaged: its directory runs past the end of the file.";

/// Reads an archive's directory, checking its limits.
pub fn open(bytes: &[u8], limits: Limits) -> Result<Archive<'_>, ZipError> {
    if !bytes.starts_with(b"PK") {
        return err("The file is not a zip archive.");
    }
    // The end record is the last 22 bytes, unless a comment (up to 65,535 bytes) follows it.
    let earliest = bytes.len().saturating_sub(22 + 65_535);
    let end = (earliest..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&at| u32_at(bytes, at) == Some(END_SIG))
        .ok_or_else(|| {
            ZipError("The zip archive is damaged or cut short: it has no end record.".into())
        })?;
    let field = |at: usize| u16_at(bytes, end + at).unwrap_or(0);
    let (disk, cd_disk, on_disk, count) = (field(4), field(6), field(8), field(10));
    let cd_size = u32_at(bytes, end + 12).unwrap_or(0);
    let cd_offset = u32_at(bytes, end + 16).unwrap_or(0);
    if count == 0xFFFF || cd_size == u32::MAX || cd_offset == u32::MAX {
        return err("The zip archive is in the ZIP64 form for very large archives; Marginalia reads ordinary zip archives.");
    }
    if disk != 0 || cd_disk != 0 || on_disk != count {
        return err(
            "The zip archive is split over several disks; Marginalia reads single-file archives.",
        );
    }
    if count as usize > limits.max_entries {
        return err(format!(
            "The zip archive lists {count} entries; Marginalia reads archives of at most {}.",
            limits.max_entries
        ));
    }
    let (cd_offset, cd_size) = (cd_offset as usize, cd_size as usize);
    if cd_offset.checked_add(cd_size).is_none_or(|e| e > end) {
        return err(TRUNCATED);
    }
    let mut entries = Vec::with_capacity(count as usize);
    let mut at = cd_offset;
    let mut total = 0u64;
    for _ in 0..count {
        if u32_at(bytes, at) != Some(CENTRAL_SIG) {
            return err("The zip archive is damaged: an entry of its directory is unreadable.");
        }
        let (Some(flags), Some(method), Some(crc)) = (
            u16_at(bytes, at + 8),
            u16_at(bytes, at + 10),
            u32_at(bytes, at + 16),
        ) else {
            return err(TRUNCATED);
        };
        let mut compressed = u32_at(bytes, at + 20).ok_or(ZipError(TRUNCATED.into()))? as u64;
        let mut size = u32_at(bytes, at + 24).ok_or(ZipError(TRUNCATED.into()))? as u64;
        let name_len = u16_at(bytes, at + 28).ok_or(ZipError(TRUNCATED.into()))? as usize;
        let extra_len = u16_at(bytes, at + 30).ok_or(ZipError(TRUNCATED.into()))? as usize;
        let comment_len = u16_at(bytes, at + 32).ok_or(ZipError(TRUNCATED.into()))? as usize;
        let mut local_offset = u32_at(bytes, at + 42).ok_or(ZipError(TRUNCATED.into()))? as u64;
        let name_at = at + 46;
        let name = bytes
            .get(name_at..name_at + name_len)
            .ok_or(ZipError(TRUNCATED.into()))?;
        let name = String::from_utf8_lossy(name).into_owned();
        let extra = bytes
            .get(name_at + name_len..name_at + name_len + extra_len)
            .ok_or(ZipError(TRUNCATED.into()))?;
        read_zip64_extra(extra, &mut size, &mut compressed, &mut local_offset)?;
        at = name_at + name_len + extra_len + comment_len;
        if at > end {
            return err(TRUNCATED);
        }
        total = total.saturating_add(size);
        if total > limits.max_total {
            return err(format!(
                "The zip archive would unpack to more than {} MB; Marginalia reads archives up to {} MB.",
                limits.max_total / 1_000_000,
                limits.max_total / 1_000_000
            ));
        }
        entries.push(Entry {
            name,
            flags,
            method,
            crc,
            compressed,
            size,
            local_offset,
        });
    }
    Ok(Archive { bytes, entries })
}

/// Replaces the 32-bit fields that say 0xFFFFFFFF by their ZIP64 values, in the order the
/// specification lists them (uncompressed size, compressed size, local header offset).
fn read_zip64_extra(
    mut extra: &[u8],
    size: &mut u64,
    compressed: &mut u64,
    offset: &mut u64,
) -> Result<(), ZipError> {
    while extra.len() >= 4 {
        let tag = u16_at(extra, 0).unwrap_or(0);
        let len = u16_at(extra, 2).unwrap_or(0) as usize;
        let Some(data) = extra.get(4..4 + len) else {
            return err("The zip archive is damaged: an entry's extra field is cut short.");
        };
        if tag == 0x0001 {
            let mut at = 0;
            for field in [size, compressed, offset] {
                if *field == u32::MAX as u64 {
                    *field = u64_at(data, at).ok_or(ZipError(
                        "The zip archive is damaged: an entry's ZIP64 field is cut short.".into(),
                    ))?;
                    at += 8;
                }
            }
            return Ok(());
        }
        extra = &extra[4 + len..];
    }
    Ok(())
}

impl Archive<'_> {
    /// The content of one entry, checked against its size and CRC-32.
    pub fn read(&self, entry: &Entry) -> Result<Vec<u8>, ZipError> {
        let name = &entry.name;
        if entry.flags & 1 != 0 {
            return err(format!(
                "The zip entry {name} is encrypted; save it without a password."
            ));
        }
        let at = usize::try_from(entry.local_offset).unwrap_or(usize::MAX);
        if u32_at(self.bytes, at) != Some(LOCAL_SIG) {
            return err(format!(
                "The zip archive is damaged: the entry {name} is not where its directory says."
            ));
        }
        let (Some(name_len), Some(extra_len)) =
            (u16_at(self.bytes, at + 26), u16_at(self.bytes, at + 28))
        else {
            return err(TRUNCATED);
        };
        let start = at + 30 + name_len as usize + extra_len as usize;
        let data = usize::try_from(entry.compressed)
            .ok()
            .and_then(|len| self.bytes.get(start..start.checked_add(len)?))
            .ok_or_else(|| {
                ZipError(format!(
                    "The zip archive is damaged or cut short: the entry {name} runs past the end of the file."
                ))
            })?;
        let size = usize::try_from(entry.size).unwrap_or(usize::MAX);
        let out = match entry.method {
            0 => data.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec_with_limit(data, size).map_err(|_| {
                ZipError(format!(
                    "The zip entry {name} is damaged: it does not inflate to the {size} bytes its directory declares."
                ))
            })?,
            m => {
                return err(format!(
                    "The zip entry {name} is compressed with method {m}; Marginalia reads stored and deflated entries. Re-zip it with a standard tool."
                ))
            }
        };
        if out.len() != size {
            return err(format!(
                "The zip entry {name} is damaged: it holds {} bytes where its directory declares {size}.",
                out.len()
            ));
        }
        if crc32(&out) != entry.crc {
            return err(format!(
                "The zip entry {name} is damaged: its checksum (CRC-32) does not match its content."
            ));
        }
        Ok(out)
    }
}

/// An archive of DEFLATE entries as other tools write them (optionally with data
/// descriptors, as when streaming), for tests of reading. The DEFLATE streams use fixed
/// Huffman codes and literals only: valid, written here so tests need no compressor.
#[cfg(test)]
pub(crate) fn write_deflated(entries: &[(&str, &[u8])], descriptor: bool) -> Vec<u8> {
    let flags = if descriptor { 0x0808 } else { FLAG_UTF8 };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        let packed = deflate_fixed(data);
        let crc = crc32(data);
        put32(&mut out, LOCAL_SIG);
        put16(&mut out, 20);
        put16(&mut out, flags);
        put16(&mut out, 8);
        put16(&mut out, 0);
        put16(&mut out, DOS_DATE);
        let (c, p, u) = if descriptor {
            (0, 0, 0)
        } else {
            (crc, packed.len() as u32, data.len() as u32)
        };
        put32(&mut out, c);
        put32(&mut out, p);
        put32(&mut out, u);
        put16(&mut out, name.len() as u16);
        put16(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&packed);
        if descriptor {
            put32(&mut out, 0x0807_4b50);
            put32(&mut out, crc);
            put32(&mut out, packed.len() as u32);
            put32(&mut out, data.len() as u32);
        }
        put32(&mut central, CENTRAL_SIG);
        put16(&mut central, MADE_BY);
        put16(&mut central, 20);
        put16(&mut central, flags);
        put16(&mut central, 8);
        put16(&mut central, 0);
        put16(&mut central, DOS_DATE);
        put32(&mut central, crc);
        put32(&mut central, packed.len() as u32);
        put32(&mut central, data.len() as u32);
        put16(&mut central, name.len() as u16);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put16(&mut central, 0);
        put32(&mut central, 0);
        put32(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd = out.len();
    out.extend_from_slice(&central);
    put32(&mut out, END_SIG);
    put16(&mut out, 0);
    put16(&mut out, 0);
    put16(&mut out, entries.len() as u16);
    put16(&mut out, entries.len() as u16);
    put32(&mut out, central.len() as u32);
    put32(&mut out, cd as u32);
    put16(&mut out, 0);
    out
}

#[cfg(test)]
fn deflate_fixed(data: &[u8]) -> Vec<u8> {
    struct Bits {
        out: Vec<u8>,
        acc: u32,
        n: u32,
    }
    impl Bits {
        fn put(&mut self, value: u32, len: u32) {
            self.acc |= value << self.n;
            self.n += len;
            while self.n >= 8 {
                self.out.push(self.acc as u8);
                self.acc >>= 8;
                self.n -= 8;
            }
        }
        /// Huffman codes go most significant bit first.
        fn code(&mut self, code: u32, len: u32) {
            self.put(code.reverse_bits() >> (32 - len), len);
        }
    }
    let mut b = Bits {
        out: Vec::new(),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // the final block
    b.put(1, 2); // fixed Huffman codes
    for &byte in data {
        let v = byte as u32;
        if v < 144 {
            b.code(0x30 + v, 8);
        } else {
            b.code(0x190 + (v - 144), 9);
        }
    }
    b.code(0, 7); // end of block (256)
    if b.n > 0 {
        b.out.push(b.acc as u8);
    }
    b.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_of_known_strings() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the standard check value");
        assert_eq!(crc32("“😀”".as_bytes()), 0x55DD_2312);
    }

    #[test]
    fn write_then_read_back() {
        let files: [(&str, &[u8]); 3] = [
            ("a.txt", "“😀”\r\nx".as_bytes()),
            ("dir/é.ann", b"T1\tX 0 1\t\xe2\x80\x9c"),
            ("empty", b""),
        ];
        let zip = write(&files);
        assert_eq!(zip, write(&files), "deterministic");
        let archive = open(&zip, Limits::default()).unwrap();
        let names: Vec<&str> = archive.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a.txt", "dir/é.ann", "empty"]);
        for (entry, (_, data)) in archive.entries.iter().zip(files) {
            assert_eq!(archive.read(entry).unwrap(), data);
        }
    }

    #[test]
    fn deflated_entries_are_read_with_and_without_descriptors() {
        let text = "Rebel forces “stated” 😀 دمشق\r\n".repeat(20);
        for descriptor in [false, true] {
            let zip = write_deflated(&[("doc.txt", text.as_bytes())], descriptor);
            let archive = open(&zip, Limits::default()).unwrap();
            assert_eq!(archive.entries.len(), 1);
            assert_eq!(
                archive.read(&archive.entries[0]).unwrap(),
                text.as_bytes(),
                "descriptor: {descriptor}"
            );
        }
    }

    #[test]
    fn bad_archives_are_refused_by_name() {
        let good = write(&[("a.txt", b"hello")]);
        let deflated = write_deflated(&[("a.txt", b"hello hello")], false);
        // (what, the archive, expected words)
        let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("not a zip", b"hello".to_vec(), "not a zip archive"),
            (
                "cut short",
                good[..good.len() - 5].to_vec(),
                "no end record",
            ),
        ];
        let mut bad_crc = good.clone();
        bad_crc[30 + 5] ^= 1; // a byte of the content
        cases.push(("changed content", bad_crc, "checksum"));
        let mut method = good.clone();
        let cd = good.len() - 22 - 46 - 5;
        method[cd + 10] = 14; // LZMA, in the central directory
        cases.push(("another method", method, "method 14"));
        let mut encrypted = good.clone();
        encrypted[cd + 8] |= 1;
        cases.push(("encrypted", encrypted, "encrypted"));
        let mut lying = deflated.clone();
        let cd = deflated.len() - 22 - 46 - 5;
        lying[cd + 24] = 3; // declares 3 bytes where 11 inflate
        cases.push(("lying size", lying, "does not inflate to the 3 bytes"));
        let mut offset = good.clone();
        offset[cd_at(&good) + 42] = 7;
        cases.push(("moved entry", offset, "not where its directory says"));
        for (what, zip, expected) in cases {
            let result = open(&zip, Limits::default()).and_then(|a| {
                let e = a.entries[0].clone();
                a.read(&e)
            });
            let e = result.expect_err(what).to_string();
            assert!(
                e.contains(expected),
                "{what}: “{e}” should say “{expected}”"
            );
        }
    }

    fn cd_at(zip: &[u8]) -> usize {
        u32_at(zip, zip.len() - 6).unwrap() as usize
    }

    #[test]
    fn zip_bombs_are_refused_before_inflating() {
        let many: Vec<(String, Vec<u8>)> = (0..5)
            .map(|i| (format!("{i}.txt"), vec![b'x'; 10]))
            .collect();
        let refs: Vec<(&str, &[u8])> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice()))
            .collect();
        let zip = write(&refs);
        let few = Limits {
            max_entries: 4,
            max_total: 1000,
        };
        assert!(open(&zip, few).unwrap_err().0.contains("lists 5 entries"));
        let small = Limits {
            max_entries: 10,
            max_total: 45,
        };
        assert!(open(&zip, small)
            .unwrap_err()
            .0
            .contains("would unpack to more than"));
        // A directory that declares 4 GB for a tiny entry.
        let mut huge = write(&[("a.txt", b"hello")]);
        let cd = cd_at(&huge);
        huge[cd + 24..cd + 28].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes());
        assert!(open(&huge, Limits::default())
            .unwrap_err()
            .0
            .contains("would unpack to more than 50 MB"));
    }
}
