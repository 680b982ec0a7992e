//! The resource model, derived from the extracted cases alone: which documented operation
//! acts on which entity set, entity, bound action or function, or navigation item, and which
//! type each returns. Nothing here knows an API: the shapes of the documented URLs decide.
//!
//! A URL's path is read as segments. The literal segments before the first `{placeholder}`
//! name an entity set; `set/{id}` is an entity, `set/{id}/name` a bound action (`POST`) or
//! function (`GET`), and `set/{id}/nav/{itemId}` an item reached through a navigation
//! property. A set documented only by its own URL (a list or a create) is a set too.

use serde::Serialize;

use crate::case::Case;

/// What an operation does, by the shape of its URL and its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, strum::IntoStaticStr)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Kind {
    List,
    Create,
    Read,
    Replace,
    Update,
    Delete,
    Action,
    Function,
    NavigationRead,
    NavigationUpdate,
    NavigationDelete,
}

impl Kind {
    /// The name the conventions' rules use.
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One documented example, placed in the model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The case id.
    pub case: String,
    pub kind: Kind,
    pub method: String,
    /// The documented URL, with its placeholders.
    pub url: String,
    /// The bound action or function, or the navigation property.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The OData type of the response body (of its items, for a list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
}

/// An entity set and everything documented on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntitySet {
    /// The documented URL of the set (`https://graph.microsoft.com/beta/trustFramework/keySets`).
    pub url: String,
    /// The type of its entities, from what its reads, creates or lists return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity_type: Option<String>,
    pub operations: Vec<Operation>,
}

impl EntitySet {
    /// The first operation of a kind (with a name, for actions, functions and navigations).
    pub fn find(&self, kind: Kind, name: Option<&str>) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|o| o.kind == kind && (name.is_none() || o.name.as_deref() == name))
    }
}

/// A documented example the model has no place for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unplaced {
    pub case: String,
    pub reason: String,
}

/// The resource model of a doc set.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Model {
    pub sets: Vec<EntitySet>,
    pub unplaced: Vec<Unplaced>,
}

impl Model {
    /// Every operation by its case id, with its set.
    pub fn index(&self) -> std::collections::HashMap<&str, (&EntitySet, &Operation)> {
        self.sets
            .iter()
            .flat_map(|s| s.operations.iter().map(move |o| (o.case.as_str(), (s, o))))
            .collect()
    }

    /// The set and operation of a case.
    pub fn operation(&self, case_id: &str) -> Option<(&EntitySet, &Operation)> {
        self.sets
            .iter()
            .find_map(|s| s.operations.iter().find(|o| o.case == case_id).map(|o| (s, o)))
    }
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}') && !segment.starts_with("{{")
}

/// The origin (`https://host`) and path segments of a documented URL, without its query.
pub fn split(url: &str) -> (String, Vec<String>) {
    let url = url.split(['?', '#']).next().unwrap_or(url);
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let origin = if scheme.is_empty() { host.to_string() } else { format!("{scheme}://{host}") };
    let segments = path.split('/').filter(|s| !s.is_empty()).map(str::to_string).collect();
    (origin, segments)
}

fn join(origin: &str, segments: &[String]) -> String {
    format!("{origin}/{}", segments.join("/"))
}

/// Builds the model from the cases (in the order given; the result is sorted by URL).
pub fn derive<'a>(cases: impl IntoIterator<Item = &'a Case>) -> Model {
    let cases: Vec<&Case> = cases.into_iter().collect();
    // Sets: the literal prefix before the first placeholder of any documented URL.
    let mut set_urls: Vec<String> = Vec::new();
    for case in &cases {
        let (origin, segments) = split(&case.request.url);
        if let Some(i) = segments.iter().position(|s| is_placeholder(s))
            && i > 0
        {
            set_urls.push(join(&origin, &segments[..i]));
        }
    }
    for case in &cases {
        let (origin, segments) = split(&case.request.url);
        let collection = case.response.as_ref().is_some_and(|r| r.is_collection);
        let method = case.request.method.to_ascii_uppercase();
        if !segments.is_empty()
            && !segments.iter().any(|s| is_placeholder(s))
            && (method == "POST" || collection)
        {
            // A POST to a placeholder-free URL that is a known set's action (none here) would
            // need the set first; such a URL is only a set when nothing longer claims it.
            let url = join(&origin, &segments);
            if !set_urls.iter().any(|s| url.starts_with(&format!("{s}/"))) {
                set_urls.push(url);
            }
        }
    }
    set_urls.sort();
    set_urls.dedup();
    let mut sets: Vec<EntitySet> = set_urls
        .into_iter()
        .map(|url| EntitySet { url, entity_type: None, operations: Vec::new() })
        .collect();
    let mut unplaced = Vec::new();
    for case in &cases {
        let (origin, segments) = split(&case.request.url);
        let url = join(&origin, &segments);
        let method = case.request.method.to_ascii_uppercase();
        // The longest set URL that is this URL or a prefix of it at a segment boundary.
        let Some(set) = sets
            .iter_mut()
            .filter(|s| url == s.url || url.starts_with(&format!("{}/", s.url)))
            .max_by_key(|s| s.url.len())
        else {
            unplaced.push(Unplaced {
                case: case.id.clone(),
                reason: "its URL names no entity set (no literal path before a placeholder)".into(),
            });
            continue;
        };
        let (_, set_segments) = split(&set.url);
        let rest = &segments[set_segments.len()..];
        let ph = |i: usize| rest.get(i).is_some_and(|s| is_placeholder(s));
        let lit = |i: usize| rest.get(i).filter(|s| !is_placeholder(s)).cloned();
        let placed = match (rest.len(), method.as_str()) {
            (0, "GET") => Some((Kind::List, None)),
            (0, "POST") => Some((Kind::Create, None)),
            (1, "GET") if ph(0) => Some((Kind::Read, None)),
            (1, "PUT") if ph(0) => Some((Kind::Replace, None)),
            (1, "PATCH") if ph(0) => Some((Kind::Update, None)),
            (1, "DELETE") if ph(0) => Some((Kind::Delete, None)),
            (2, "POST") if ph(0) && lit(1).is_some() => Some((Kind::Action, lit(1))),
            (2, "GET") if ph(0) && lit(1).is_some() => Some((Kind::Function, lit(1))),
            (3, "GET") if ph(0) && ph(2) && lit(1).is_some() => {
                Some((Kind::NavigationRead, lit(1)))
            }
            (3, "PATCH") if ph(0) && ph(2) && lit(1).is_some() => {
                Some((Kind::NavigationUpdate, lit(1)))
            }
            (3, "DELETE") if ph(0) && ph(2) && lit(1).is_some() => {
                Some((Kind::NavigationDelete, lit(1)))
            }
            _ => None,
        };
        let Some((kind, name)) = placed else {
            unplaced.push(Unplaced {
                case: case.id.clone(),
                reason: format!(
                    "`{method} {}` is no shape the model knows (set, entity, bound operation, navigation item)",
                    case.request.url
                ),
            });
            continue;
        };
        set.operations.push(Operation {
            case: case.id.clone(),
            kind,
            method,
            url: case.request.url.clone(),
            name,
            returns: case.response.as_ref().and_then(|r| r.odata_type.clone()),
        });
    }
    for set in &mut sets {
        set.operations.sort_by(|a, b| (a.kind, &a.case).cmp(&(b.kind, &b.case)));
        set.entity_type =
            [Kind::Read, Kind::Create, Kind::List, Kind::Replace, Kind::Update].iter().find_map(
                |k| set.operations.iter().filter(|o| o.kind == *k).find_map(|o| o.returns.clone()),
            );
    }
    sets.retain(|s| !s.operations.is_empty());
    unplaced.sort_by(|a, b| a.case.cmp(&b.case));
    Model { sets, unplaced }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn case(id: &str, method: &str, url: &str, returns: Option<&str>) -> Case {
        serde_json::from_value(serde_json::json!({
            "format": 1,
            "id": id,
            "request": {"method": method, "url": url},
            "response": {"status": 200, "odataType": returns},
        }))
        .unwrap()
    }

    #[test]
    fn places_each_operation_by_the_shape_of_its_url() {
        let base = "https://api.example/v1/shelves";
        let cases = [
            case("p::list", "GET", base, Some("ns.shelf")),
            case("p::create", "POST", base, Some("ns.shelf")),
            case("p::get", "GET", &format!("{base}/{{id}}"), Some("ns.shelf")),
            case("p::put", "PUT", &format!("{base}/{{id}}"), None),
            case("p::patch", "PATCH", &format!("{base}/{{shelfId}}"), None),
            case("p::delete", "DELETE", &format!("{base}/{{id}}"), None),
            case("p::act", "POST", &format!("{base}/{{id}}/addBook"), Some("ns.book")),
            case("p::fn", "GET", &format!("{base}/{{id}}/newestBook?x=1"), Some("ns.book")),
            case("p::nav", "PATCH", &format!("{base}/{{id}}/books/{{bookId}}"), None),
            case("p::navget", "GET", &format!("{base}/{{id}}/books/{{bookId}}"), None),
            case("p::odd", "GET", &format!("{base}/{{id}}/a/b/c"), None),
        ];
        let model = derive(cases.iter());
        assert_eq!(model.sets.len(), 1);
        let set = &model.sets[0];
        assert_eq!(set.url, base);
        assert_eq!(set.entity_type.as_deref(), Some("ns.shelf"));
        let kind = |id: &str| model.operation(id).map(|(_, o)| (o.kind, o.name.clone()));
        assert_eq!(kind("p::list"), Some((Kind::List, None)));
        assert_eq!(kind("p::create"), Some((Kind::Create, None)));
        assert_eq!(kind("p::get"), Some((Kind::Read, None)));
        assert_eq!(kind("p::put"), Some((Kind::Replace, None)));
        assert_eq!(kind("p::patch"), Some((Kind::Update, None)));
        assert_eq!(kind("p::delete"), Some((Kind::Delete, None)));
        assert_eq!(kind("p::act"), Some((Kind::Action, Some("addBook".into()))));
        assert_eq!(kind("p::fn"), Some((Kind::Function, Some("newestBook".into()))));
        assert_eq!(kind("p::nav"), Some((Kind::NavigationUpdate, Some("books".into()))));
        assert_eq!(kind("p::navget"), Some((Kind::NavigationRead, Some("books".into()))));
        assert_eq!(model.unplaced.len(), 1);
        assert_eq!(model.unplaced[0].case, "p::odd");
    }

    #[test]
    fn a_url_without_any_set_is_unplaced_and_the_order_of_cases_does_not_matter() {
        let a = case("a", "GET", "https://h/{id}", None);
        let b = case("b", "GET", "https://h/v1/things/{id}", Some("t"));
        let c = case("c", "GET", "https://h/v1/things", Some("t"));
        let one = derive([&a, &b, &c]);
        let two = derive([&c, &b, &a]);
        assert_eq!(one, two);
        assert_eq!(one.unplaced[0].case, "a");
        assert_eq!(one.sets[0].operations.len(), 2);
    }
}
