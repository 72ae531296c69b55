//! Checks on text that names or identifies someone.

use crate::ParseError;
use std::borrow::Cow;

/// The Unicode bidirectional formatting characters: embeddings and
/// overrides (U+202A–U+202E), isolates (U+2066–U+2069), and the marks
/// LRM (U+200E), RLM (U+200F) and ALM (U+061C). They are invisible and
/// reorder the text around them, so a name holding one can display as
/// another name ("Trojan Source", CVE-2021-42574).
pub const BIDI_CONTROLS: [char; 12] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
];

/// Refuses a name or free-text identity field that holds a bidirectional
/// formatting character; the error names the field and the character.
/// Every parser of names, aliases, descriptions and identity fields calls
/// this one function.
pub fn refuse_bidi_controls(
    field: impl Into<Cow<'static, str>>,
    value: &str,
) -> Result<(), ParseError> {
    match value.chars().find(|c| BIDI_CONTROLS.contains(c)) {
        None => Ok(()),
        Some(c) => Err(ParseError::new(
            field,
            format!(
                "contains an invisible character (U+{:04X}) that changes the direction \
                 in which text is shown; type it again without that character",
                c as u32
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_are_refused_and_named() {
        let cases: &[(&str, Option<u32>)] = &[
            ("Dana", None),
            ("Dana Reyes-O'Neil", None),
            // Right-to-left scripts are names like any other.
            ("\u{062F}\u{0627}\u{0646}\u{0627}", None),
            ("\u{05D3}\u{05E0}\u{05D4}", None),
            ("José Ñúñez", None),
            // Other invisible characters are not bidi controls.
            ("Da\u{200D}na", None),
            ("Da\u{202A}na", Some(0x202A)),
            ("Da\u{202B}na", Some(0x202B)),
            ("Da\u{202C}na", Some(0x202C)),
            ("Da\u{202D}na", Some(0x202D)),
            ("\u{202E}anaD", Some(0x202E)),
            ("Da\u{2066}na", Some(0x2066)),
            ("Da\u{2067}na", Some(0x2067)),
            ("Da\u{2068}na", Some(0x2068)),
            ("Da\u{2069}na", Some(0x2069)),
            ("Dana\u{200E}", Some(0x200E)),
            ("\u{200F}Dana", Some(0x200F)),
            ("Da\u{061C}na", Some(0x061C)),
            // The first one found is named.
            ("\u{2067}a\u{202E}", Some(0x2067)),
        ];
        for (value, refused) in cases {
            let got = refuse_bidi_controls("person.first_name", value);
            match refused {
                None => assert_eq!(got, Ok(()), "{value:?}"),
                Some(code) => {
                    let e = got.unwrap_err();
                    assert_eq!(e.field, "person.first_name", "{value:?}");
                    assert!(
                        e.message.contains(&format!("U+{code:04X}")),
                        "{value:?}: {}",
                        e.message
                    );
                }
            }
        }
        // Every listed character is refused.
        for c in BIDI_CONTROLS {
            assert!(
                refuse_bidi_controls("x", &format!("a{c}b")).is_err(),
                "{c:?}"
            );
        }
    }
}
