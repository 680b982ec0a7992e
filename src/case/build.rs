//! Turns extracted examples and resource types into case files: ids, file names and the
//! doc-derived part of each file.

use crate::extract::http::Body;
use crate::extract::{Example, Page, ResourceType};

use super::model::{
    Case, FORMAT, Header, PropertySpec, Request, Response, Source, TypeFile, TypeSource,
};

/// `docs/graph/beta/api/x.md` → `docs/graph/beta/api/x`.
fn doc_stem(doc: &str) -> &str {
    match doc.rfind('.') {
        Some(dot) if !doc[dot..].contains('/') => &doc[..dot],
        _ => doc,
    }
}

/// A name made safe as a file name on every platform.
fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect();
    if safe.is_empty() || safe.starts_with('.') { format!("_{safe}") } else { safe }
}

/// The stable id of the example `name` on page `doc`: `docs::graph::beta::api::x::name`.
pub fn case_id(doc: &str, name: &str) -> String {
    format!("{}::{}", doc_stem(doc).replace('/', "::"), name)
}

/// Path of a case file relative to the cases directory.
pub fn case_path(doc: &str, name: &str) -> String {
    format!("{}/{}.json", doc_stem(doc), file_safe(name))
}

/// Path of a type file relative to the cases directory.
pub fn type_path(doc: &str, type_name: &str) -> String {
    format!("{}/{}.type.json", doc_stem(doc), file_safe(type_name))
}

/// The `$schema` reference from a file at `rel_path` to a schema at the cases root.
pub fn schema_ref(rel_path: &str, schema_file: &str) -> String {
    let depth = rel_path.matches('/').count();
    format!("{}{schema_file}", "../".repeat(depth))
}

fn headers(list: &[(String, String)]) -> Vec<Header> {
    list.iter().map(|(n, v)| Header { name: n.clone(), value: v.clone() }).collect()
}

fn split_body(body: &Body) -> (Option<serde_json::Value>, Option<String>) {
    match body {
        Body::None => (None, None),
        Body::Json(v) => (Some(v.clone()), None),
        Body::Text(t) => (None, Some(t.clone())),
    }
}

/// The doc-derived part of the case for `example` on `page`; hand-written fields are empty.
pub fn case(page: &Page, example: &Example) -> (String, Case) {
    let path = case_path(&page.doc, &example.name);
    let (body, body_text) = split_body(&example.request.body);
    let request = Request {
        method: example.request.method.clone(),
        url: example.request.url.clone(),
        params: example.params.clone(),
        headers: headers(&example.request.headers),
        body,
        body_text,
    };
    let response = example.response.as_ref().map(|r| {
        let a = &example.response_annotation;
        let (body, body_text) = split_body(&r.body);
        Response {
            status: r.status,
            reason: r.reason.clone(),
            headers: headers(&r.headers),
            body,
            body_text,
            truncated: a.truncated,
            odata_type: a.odata_type.clone(),
            is_collection: a.is_collection,
            is_empty: a.is_empty,
            expect_error: a.expect_error,
            optional_properties: a.optional_properties.clone(),
            nullable_properties: a.nullable_properties.clone(),
        }
    });
    let case = Case {
        schema: Some(schema_ref(&path, "case.schema.json")),
        format: FORMAT,
        id: case_id(&page.doc, &example.name),
        source: Some(Source {
            doc: page.doc.clone(),
            form: page.form.as_str().to_string(),
            example: example.name.clone(),
            line: example.request.line,
            response_line: example.response.as_ref().map(|r| r.line),
            hash: example.hash.clone(),
        }),
        request,
        response,
        tags: Vec::new(),
        skip: None,
        fixtures: Vec::new(),
        bind: Default::default(),
        set: Default::default(),
        pin: Default::default(),
        ignore: Vec::new(),
        volatile: Vec::new(),
        unordered: Vec::new(),
        expect: None,
    };
    (path, case)
}

/// The type file for a resource type documented on `page`.
pub fn type_file(page: &Page, t: &ResourceType) -> (String, TypeFile) {
    let path = type_path(&page.doc, &t.name);
    let properties = t
        .properties
        .iter()
        .map(|p| {
            let spec = PropertySpec {
                json_type: p.json_type,
                items: p.items,
                odata_type: p.odata_type.clone(),
                graph_type: p.graph_type.clone(),
                readable: p.readable,
                enum_values: p.enum_values.clone(),
            };
            (p.name.clone(), spec)
        })
        .collect();
    let file = TypeFile {
        schema: Some(schema_ref(&path, "type.schema.json")),
        format: FORMAT,
        name: t.name.clone(),
        source: TypeSource { doc: page.doc.clone(), line: t.line },
        base_type: t.base_type.clone(),
        key_property: t.key_property.clone(),
        open_type: t.open_type,
        optional_properties: t.optional_properties.clone(),
        properties,
    };
    (path, file)
}

/// Copies the hand-written fields of `old` into `new`. The destructuring is exhaustive so a
/// field added to [`Case`] cannot be forgotten here.
pub fn keep_hand_written(new: &mut Case, old: Case) {
    let Case {
        schema: _,
        format: _,
        id: _,
        source: _,
        request: _,
        response: _,
        tags,
        skip,
        fixtures,
        bind,
        set,
        pin,
        ignore,
        volatile,
        unordered,
        expect,
    } = old;
    new.tags = tags;
    new.skip = skip;
    new.fixtures = fixtures;
    new.bind = bind;
    new.set = set;
    new.pin = pin;
    new.ignore = ignore;
    new.volatile = volatile;
    new.unordered = unordered;
    new.expect = expect;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_paths() {
        assert_eq!(
            case_id("docs/graph/beta/api/x-get.md", "get_x"),
            "docs::graph::beta::api::x-get::get_x"
        );
        assert_eq!(case_path("seeds/000_ab.txt", "a b/c"), "seeds/000_ab/a_b_c.json");
        assert_eq!(
            type_path("docs/r/t.md", "microsoft.graph.t"),
            "docs/r/t/microsoft.graph.t.type.json"
        );
        assert_eq!(case_path("noext", ".x"), "noext/_.x.json");
        assert_eq!(schema_ref("docs/a/b.json", "case.schema.json"), "../../case.schema.json");
    }
}
