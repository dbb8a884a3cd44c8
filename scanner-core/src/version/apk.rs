//! Alpine (apk) versions, compared with apk-tools' token machine (`src/version.c`): digits,
//! letters, `_alpha`/`_beta`/`_pre`/`_rc` (before the release) and `_cvs`/`_svn`/`_git`/`_hg`/`_p`
//! (after), `-rN` revisions. Leading zeros after a dot are significant, as in apk. Digit runs are
//! compared as strings, so no length overflows.

use std::cmp::Ordering;

use super::{compare_digits, ParseError};

/// Token kinds in apk's order. `Invalid` sorts last: as in apk-tools 3, a version that turns
/// invalid at some point is older than one that ends or goes on validly there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Token {
    DigitOrZero = 0,
    Digit = 1,
    Letter = 2,
    Suffix = 3,
    SuffixNo = 4,
    RevisionNo = 5,
    End = 6,
    /// A letter right after a dot (`0.8.21.r2`): compared by its letter, but older than a
    /// letter right after a digit (`0.8.21r2`), as apk-tools 3 orders them.
    DotLetter = 7,
    Invalid = 8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Small(i64),
    Digits(String),
}

fn cmp_value(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Small(x), Value::Small(y)) => x.cmp(y),
        (Value::Digits(x), Value::Digits(y)) => compare_digits(x, y),
        (Value::Digits(x), Value::Small(y)) => digits_vs_small(x, *y),
        (Value::Small(x), Value::Digits(y)) => digits_vs_small(y, *x).reverse(),
    }
}

fn digits_vs_small(d: &str, s: i64) -> Ordering {
    let t = d.trim_start_matches('0');
    if t.len() > 18 {
        return Ordering::Greater;
    }
    t.parse::<i64>().unwrap_or(0).cmp(&s)
}

const PRE: [&str; 4] = ["alpha", "beta", "pre", "rc"];
const POST: [&str; 5] = ["cvs", "svn", "git", "hg", "p"];

struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn left(&self) -> usize {
        self.s.len() - self.at
    }
    fn peek(&self, k: usize) -> Option<u8> {
        self.s.get(self.at + k).copied()
    }
}

fn next_token(kind: &mut Token, c: &mut Cursor<'_>) {
    let mut n = Token::Invalid;
    match c.peek(0) {
        None | Some(0) => n = Token::End,
        Some(ch)
            if matches!(*kind, Token::Digit | Token::DigitOrZero) && ch.is_ascii_lowercase() =>
        {
            n = Token::Letter
        }
        Some(ch) if *kind == Token::Letter && ch.is_ascii_digit() => n = Token::Digit,
        Some(ch) if *kind == Token::Suffix && ch.is_ascii_digit() => n = Token::SuffixNo,
        Some(ch) => {
            match ch {
                b'.' if c.peek(1).is_some_and(|b| b.is_ascii_lowercase()) => n = Token::DotLetter,
                b'.' => n = Token::DigitOrZero,
                b'_' => n = Token::Suffix,
                // apk-tools 3: `-r` must be followed by digits only, to the end.
                b'-' if c.left() > 1
                    && c.peek(1) == Some(b'r')
                    && c.s[c.at + 2..].iter().all(u8::is_ascii_digit) =>
                {
                    n = Token::RevisionNo;
                    c.at += 1;
                }
                _ => {}
            }
            c.at += 1;
        }
    }
    if n != Token::Invalid
        && n < *kind
        && !((n == Token::DigitOrZero && *kind == Token::Digit)
            || (n == Token::Suffix && *kind == Token::SuffixNo)
            || (n == Token::Digit && *kind == Token::Letter))
    {
        n = Token::Invalid;
    }
    *kind = n;
}

fn get_token(kind: &mut Token, c: &mut Cursor<'_>) -> Value {
    if c.left() == 0 {
        *kind = Token::End;
        return Value::Small(0);
    }
    let mut next = Token::Invalid;
    let start = c.at;
    let mut i = 0usize;
    let value;
    match *kind {
        Token::DigitOrZero if c.peek(0) == Some(b'0') => {
            while c.peek(i) == Some(b'0') {
                i += 1;
            }
            next = Token::Digit;
            value = Value::Small(-(i as i64));
        }
        Token::DigitOrZero | Token::Digit | Token::SuffixNo | Token::RevisionNo => {
            while c.peek(i).is_some_and(|b| b.is_ascii_digit()) {
                i += 1;
            }

            let digits = std::str::from_utf8(&c.s[start..start + i]).unwrap_or("");
            value = Value::Digits(if digits.is_empty() {
                "0".into()
            } else {
                digits.into()
            });
        }
        Token::Letter => {
            value = Value::Small(i64::from(c.peek(0).unwrap_or(0)));
            i = 1;
        }
        Token::DotLetter => {
            value = Value::Small(i64::from(c.peek(0).unwrap_or(0)));
            i = 1;
            // What follows is read as after any letter.
            *kind = Token::Letter;
        }
        Token::Suffix => {
            let rest = &c.s[start..];
            if let Some(p) = PRE.iter().position(|s| rest.starts_with(s.as_bytes())) {
                i = PRE[p].len();
                value = Value::Small(p as i64 - PRE.len() as i64);
            } else if let Some(p) = POST.iter().position(|s| rest.starts_with(s.as_bytes())) {
                i = POST[p].len();
                value = Value::Small(p as i64);
            } else {
                *kind = Token::Invalid;
                return Value::Small(-1);
            }
        }
        _ => {
            *kind = Token::Invalid;
            return Value::Small(-1);
        }
    }
    c.at += i;
    if c.left() == 0 {
        *kind = Token::End;
    } else if next != Token::Invalid {
        *kind = next;
    } else {
        next_token(kind, c);
    }
    value
}

fn is_negative(v: &Value) -> bool {
    matches!(v, Value::Small(x) if *x < 0)
}

/// Orders two apk versions as `apk version -t` does.
pub fn compare(a: &str, b: &str) -> Result<Ordering, ParseError> {
    let mut ca = Cursor {
        s: a.as_bytes(),
        at: 0,
    };
    let mut cb = Cursor {
        s: b.as_bytes(),
        at: 0,
    };
    let (mut at, mut bt) = (Token::Digit, Token::Digit);
    let (mut av, mut bv) = (Value::Small(0), Value::Small(0));
    while at == bt
        && at != Token::End
        && at != Token::Invalid
        && cmp_value(&av, &bv) == Ordering::Equal
    {
        av = get_token(&mut at, &mut ca);
        bv = get_token(&mut bt, &mut cb);
    }
    match cmp_value(&av, &bv) {
        Ordering::Equal => {}
        other => return Ok(other),
    }
    if at == bt {
        return Ok(Ordering::Equal);
    }
    // Equal so far; the longer one is newer unless what follows is a pre-release suffix.
    let mut tt = at;
    if at == Token::Suffix && is_negative(&get_token(&mut tt, &mut ca)) {
        return Ok(Ordering::Less);
    }
    let mut tt = bt;
    if bt == Token::Suffix && is_negative(&get_token(&mut tt, &mut cb)) {
        return Ok(Ordering::Greater);
    }
    Ok(if at > bt {
        Ordering::Less
    } else if bt > at {
        Ordering::Greater
    } else {
        Ordering::Equal
    })
}
