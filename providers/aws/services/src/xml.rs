//! XML answers (the query and REST-XML protocols) as JSON values, so that every service's mapping
//! reads one kind of tree whatever protocol it speaks.
//!
//! An element with child elements becomes an object of its children by name; a name that occurs
//! more than once becomes an array. An element with only text becomes that text (entities
//! decoded), an empty element the empty string. Attributes are dropped (no AWS answer we read
//! carries data in them). XML cannot say whether one child is a list of one: the readers ask for
//! a list with [`members`], which takes both forms.

use serde_json::{Map, Value};

/// Deepest element nesting accepted: AWS answers nest about ten levels; a deeper document is
/// refused instead of recursing without bound.
pub const MAX_DEPTH: usize = 64;

/// The document's root element as a value, or why the text is not a document we read.
pub fn parse(text: &str) -> Result<(String, Value), String> {
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            nodes_limit: 5_000_000,
        },
    )
    .map_err(|e| format!("the answer is not XML: {e}"))?;
    let root = doc.root_element();
    Ok((root.tag_name().name().to_string(), element(root, 0)?))
}

fn element(node: roxmltree::Node<'_, '_>, depth: usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("the answer nests deeper than {MAX_DEPTH} elements"));
    }
    let mut children = node.children().filter(|c| c.is_element()).peekable();
    if children.peek().is_none() {
        let text: String = node
            .children()
            .filter_map(|c| c.text())
            .collect::<Vec<_>>()
            .concat();
        return Ok(Value::String(text));
    }
    let mut map = Map::new();
    for child in children {
        let name = child.tag_name().name().to_string();
        let value = element(child, depth + 1)?;
        match map.get_mut(&name) {
            None => {
                map.insert(name, value);
            }
            Some(Value::Array(items)) if repeated(&node, &name) => items.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        }
    }
    Ok(Value::Object(map))
}

/// True when `name` occurs more than once under `node` and the array in the map is the one made
/// of those occurrences (not a value that happened to be an array).
fn repeated(node: &roxmltree::Node<'_, '_>, name: &str) -> bool {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .nth(1)
        .is_some()
}

/// The items of an XML list: `list` is the wrapper element's value and `item` the name of each
/// entry (`member` in the query protocol, `HostedZone` in Route 53). An absent or empty list is
/// empty; one entry is a list of one.
pub fn members<'a>(list: &'a Value, item: &str) -> Vec<&'a Value> {
    match list.get(item) {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_of_one_and_many_read_the_same() {
        let (root, v) = parse(
            "<R xmlns=\"x\"><Result><Items><member><Id>a</Id></member></Items>\
             <More><member><Id>b</Id></member><member><Id>c&amp;d</Id></member></More>\
             <Empty/></Result></R>",
        )
        .expect("xml");
        assert_eq!(root, "R");
        let one = members(&v["Result"]["Items"], "member");
        assert_eq!(one, vec![&json!({"Id": "a"})]);
        let two: Vec<_> = members(&v["Result"]["More"], "member")
            .into_iter()
            .map(|m| m["Id"].clone())
            .collect();
        assert_eq!(two, vec![json!("b"), json!("c&d")]);
        assert_eq!(v["Result"]["Empty"], json!(""));
        assert!(members(&v["Result"]["Empty"], "member").is_empty());
    }

    #[test]
    fn a_document_nested_without_bound_is_refused_not_followed() {
        let deep = "<a>".repeat(MAX_DEPTH + 10) + &"</a>".repeat(MAX_DEPTH + 10);
        assert!(parse(&deep).is_err());
        assert!(parse("not xml").is_err());
        assert!(parse("<!DOCTYPE x [<!ENTITY e \"e\">]><x>&e;</x>").is_err());
    }
}
