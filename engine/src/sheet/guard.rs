//! Refuses zipped workbooks (XLSX, ODS) that would cost far more to read than
//! their size suggests, before calamine allocates anything for them:
//! zip bombs, shared-string tables claiming billions of entries, and ODS
//! cells repeated millions of times.

use super::{Limits, ReadError};
use std::io::{Cursor, Read};

pub(super) fn check_zip(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| ReadError::unreadable("The file looks like a workbook but is damaged or incomplete. Save it again and retry."))?;
    let mut unpacked: u64 = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|_| ReadError::unreadable("The workbook is damaged: one of its parts cannot be read."))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    let allowed = limits.max_inflation.saturating_mul(bytes.len() as u64).max(1 << 20);
    if unpacked > allowed {
        return Err(ReadError::too_large(format!(
            "The workbook unpacks to {unpacked} bytes, far more than its size; it may be a zip bomb and is not read."
        )));
    }
    if let Some((declared, size)) = shared_string_count(&mut archive)? {
        // An entry needs at least `<si><t/></si>`, 13 bytes.
        if declared > size / 13 + 1 || declared > (limits.max_rows * limits.max_columns) as u64 {
            return Err(ReadError::too_large(format!(
                "The workbook claims {declared} shared strings in {size} bytes; it is damaged or hostile and is not read."
            )));
        }
    }
    check_ods_repeats(&mut archive, limits)
}

/// The `uniqueCount` the shared-string table declares, and the table's size.
fn shared_string_count(archive: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<Option<(u64, u64)>, ReadError> {
    let Ok(entry) = archive.by_name("xl/sharedStrings.xml") else { return Ok(None) };
    let size = entry.size();
    let mut head = Vec::with_capacity(4096);
    entry.take(4096).read_to_end(&mut head).map_err(|_| ReadError::unreadable("The workbook's text table is damaged."))?;
    let head = String::from_utf8_lossy(&head);
    let count = ["uniqueCount=\"", "count=\""].iter().find_map(|attribute| {
        let start = head.find(attribute)? + attribute.len();
        head[start..].split('"').next()?.parse::<u64>().ok()
    });
    Ok(count.map(|count| (count, size)))
}

/// ODS repeats a cell with `number-columns-repeated` and a row with
/// `number-rows-repeated`; huge counts are normal for empty filler, but not
/// for cells that hold a value.
fn check_ods_repeats(archive: &mut zip::ZipArchive<Cursor<&[u8]>>, limits: &Limits) -> Result<(), ReadError> {
    let Ok(entry) = archive.by_name("content.xml") else { return Ok(()) };
    let mut content = String::new();
    entry
        .take(256 << 20)
        .read_to_string(&mut content)
        .map_err(|_| ReadError::unreadable("The spreadsheet's content is damaged."))?;
    let refuse = || ReadError::too_large("The spreadsheet repeats a filled cell millions of times; it is not read.");
    for (at, _) in content.match_indices("<table:table-cell ") {
        let tag = tag_at(&content, at);
        if tag.contains("office:value-type") && repeat(tag, "table:number-columns-repeated") > limits.max_columns as u64 {
            return Err(refuse());
        }
    }
    for (at, _) in content.match_indices("<table:table-row ") {
        let tag = tag_at(&content, at);
        if repeat(tag, "table:number-rows-repeated") > limits.max_rows as u64 {
            let end = content[at..].find("</table:table-row>").map_or(content.len(), |e| at + e);
            if content[at..end].contains("office:value-type") {
                return Err(refuse());
            }
        }
    }
    Ok(())
}

fn tag_at(content: &str, at: usize) -> &str {
    let end = content[at..].find('>').map_or(content.len(), |e| at + e);
    &content[at..end]
}

fn repeat(tag: &str, attribute: &str) -> u64 {
    let Some(start) = tag.find(attribute) else { return 1 };
    tag[start + attribute.len()..]
        .trim_start_matches(['=', '"'])
        .split('"')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1)
}
