//! What a workspace tells the people who sign in to it: its display name, accent colour,
//! logo and support contact (branding), and what each of its scopes means (descriptions,
//! and which are sensitive), so that consent speaks in words and in order of risk. No I/O.

use super::error::OAuthError;
use super::scope::Scopes;
use base64::{engine::general_purpose::STANDARD, Engine};

/// The largest logo stored and served inline (a data: URI on every page).
pub const MAX_LOGO_BYTES: usize = 16 * 1024;

/// A workspace's branding; every field optional (the pages fall back to the host's name and
/// the default colours).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    pub display_name: Option<String>,
    /// `#rrggbb`, dark enough for white text on it (4.5:1, WCAG 1.4.3).
    pub accent: Option<String>,
    pub logo: Option<Logo>,
    /// `mailto:` or `https:` where people get help.
    pub support: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logo {
    /// `image/png`, `image/jpeg`, `image/webp` or `image/svg+xml`, from the bytes themselves.
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Logo {
    /// A logo from its file's bytes: a known image type, at most [`MAX_LOGO_BYTES`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, OAuthError> {
        if bytes.is_empty() || bytes.len() > MAX_LOGO_BYTES {
            return Err(OAuthError::invalid_request(format!(
                "a logo is 1 to {MAX_LOGO_BYTES} bytes"
            )));
        }
        let media_type = media_type(&bytes).ok_or_else(|| {
            OAuthError::invalid_request("a logo is a PNG, JPEG, WebP or SVG image")
        })?;
        Ok(Self { media_type, bytes })
    }

    /// The logo as a `data:` URI (the pages' CSP allows `img-src data:`; an SVG shown by
    /// `<img>` runs no script).
    pub fn data_uri(&self) -> String {
        format!(
            "data:{};base64,{}",
            self.media_type,
            STANDARD.encode(&self.bytes)
        )
    }
}

fn media_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        let text = std::str::from_utf8(bytes).ok()?;
        let start = text.trim_start().trim_start_matches('\u{feff}');
        (start.starts_with("<svg") || start.starts_with("<?xml") && text.contains("<svg"))
            .then_some("image/svg+xml")
    }
}

/// Control characters, and the invisible ones that reorder or hide text (bidirectional
/// overrides, zero-width characters): none belongs in words people must trust.
fn deceptive(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// Validates what an operator sets.
pub fn validate(b: &Branding) -> Result<(), OAuthError> {
    if let Some(name) = &b.display_name {
        let n = name.chars().count();
        if !(1..=80).contains(&n) || name.chars().any(deceptive) {
            return Err(OAuthError::invalid_request(
                "a display name is 1 to 80 characters, none of them control or invisible characters",
            ));
        }
    }
    if let Some(accent) = &b.accent {
        let rgb = parse_hex(accent).ok_or_else(|| {
            OAuthError::invalid_request("an accent colour is #rrggbb (six hex digits)")
        })?;
        let ratio = contrast_with_white(rgb);
        if ratio < 4.5 {
            return Err(OAuthError::invalid_request(format!(
                "the accent colour {accent} is too light for white text on it ({ratio:.2}:1; at least 4.5:1 is needed)"
            )));
        }
    }
    if let Some(support) = &b.support {
        let ok = (support.starts_with("mailto:") || support.starts_with("https://"))
            && support.len() <= 200
            && !support.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(OAuthError::invalid_request(
                "the support contact is a mailto: or https:// URL of at most 200 characters",
            ));
        }
    }
    Ok(())
}

fn parse_hex(s: &str) -> Option<[u8; 3]> {
    let hex = s.strip_prefix('#').filter(|h| h.len() == 6)?;
    let byte = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
    Some([byte(0)?, byte(2)?, byte(4)?])
}

/// WCAG 2.1's contrast ratio of `rgb` against white.
pub fn contrast_with_white(rgb: [u8; 3]) -> f64 {
    let channel = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2]);
    1.05 / (l + 0.05)
}

/// What a scope means, as registered for a workspace (or built in, for OpenID's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeInfo {
    pub name: String,
    pub description: String,
    /// Shown first and marked on consent.
    pub sensitive: bool,
}

pub fn validate_scope(s: &ScopeInfo) -> Result<(), OAuthError> {
    let name_ok = !s.name.is_empty()
        && s.name.len() <= 100
        && s.name
            .bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
    if !name_ok {
        return Err(OAuthError::invalid_request(
            "a scope name is 1 to 100 characters of RFC 6749 section 3.3's scope-token",
        ));
    }
    let n = s.description.chars().count();
    if !(1..=200).contains(&n) || s.description.chars().any(deceptive) {
        return Err(OAuthError::invalid_request(
            "a scope description is 1 to 200 characters, none of them control or invisible characters",
        ));
    }
    Ok(())
}

/// A line of the consent page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentLine {
    pub name: String,
    /// `None`: nobody described this scope (its name is all there is to show).
    pub description: Option<String>,
    pub sensitive: bool,
}

/// The requested scopes as the consent page lists them: described by the workspace's
/// registry, or by `built_in` (OpenID's standard scopes, in the page's language: words and
/// whether the scope is sensitive), sensitive ones first, then described ones, then the rest;
/// by name within each group.
pub fn consent_lines(
    requested: &Scopes,
    registry: &[ScopeInfo],
    built_in: impl Fn(&str) -> Option<(&'static str, bool)>,
) -> Vec<ConsentLine> {
    let mut lines: Vec<ConsentLine> = requested
        .iter()
        .map(|name| match registry.iter().find(|s| s.name == name) {
            Some(s) => ConsentLine {
                name: name.to_owned(),
                description: Some(s.description.clone()),
                sensitive: s.sensitive,
            },
            None => {
                let (description, sensitive) =
                    built_in(name).map_or((None, false), |(d, s)| (Some(d.to_owned()), s));
                ConsentLine {
                    name: name.to_owned(),
                    description,
                    sensitive,
                }
            }
        })
        .collect();
    lines.sort_by_key(|l| (!l.sensitive, l.description.is_none()));
    lines
}

/// A workspace's settings, read together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkspaceConfig {
    pub branding: Branding,
    pub scopes: Vec<ScopeInfo>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenID's standard scopes as a page would describe two of them.
    fn built_in(name: &str) -> Option<(&'static str, bool)> {
        match name {
            "openid" => Some(("your user ID", false)),
            "offline_access" => Some(("access while you are away", true)),
            _ => None,
        }
    }

    fn scope(name: &str, sensitive: bool) -> ScopeInfo {
        ScopeInfo {
            name: name.into(),
            description: format!("about {name}"),
            sensitive,
        }
    }

    #[test]
    fn consent_lists_sensitive_first_then_described_then_the_rest() {
        let asked = Scopes::parse("zeta openid payments.admin read offline_access").unwrap();
        let registry = [scope("read", false), scope("payments.admin", true)];
        let lines = consent_lines(&asked, &registry, built_in);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["offline_access", "payments.admin", "openid", "read", "zeta"]
        );
        assert_eq!(
            lines[1].description.as_deref(),
            Some("about payments.admin")
        );
        assert!(lines[0].sensitive, "offline_access is sensitive by default");
        assert_eq!(lines[4].description, None);
    }

    #[test]
    fn a_workspace_description_overrides_the_built_in_one() {
        let asked = Scopes::parse("openid").unwrap();
        let lines = consent_lines(&asked, &[scope("openid", true)], built_in);
        assert_eq!(lines[0].description.as_deref(), Some("about openid"));
        assert!(lines[0].sensitive);
    }

    #[test]
    fn an_accent_must_carry_white_text() {
        let with = |accent: &str| Branding {
            accent: Some(accent.into()),
            ..Default::default()
        };
        assert!(validate(&with("#1f5bd8")).is_ok());
        assert!(validate(&with("#8db4ff")).is_err(), "too light");
        assert!(validate(&with("1f5bd8")).is_err());
        assert!(validate(&with("#1f5bd")).is_err());
        assert!(validate(&with("#gg5bd8")).is_err());
        assert!((contrast_with_white([0x1f, 0x5b, 0xd8]) - 5.92).abs() < 0.01);
    }

    #[test]
    fn logos_are_small_images_of_a_known_type() {
        let png = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0; 32]].concat();
        assert_eq!(Logo::from_bytes(png).unwrap().media_type, "image/png");
        let svg = b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec();
        let logo = Logo::from_bytes(svg).unwrap();
        assert!(logo.data_uri().starts_with("data:image/svg+xml;base64,"));
        assert!(Logo::from_bytes(b"<html><script>".to_vec()).is_err());
        assert!(Logo::from_bytes(vec![0xff, 0xd8, 0xff, 0]).is_ok());
        let big = [b"\x89PNG\r\n\x1a\n".as_slice(), &vec![0; MAX_LOGO_BYTES]].concat();
        assert!(Logo::from_bytes(big).is_err());
    }

    #[test]
    fn names_descriptions_and_contacts_are_checked() {
        let ok = ScopeInfo {
            name: "payments.admin".into(),
            description: "Move money".into(),
            sensitive: true,
        };
        assert!(validate_scope(&ok).is_ok());
        for bad in ["", "a b", "quote\"", "back\\slash"] {
            let s = ScopeInfo {
                name: bad.into(),
                ..ok.clone()
            };
            assert!(validate_scope(&s).is_err(), "{bad:?}");
        }
        let long = ScopeInfo {
            description: "x".repeat(201),
            ..ok.clone()
        };
        assert!(validate_scope(&long).is_err());
        let support = |s: &str| Branding {
            support: Some(s.into()),
            ..Default::default()
        };
        assert!(validate(&support("mailto:help@example.com")).is_ok());
        assert!(validate(&support("https://help.example.com")).is_ok());
        assert!(validate(&support("javascript:alert(1)")).is_err());
        assert!(validate(&support("http://help.example.com")).is_err());
        let name = |s: &str| Branding {
            display_name: Some(s.into()),
            ..Default::default()
        };
        assert!(validate(&name("Acme Sign-in")).is_ok());
        assert!(validate(&name("")).is_err());
        assert!(validate(&name("bad\nname")).is_err());
        assert!(
            validate(&name("Acme\u{202e}nimda")).is_err(),
            "a bidi override"
        );
        assert!(
            validate(&name("Ac\u{200b}me")).is_err(),
            "a zero-width space"
        );
    }
}
