//! Sheets made from other sheets: the admin's fixes in the page, and the
//! sheet as it crosses the network to be imported. Both are rebuilt through
//! the reader's [`Builder`], so limits and reading problems are checked the
//! same way as for a file.

use super::{Builder, Limits, ReadError, Sheet};
use crate::pace::{straight, Pace, Paced, Steps, Straight, ROWS_A_STEP};
use serde::{Deserialize, Serialize};
use crate::digest::hex;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// What the admin changed in the page, by the file's row numbers and column
/// positions, so that the messages keep naming the rows of their file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edits {
    /// The heading of each column; `None` leaves the column out (Ignore).
    /// Columns past the end keep their heading.
    pub headings: Vec<Option<String>>,
    /// New values by (row number, column position).
    pub cells: BTreeMap<(u32, usize), String>,
    pub removed: BTreeSet<u32>,
}

impl Edits {
    /// No change: every column under its own heading.
    pub fn none(sheet: &Sheet) -> Self {
        Self { headings: sheet.headings.iter().cloned().map(Some).collect(), ..Self::default() }
    }
}

impl Sheet {
    /// This sheet with the admin's edits applied.
    pub fn edited<'a>(&'a self, edits: &'a Edits, limits: &'a Limits, pace: &'a mut dyn Pace) -> Paced<'a, Result<Sheet, ReadError>> {
        Box::pin(async move {
            let kept: Vec<usize> = (0..self.headings.len().max(edits.headings.len()))
                .filter(|at| !matches!(edits.headings.get(*at), Some(None)))
                .collect();
            let heading = |at: usize| match edits.headings.get(at) {
                Some(Some(name)) => name.as_str(),
                _ => self.headings.get(at).map_or("", String::as_str),
            };
            let mut builder = Builder::exact(limits);
            builder.row(1, kept.iter().map(|at| heading(*at)))?;
            let mut steps = Steps::new(pace, self.len(), ROWS_A_STEP);
            for row in self.rows().filter(|row| !edits.removed.contains(&row.number)) {
                steps.advance(1).await;
                let cell = |at: usize| edits.cells.get(&(row.number, at)).map_or_else(|| row.cell(at), String::as_str);
                // Cells past the last heading stay, so a value without a heading is still reported.
                let extra = (self.headings.len().max(edits.headings.len())..row.len()).map(cell);
                builder.row(row.number, kept.iter().map(|at| cell(*at)).chain(extra))?;
            }
            Ok(builder.finish())
    
        })
    }

    /// A sheet made by Roster itself (an undo), rows numbered from 2.
    pub fn from_rows(headings: &[String], rows: &[Vec<String>], limits: &Limits) -> Result<Sheet, ReadError> {
        let mut builder = Builder::exact(limits);
        builder.row(1, headings.iter().map(String::as_str))?;
        for (at, row) in rows.iter().enumerate() {
            builder.row(at as u32 + 2, row.iter().map(String::as_str))?;
        }
        Ok(builder.finish())
    }

    /// The sheet's content as it will be imported, for recognising a batch sent twice.
    /// The checksum of every heading and cell but those of column `secret`
    /// (the passwords): the history shows it, and a hash over a known row
    /// and a weak password could be guessed back.
    pub fn checksum(&self, secret: Option<usize>) -> String {
        let mut hash = Sha256::new();
        for heading in &self.headings {
            hash.update((heading.len() as u64).to_le_bytes());
            hash.update(heading);
        }
        for row in self.rows() {
            hash.update(row.number.to_le_bytes());
            for (at, cell) in row.cells().enumerate() {
                let cell = if Some(at) == secret { "" } else { cell };
                hash.update((cell.len() as u64).to_le_bytes());
                hash.update(cell);
            }
        }
        hex(&hash.finalize())
    }

    /// The parts to send; the receiver checks them with [`Sheet::from_parts`].
    pub fn to_parts(&self) -> Parts {
        self.clone().into_parts()
    }

    pub fn into_parts(self) -> Parts {
        let rows = self.rows.iter().map(|s| [s.number, s.first, s.len]).collect();
        Parts { headings: self.headings, text: self.text, ends: self.ends, rows }
    }

    /// A sheet from parts that came over the network.
    pub fn from_parts(parts: &Parts, limits: &Limits) -> Result<Sheet, ReadError> {
        let text = parts.text.as_bytes();
        straight(Self::rebuilt(&parts.headings, text, &parts.ends, &parts.rows, limits, &mut Straight))
    }

    /// A sheet from the parts of one read elsewhere (sent over the network,
    /// or read in the page's Web Worker): every offset is checked before
    /// use, every cell must be UTF-8, and the rows go through the reader's
    /// limits again.
    pub fn rebuilt<'a>(
        headings: &'a [String],
        text: &'a [u8],
        ends: &'a [u32],
        rows: &'a [[u32; 3]],
        limits: &'a Limits,
        pace: &'a mut dyn Pace,
    ) -> Paced<'a, Result<Sheet, ReadError>> {
        Box::pin(async move {
            let broken = || ReadError::unreadable("The batch arrived damaged. Check the file again and retry.");
            if text.len() > limits.max_bytes.saturating_mul(2) {
                return Err(ReadError::too_large("The batch holds more text than an import may; split the file."));
            }
            if ends.windows(2).any(|pair| pair[1] < pair[0]) || ends.last().is_some_and(|end| *end as usize > text.len()) {
                return Err(broken());
            }
            let mut last_number = 1;
            for [number, first, len] in rows {
                if *number <= last_number || u64::from(*first) + u64::from(*len) > ends.len() as u64 {
                    return Err(broken());
                }
                last_number = *number;
            }
            let start = |cell: usize| if cell == 0 { 0 } else { ends[cell - 1] as usize };
            let mut builder = Builder::exact(limits);
            builder.row(1, headings.iter().map(String::as_str))?;
            let mut steps = Steps::new(pace, rows.len(), ROWS_A_STEP);
            for [number, first, len] in rows {
                steps.advance(1).await;
                let cells = *first as usize..*first as usize + *len as usize;
                // The row's text is one run of the buffer; each cell must start on a character.
                let from = start(cells.start);
                let line = std::str::from_utf8(&text[from..start(cells.end)]).map_err(|_| broken())?;
                if !cells.clone().all(|cell| line.is_char_boundary(start(cell) - from)) {
                    return Err(broken());
                }
                builder.row(*number, cells.map(|cell| line.get(start(cell) - from..ends[cell] as usize - from).unwrap_or_default()))?;
            }
            Ok(builder.finish())
    
        })
    }
}

/// A sheet as it crosses the network: one text buffer and offsets into it,
/// compact in CBOR and cheap to check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parts {
    pub headings: Vec<String>,
    pub text: String,
    pub ends: Vec<u32>,
    /// Row number, first cell, cell count.
    pub rows: Vec<[u32; 3]>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read;

    fn sheet(text: &str) -> Sheet {
        read(text.as_bytes(), &Limits::default()).unwrap()
    }

    fn cells(sheet: &Sheet) -> Vec<(u32, Vec<&str>)> {
        sheet.rows().map(|r| (r.number, r.cells().collect())).collect()
    }

    #[test]
    fn edits_rename_and_drop_columns_change_cells_and_remove_rows_keeping_row_numbers() {
        let original = sheet("Email,Surname,Shoe size\na@x.org,Lee,9\n\nb@x.org,Kim,10\nc@x.org,Ray,11\n'''=x,,\n");
        let mut edits = Edits::none(&original);
        edits.headings = vec![Some("Email".into()), Some("Last Name".into()), None];
        edits.cells.insert((4, 0), "bee@x.org".into());
        edits.removed.insert(5);
        edits.removed.insert(6);
        let edited = straight(original.edited(&edits, &Limits::default(), &mut Straight)).unwrap();
        assert_eq!(edited.headings, ["Email", "Last Name"]);
        assert_eq!(cells(&edited), [(2, vec!["a@x.org", "Lee"]), (4, vec!["bee@x.org", "Kim"])]);
        assert_eq!(straight(original.edited(&Edits::none(&original), &Limits::default(), &mut Straight)).unwrap(), original);
    }

    #[test]
    fn parts_round_trip_and_damaged_parts_are_refused_not_trusted() {
        let original = sheet("Email,Last Name\na@x.org,Lee\n\nb@x.org,Kim,extra\n''=x,'-1\n");
        assert_eq!(original.rows().last().unwrap().cells().collect::<Vec<_>>(), ["'=x", "-1"]);
        let parts = original.to_parts();
        let back = Sheet::from_parts(&parts, &Limits::default()).unwrap();
        assert_eq!(back, original, "issues are found again on arrival");
        assert_eq!(back.checksum(None), original.checksum(None));

        let damaged = [
            Parts { ends: vec![3, 2], ..parts.clone() },
            Parts { ends: vec![9999], ..parts.clone() },
            Parts { rows: vec![[2, 0, 99]], ..parts.clone() },
            Parts { rows: vec![[3, 0, 1], [3, 1, 1]], ..parts.clone() },
            Parts { rows: vec![[1, 0, 1]], ..parts.clone() },
            Parts { text: "é".into(), ends: vec![1], rows: vec![[2, 0, 1]], ..parts.clone() },
            // Valid text, but a cell ends inside a character.
            Parts { text: "éa".into(), ends: vec![1, 3], rows: vec![[2, 0, 2]], ..parts.clone() },
        ];
        for parts in damaged {
            assert!(Sheet::from_parts(&parts, &Limits::default()).is_err(), "{parts:?}");
        }
        let limits = Limits { max_rows: 1, ..Limits::default() };
        assert_eq!(Sheet::from_parts(&parts, &limits).unwrap_err().code, crate::import::Code::FileTooLarge);
    }

    #[test]
    fn a_sheet_read_elsewhere_is_rebuilt_in_steps() {
        let text: String = (0..1000).map(|i| format!("u{i}@x.org,Lee\n")).collect();
        let original = sheet(&format!("Email,Last Name\n{text}"));
        let parts = original.to_parts();
        let (mut record, limits) = (crate::pace::Record::default(), Limits::default());
        let rebuilt = Sheet::rebuilt(&parts.headings, parts.text.as_bytes(), &parts.ends, &parts.rows, &limits, &mut record);
        assert_eq!(straight(rebuilt).unwrap(), original);
        assert_eq!(record.0, [(256, 1000), (512, 1000), (768, 1000)]);
    }

    #[test]
    fn the_checksum_follows_the_content() {
        let a = sheet("Email\na@x.org\n");
        assert_ne!(a.checksum(None), sheet("Email\nb@x.org\n").checksum(None));
        assert_ne!(a.checksum(None), sheet("Email\n\na@x.org\n").checksum(None), "row numbers count");
        // Leaving a column out: its cells no longer count, the others do.
        let with = sheet("Email,Password\na@x.org,Secret 1\n");
        let other = sheet("Email,Password\na@x.org,Secret 2\n");
        assert_ne!(with.checksum(None), other.checksum(None));
        assert_eq!(with.checksum(Some(1)), other.checksum(Some(1)));
        assert_ne!(with.checksum(Some(1)), sheet("Email,Password\nb@x.org,Secret 1\n").checksum(Some(1)));
    }
}
