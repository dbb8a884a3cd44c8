//! Maven versions, ordered as Maven's `ComparableVersion` does: items split at `.`, `-` and at
//! digit/letter boundaries (`-` and boundaries open a nested list), trailing "null" items (0,
//! `ga`/`final`/`release`, empty lists) dropped, qualifiers ordered
//! `alpha < beta < milestone < rc < snapshot < "" (release) < sp < anything else`.

use std::cmp::Ordering;

use super::compare_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Int(String),
    Str(String),
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

fn qualifier_key(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

const RELEASE: &str = "5";

fn string_item(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        s
    };
    let s = match s {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(s.to_string())
}

fn int_item(s: &str) -> Item {
    let t = s.trim_start_matches('0');
    Item::Int(if t.is_empty() { "0".into() } else { t.into() })
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v == "0",
        Item::Str(s) => qualifier_key(s) == RELEASE,
        Item::List(l) => l.is_empty(),
    }
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            // A release qualifier right before a nested list (`1-ga-1`) says nothing: the list's
            // items take its place, so `1-ga-1` equals `1-1`.
            if matches!(list[i], Item::Str(_)) && matches!(list.get(i + 1), Some(Item::List(_))) {
                if let Item::List(inner) = list.remove(i + 1) {
                    list.splice(i..=i, inner);
                }
            } else {
                list.remove(i);
            }
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Parses into nested lists. Lists are built with an explicit path of indices (no recursion on
/// input, so hostile input cannot overflow the stack).
fn parse(version: &str) -> Item {
    let v = version.trim().to_ascii_lowercase();
    let b = v.as_bytes();
    // `lists[k]` is the k-th open list; each nested list is pushed into its parent when closed.
    let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0usize;
    let push_item = |lists: &mut Vec<Vec<Item>>, item: Item| {
        if let Some(l) = lists.last_mut() {
            l.push(item);
        }
    };
    for (i, &c) in b.iter().enumerate() {
        if c == b'.' || c == b'-' {
            if i == start {
                push_item(&mut lists, Item::Int("0".into()));
            } else {
                let s = &v[start..i];
                push_item(
                    &mut lists,
                    if is_digit {
                        int_item(s)
                    } else {
                        string_item(s, false)
                    },
                );
            }
            start = i + 1;
            if c == b'-' {
                lists.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                push_item(&mut lists, string_item(&v[start..i], true));
                start = i;
                lists.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push_item(&mut lists, int_item(&v[start..i]));
                start = i;
                lists.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if b.len() > start {
        let s = &v[start..];
        push_item(
            &mut lists,
            if is_digit {
                int_item(s)
            } else {
                string_item(s, false)
            },
        );
    }
    // Close the open lists innermost first, normalising each.
    while lists.len() > 1 {
        let mut inner = lists.pop().unwrap_or_default();
        normalize(&mut inner);
        push_item(&mut lists, Item::List(inner));
    }
    let mut top = lists.pop().unwrap_or_default();
    normalize(&mut top);
    Item::List(top)
}

fn cmp_null(item: &Item) -> Ordering {
    match item {
        Item::Int(v) => {
            if v == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        Item::Str(s) => qualifier_key(s).as_str().cmp(RELEASE),
        Item::List(l) => l.first().map(cmp_null).unwrap_or(Ordering::Equal),
    }
}

fn cmp(a: &Item, b: &Item) -> Ordering {
    match (a, b) {
        (Item::Int(x), Item::Int(y)) => compare_digits(x, y),
        (Item::Int(_), _) => Ordering::Greater,
        (Item::Str(_), Item::Int(_)) => Ordering::Less,
        (Item::Str(x), Item::Str(y)) => qualifier_key(x).cmp(&qualifier_key(y)),
        (Item::Str(_), Item::List(_)) => Ordering::Less,
        (Item::List(_), Item::Int(_)) => Ordering::Less,
        (Item::List(_), Item::Str(_)) => Ordering::Greater,
        (Item::List(x), Item::List(y)) => {
            let n = x.len().max(y.len());
            for i in 0..n {
                let c = match (x.get(i), y.get(i)) {
                    (Some(l), Some(r)) => cmp(l, r),
                    (Some(l), None) => cmp_null(l),
                    (None, Some(r)) => cmp_null(r).reverse(),
                    (None, None) => Ordering::Equal,
                };
                if c != Ordering::Equal {
                    return c;
                }
            }
            Ordering::Equal
        }
    }
}

/// Orders two Maven versions. Never fails: Maven orders any string.
pub fn compare(a: &str, b: &str) -> Ordering {
    cmp(&parse(a), &parse(b))
}
