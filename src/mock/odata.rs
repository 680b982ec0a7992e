//! OData system query options, as far as this API supports them, and the refusal of the
//! rest.
//!
//! Supported: `$select` on every entity and collection (the answer and its
//! `@odata.context` reflect it); on collections `$top` (the page size, as in Graph),
//! `$skip`, `$skiptoken` (from an `@odata.nextLink`), `$count=true` (`@odata.count`) and
//! `$filter` with `eq`, `ne`, `in`, `startswith` and `endswith` on the string properties,
//! joined by `and`, `or`, `not` and parentheses; `$filter` on `$count` segments. Option
//! names may arrive percent-encoded (`%24select`, as kiota sends them), and on `/beta` without
//! the `$`, as Graph's beta endpoint allows.
//!
//! Refused with `400`: an unknown `$` option, an option given twice, a known option this
//! API does not support (`$expand`, `$orderby`, `$search`, …), an option where it does not
//! apply (`$top` on an entity, any option on a write), an unknown property in `$select` or
//! `$filter`, and a `$filter` outside the grammar above. Nothing is silently ignored.
//! Parameters without a `$` (custom query options) are ignored, as OData says.

use std::borrow::Cow;

use axum::extract::{FromRequestParts, Request};
use axum::http::Method;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::{Map, Value};

use super::path::ApiVersion;
use super::{GraphError, b64};

/// The most items one page may hold when a client asks with `$top`.
pub const MAX_TOP: usize = 999;

/// Every system query option OData 4.01 defines; the ones this API supports are handled,
/// the rest are refused by name.
const SYSTEM_OPTIONS: [&str; 15] = [
    "select",
    "top",
    "skip",
    "skiptoken",
    "count",
    "filter",
    "expand",
    "orderby",
    "search",
    "format",
    "apply",
    "compute",
    "index",
    "deltatoken",
    "levels",
];

/// A system query option this API implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Select,
    Top,
    Skip,
    SkipToken,
    Count,
    Filter,
}

impl Opt {
    fn name(self) -> &'static str {
        match self {
            Opt::Select => "$select",
            Opt::Top => "$top",
            Opt::Skip => "$skip",
            Opt::SkipToken => "$skiptoken",
            Opt::Count => "$count",
            Opt::Filter => "$filter",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "select" => Opt::Select,
            "top" => Opt::Top,
            "skip" => Opt::Skip,
            "skiptoken" => Opt::SkipToken,
            "count" => Opt::Count,
            "filter" => Opt::Filter,
            _ => return None,
        })
    }
}

/// The system query options of one request, decoded but not yet checked against what the
/// addressed resource supports.
#[derive(Debug, Clone, Default)]
pub struct Query {
    options: Vec<(Opt, String)>,
}

impl Query {
    /// Reads the options out of a raw query string. `bare_names` accepts `select=` for
    /// `$select=` (Graph's beta endpoint).
    pub fn parse(raw: Option<&str>, bare_names: bool) -> Result<Self, GraphError> {
        let mut options: Vec<(Opt, String)> = Vec::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            let value = decode(value)?;
            let lower = name.to_ascii_lowercase();
            let bare = match lower.strip_prefix('$') {
                Some(bare) => bare,
                None if bare_names && SYSTEM_OPTIONS.contains(&lower.as_str()) => &lower,
                // A custom query option: OData lets services ignore those.
                None => continue,
            };
            let Some(opt) = Opt::parse(bare) else {
                let shown: String = name.chars().take(40).collect();
                return Err(if SYSTEM_OPTIONS.contains(&bare) {
                    GraphError::bad_request(format!(
                        "the query option '${bare}' is not supported by this API"
                    ))
                } else {
                    GraphError::bad_request(format!("'{shown}' is not a known OData query option"))
                });
            };
            if options.iter().any(|(seen, _)| *seen == opt) {
                return Err(GraphError::bad_request(format!(
                    "the query option '{}' is given more than once",
                    opt.name()
                )));
            }
            options.push((opt, value.into_owned()));
        }
        Ok(Self { options })
    }

    fn get(&self, opt: Opt) -> Option<&str> {
        self.options.iter().find(|(o, _)| *o == opt).map(|(_, v)| v.as_str())
    }

    /// Refuses any option not in `allowed`, naming what the resource is.
    fn only(&self, allowed: &[Opt], what: &str) -> Result<(), GraphError> {
        match self.options.iter().find(|(o, _)| !allowed.contains(o)) {
            None => Ok(()),
            Some((opt, _)) => Err(GraphError::bad_request(format!(
                "the query option '{}' does not apply to {what}",
                opt.name()
            ))),
        }
    }

    /// The options of a single entity (or a function's single answer): `$select` only.
    pub fn entity(&self, schema: &Schema) -> Result<Selection, GraphError> {
        self.only(&[Opt::Select], "a single entity")?;
        Selection::parse(self.get(Opt::Select), schema)
    }

    /// The options of a `$count` segment: `$filter` only.
    pub fn count_segment(&self, schema: &Schema) -> Result<Option<Filter>, GraphError> {
        self.only(&[Opt::Filter], "a $count segment")?;
        self.get(Opt::Filter).map(|text| Filter::parse(text, schema)).transpose()
    }

    /// The options of a collection.
    pub fn collection(
        &self,
        schema: &Schema,
        default_page: usize,
    ) -> Result<CollectionQuery, GraphError> {
        let select = Selection::parse(self.get(Opt::Select), schema)?;
        let filter = self.get(Opt::Filter).map(|text| Filter::parse(text, schema)).transpose()?;
        let top = self.get(Opt::Top).map(|text| integer(Opt::Top, text)).transpose()?;
        if top.is_some_and(|top| top > MAX_TOP) {
            return Err(GraphError::bad_request(format!(
                "$top must be at most {MAX_TOP}; follow @odata.nextLink for more"
            )));
        }
        let skip = self.get(Opt::Skip).map(|text| integer(Opt::Skip, text)).transpose()?;
        let token = self.get(Opt::SkipToken).map(parse_skip_token).transpose()?;
        let count = match self.get(Opt::Count) {
            None => false,
            Some(text) if text.eq_ignore_ascii_case("true") => true,
            Some(text) if text.eq_ignore_ascii_case("false") => false,
            Some(_) => return Err(GraphError::bad_request("$count must be true or false")),
        };
        Ok(CollectionQuery {
            select,
            filter,
            page_size: top.unwrap_or(default_page.max(1)),
            top_given: top.is_some(),
            start: token.unwrap_or(0) + skip.unwrap_or(0),
            count,
            raw_select: self.get(Opt::Select).map(str::to_owned),
            raw_filter: self.get(Opt::Filter).map(str::to_owned),
        })
    }

    /// Whether any system query option was given.
    pub fn is_empty(&self) -> bool {
        self.options.is_empty()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Query {
    type Rejection = GraphError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let beta = parts.extensions.get::<ApiVersion>().is_some_and(|v| v.0 == "/beta");
        Query::parse(parts.uri.query(), beta)
    }
}

/// The route layer that refuses system query options on writes (`POST`, `PUT`, `PATCH`,
/// `DELETE`): the mock does not honour them there, so it says so instead of ignoring them.
pub async fn refuse_on_writes(request: Request, next: Next) -> Response {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let beta = request.extensions().get::<ApiVersion>().is_some_and(|v| v.0 == "/beta");
    match Query::parse(request.uri().query(), beta) {
        Err(error) => error.into_response(),
        Ok(query) if !query.is_empty() => GraphError::bad_request(format!(
            "system query options are not supported on {}",
            request.method()
        ))
        .into_response(),
        Ok(_) => next.run(request).await,
    }
}

fn decode(text: &str) -> Result<Cow<'_, str>, GraphError> {
    // `+` is a space in form encoding, which many clients use for query strings.
    let text: Cow<'_, str> =
        if text.contains('+') { Cow::Owned(text.replace('+', " ")) } else { Cow::Borrowed(text) };
    match percent_decode_str(&text).decode_utf8() {
        Ok(Cow::Borrowed(_)) => Ok(text),
        Ok(Cow::Owned(decoded)) => Ok(Cow::Owned(decoded)),
        Err(_) => Err(GraphError::bad_request("the query string is not valid UTF-8")),
    }
}

fn integer(opt: Opt, text: &str) -> Result<usize, GraphError> {
    text.trim().parse::<usize>().map_err(|_| {
        let shown: String = text.chars().take(40).collect();
        GraphError::bad_request(format!(
            "{} must be a non-negative integer, not '{shown}'",
            opt.name()
        ))
    })
}

/// The prefix that makes a skip token recognisable as the mock's own.
const TOKEN_PREFIX: &str = "exemplar-offset:";

/// The opaque `$skiptoken` of the page that starts at `offset`.
pub fn skip_token(offset: usize) -> String {
    b64::url(format!("{TOKEN_PREFIX}{offset}").as_bytes())
}

fn parse_skip_token(text: &str) -> Result<usize, GraphError> {
    b64::decode_url(text)
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix(TOKEN_PREFIX).and_then(|n| n.parse().ok()))
        .ok_or_else(|| {
            GraphError::bad_request(
                "$skiptoken is not one this service issued; follow @odata.nextLink as given",
            )
        })
}

/// What a resource's members are called, for `$select` and `$filter`.
#[derive(Debug)]
pub struct Schema {
    /// Every property `$select` may name.
    pub properties: &'static [&'static str],
    /// The string properties `$filter` may test.
    pub filterable: &'static [&'static str],
    /// Properties compared without regard to letter case (ids are).
    pub case_insensitive: &'static [&'static str],
}

impl Schema {
    fn property(&self, name: &str, among: &'static [&'static str]) -> Option<&'static str> {
        among.iter().find(|p| p.eq_ignore_ascii_case(name)).copied()
    }
}

/// The properties an answer keeps: all of them, or those `$select` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection(Option<Vec<&'static str>>);

impl Selection {
    fn parse(text: Option<&str>, schema: &Schema) -> Result<Self, GraphError> {
        let Some(text) = text else { return Ok(Self(None)) };
        let mut names = Vec::new();
        for item in text.split(',').map(str::trim) {
            if item == "*" {
                return Ok(Self(None));
            }
            if item.is_empty() {
                return Err(GraphError::bad_request("$select names an empty property"));
            }
            let name = schema.property(item, schema.properties).ok_or_else(|| {
                let shown: String = item.chars().take(40).collect();
                GraphError::bad_request(format!(
                    "$select: '{shown}' is not a property of this resource (expected: {})",
                    schema.properties.join(", ")
                ))
            })?;
            if !names.contains(&name) {
                names.push(name);
            }
        }
        Ok(Self(Some(names)))
    }

    /// Keeps only the selected members (annotations stay).
    pub fn apply(&self, mut object: Map<String, Value>) -> Map<String, Value> {
        if let Some(names) = &self.0 {
            object.retain(|key, _| key.starts_with('@') || names.contains(&key.as_str()));
        }
        object
    }

    /// `(id,keys)` to put after a context's resource path, or nothing.
    pub fn context_suffix(&self) -> String {
        match &self.0 {
            Some(names) => format!("({})", names.join(",")),
            None => String::new(),
        }
    }
}

/// A collection request's options, checked.
#[derive(Debug, Clone)]
pub struct CollectionQuery {
    pub select: Selection,
    pub filter: Option<Filter>,
    pub page_size: usize,
    top_given: bool,
    pub start: usize,
    pub count: bool,
    raw_select: Option<String>,
    raw_filter: Option<String>,
}

impl CollectionQuery {
    /// Whether an item passes the filter.
    pub fn keeps<'a>(&self, property: impl Fn(&str) -> Option<&'a str>) -> bool {
        self.filter.as_ref().is_none_or(|f| f.matches(&property))
    }

    /// The collection answer: `@odata.context`, `@odata.count` when asked, `value`, and
    /// `@odata.nextLink` when items remain after this page. `url` is the collection's
    /// absolute URL without a query.
    pub fn answer(&self, context: String, url: &str, items: Vec<Value>, total: usize) -> Value {
        let mut body = Map::new();
        body.insert("@odata.context".into(), context.into());
        if self.count {
            body.insert("@odata.count".into(), total.into());
        }
        let next = self.start + items.len();
        let more = next < total && !items.is_empty();
        body.insert("value".into(), Value::Array(items));
        if more {
            body.insert("@odata.nextLink".into(), self.next_link(url, next).into());
        }
        Value::Object(body)
    }

    fn next_link(&self, url: &str, offset: usize) -> String {
        let mut query = Vec::new();
        if let Some(select) = &self.raw_select {
            query.push(format!("$select={}", utf8_percent_encode(select, QUERY_VALUE)));
        }
        if let Some(filter) = &self.raw_filter {
            query.push(format!("$filter={}", utf8_percent_encode(filter, QUERY_VALUE)));
        }
        if self.count {
            query.push("$count=true".into());
        }
        if self.top_given {
            query.push(format!("$top={}", self.page_size));
        }
        query.push(format!("$skiptoken={}", skip_token(offset)));
        format!("{url}?{}", query.join("&"))
    }
}

/// What a query value percent-encodes: everything but unreserved characters and the few
/// OData reads literally.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b',')
    .remove(b'\'');

/// A parsed `$filter`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    Or(Box<Filter>, Box<Filter>),
    And(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `property eq 'x'` (or `ne`, negated by `Not`), `property in ('x', 'y')`.
    In {
        property: &'static str,
        values: Vec<String>,
        ignore_case: bool,
    },
    StartsWith {
        property: &'static str,
        prefix: String,
        ignore_case: bool,
    },
    EndsWith {
        property: &'static str,
        suffix: String,
        ignore_case: bool,
    },
}

impl Filter {
    /// Parses `text` against `schema`; anything outside the supported grammar is a `400`
    /// that says what is supported.
    pub fn parse(text: &str, schema: &Schema) -> Result<Self, GraphError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, at: 0, schema };
        let filter = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(filter),
            Some(token) => Err(unsupported(&format!("unexpected {}", token.describe()))),
        }
    }

    /// Whether an item whose string properties `property` gives passes.
    pub fn matches<'a>(&self, property: &impl Fn(&str) -> Option<&'a str>) -> bool {
        let same = |a: &str, b: &str, ignore_case: bool| {
            if ignore_case { a.eq_ignore_ascii_case(b) } else { a == b }
        };
        match self {
            Filter::Or(a, b) => a.matches(property) || b.matches(property),
            Filter::And(a, b) => a.matches(property) && b.matches(property),
            Filter::Not(inner) => !inner.matches(property),
            Filter::In { property: name, values, ignore_case } => property(name)
                .is_some_and(|actual| values.iter().any(|v| same(actual, v, *ignore_case))),
            Filter::StartsWith { property: name, prefix, ignore_case } => property(name)
                .is_some_and(|actual| {
                    actual.get(..prefix.len()).is_some_and(|head| same(head, prefix, *ignore_case))
                }),
            Filter::EndsWith { property: name, suffix, ignore_case } => {
                property(name).is_some_and(|actual| {
                    actual
                        .len()
                        .checked_sub(suffix.len())
                        .and_then(|start| actual.get(start..))
                        .is_some_and(|tail| same(tail, suffix, *ignore_case))
                })
            }
        }
    }
}

fn unsupported(detail: &str) -> GraphError {
    GraphError::bad_request(format!(
        "unsupported $filter ({detail}); supported: eq, ne, in, startswith, endswith on string properties, with and, or, not and parentheses"
    ))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Text(String),
    Open,
    Close,
    Comma,
}

impl Token {
    fn describe(&self) -> String {
        match self {
            Token::Word(word) => format!("'{}'", word.chars().take(40).collect::<String>()),
            Token::Text(_) => "a string".into(),
            Token::Open => "'('".into(),
            Token::Close => "')'".into(),
            Token::Comma => "','".into(),
        }
    }

    fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }
}

fn tokenize(text: &str) -> Result<Vec<Token>, GraphError> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    _ => Token::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut literal = String::new();
                loop {
                    match chars.next() {
                        None => return Err(unsupported("a string literal is not closed")),
                        // `''` is a quote inside a literal.
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            literal.push('\'');
                        }
                        Some('\'') => break,
                        Some(other) => literal.push(other),
                    }
                }
                tokens.push(Token::Text(literal));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    if tokens.is_empty() {
        return Err(GraphError::bad_request("$filter is empty"));
    }
    Ok(tokens)
}

struct Parser<'s> {
    tokens: Vec<Token>,
    at: usize,
    schema: &'s Schema,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Result<Token, GraphError> {
        let token =
            self.tokens.get(self.at).cloned().ok_or_else(|| unsupported("it ends early"))?;
        self.at += 1;
        Ok(token)
    }

    fn expect(&mut self, wanted: &Token) -> Result<(), GraphError> {
        let token = self.next()?;
        if &token == wanted {
            Ok(())
        } else {
            Err(unsupported(&format!("expected {}, found {}", wanted.describe(), token.describe())))
        }
    }

    fn or(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.and()?;
        while self.peek().is_some_and(|t| t.is_word("or")) {
            self.at += 1;
            left = Filter::Or(Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, GraphError> {
        let mut left = self.unary()?;
        while self.peek().is_some_and(|t| t.is_word("and")) {
            self.at += 1;
            left = Filter::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, GraphError> {
        if self.peek().is_some_and(|t| t.is_word("not")) {
            self.at += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.at += 1;
            let inner = self.or()?;
            self.expect(&Token::Close)?;
            return Ok(inner);
        }
        self.comparison()
    }

    fn property(&self, word: &str) -> Result<(&'static str, bool), GraphError> {
        let schema = self.schema;
        match schema.property(word, schema.filterable) {
            Some(name) => Ok((name, schema.case_insensitive.contains(&name))),
            None => {
                let shown: String = word.chars().take(40).collect();
                Err(GraphError::bad_request(format!(
                    "$filter: '{shown}' is not a filterable property of this resource (expected: {})",
                    schema.filterable.join(", ")
                )))
            }
        }
    }

    fn text(&mut self) -> Result<String, GraphError> {
        match self.next()? {
            Token::Text(text) => Ok(text),
            other => {
                Err(unsupported(&format!("expected a quoted string, found {}", other.describe())))
            }
        }
    }

    fn comparison(&mut self) -> Result<Filter, GraphError> {
        let Token::Word(word) = self.next()? else {
            return Err(unsupported("expected a property or a function"));
        };
        for function in ["startswith", "endswith"] {
            if word.eq_ignore_ascii_case(function) {
                self.expect(&Token::Open)?;
                let Token::Word(name) = self.next()? else {
                    return Err(unsupported(&format!("{function} takes a property first")));
                };
                let (property, ignore_case) = self.property(&name)?;
                self.expect(&Token::Comma)?;
                let value = self.text()?;
                self.expect(&Token::Close)?;
                return Ok(if function == "startswith" {
                    Filter::StartsWith { property, prefix: value, ignore_case }
                } else {
                    Filter::EndsWith { property, suffix: value, ignore_case }
                });
            }
        }
        let (property, ignore_case) = self.property(&word)?;
        let operator = match self.next()? {
            Token::Word(op) => op.to_ascii_lowercase(),
            other => {
                return Err(unsupported(&format!(
                    "expected an operator, found {}",
                    other.describe()
                )));
            }
        };
        match operator.as_str() {
            "eq" | "ne" => {
                let value = self.text()?;
                let test = Filter::In { property, values: vec![value], ignore_case };
                Ok(if operator == "ne" { Filter::Not(Box::new(test)) } else { test })
            }
            "in" => {
                self.expect(&Token::Open)?;
                let mut values = vec![self.text()?];
                while self.peek() == Some(&Token::Comma) {
                    self.at += 1;
                    values.push(self.text()?);
                }
                self.expect(&Token::Close)?;
                Ok(Filter::In { property, values, ignore_case })
            }
            other => Err(unsupported(&format!(
                "the operator '{}'",
                other.chars().take(20).collect::<String>()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: Schema =
        Schema { properties: &["id", "keys"], filterable: &["id"], case_insensitive: &["id"] };

    fn filter(text: &str) -> Result<Filter, GraphError> {
        Filter::parse(text, &SCHEMA)
    }

    fn passes(text: &str, id: &str) -> bool {
        filter(text).unwrap().matches(&|name: &str| (name == "id").then_some(id))
    }

    #[test]
    fn the_filter_grammar_evaluates_on_ids() {
        assert!(passes("id eq 'B2C_1A_a'", "b2c_1a_A"));
        assert!(!passes("id eq 'B2C_1A_a'", "B2C_1A_b"));
        assert!(passes("id ne 'B2C_1A_a'", "B2C_1A_b"));
        assert!(passes("id in ('x', 'B2C_1A_b')", "B2C_1A_b"));
        assert!(passes("startswith(id,'B2C_1A_k')", "B2C_1A_key"));
        assert!(passes("endswith(id, 'key')", "B2C_1A_key"));
        assert!(passes("not (id eq 'a' or id eq 'b') and startswith(id, 'c')", "cd"));
        assert!(!passes("id eq 'a' and id eq 'b'", "a"));
        assert!(passes("ID EQ 'it''s'", "it's"));
    }

    #[test]
    fn filters_outside_the_grammar_are_refused_with_a_reason() {
        for (text, says) in [
            ("keys eq 'x'", "not a filterable property"),
            ("colour eq 'x'", "not a filterable property"),
            ("id gt 'x'", "the operator 'gt'"),
            ("id eq 5", "expected a quoted string"),
            ("id eq 'x", "not closed"),
            ("id eq 'x' extra", "unexpected 'extra'"),
            ("(id eq 'x'", "ends early"),
            ("contains(id, 'x')", "not a filterable property"),
            ("", "empty"),
        ] {
            let message = filter(text).unwrap_err().message;
            assert!(message.contains(says), "{text}: {message}");
        }
    }

    #[test]
    fn options_are_decoded_and_refused_by_name() {
        let query = Query::parse(Some("%24select=id&%24top=2&custom=1"), false).unwrap();
        assert_eq!(query.get(Opt::Select), Some("id"));
        assert_eq!(query.get(Opt::Top), Some("2"));
        assert!(Query::parse(Some("select=id"), false).unwrap().is_empty());
        assert_eq!(Query::parse(Some("select=id"), true).unwrap().get(Opt::Select), Some("id"));
        let message = Query::parse(Some("$expand=keys"), false).unwrap_err().message;
        assert!(message.contains("'$expand' is not supported"), "{message}");
        let message = Query::parse(Some("$colour=red"), false).unwrap_err().message;
        assert!(message.contains("not a known OData query option"), "{message}");
        let message = Query::parse(Some("$top=1&$TOP=2"), false).unwrap_err().message;
        assert!(message.contains("more than once"), "{message}");
        let filter = Query::parse(Some("$filter=id+eq+%27a%27"), false).unwrap();
        assert_eq!(filter.get(Opt::Filter), Some("id eq 'a'"));
    }

    #[test]
    fn selection_keeps_annotations_and_names_unknown_properties() {
        let selection = Selection::parse(Some("ID"), &SCHEMA).unwrap();
        let mut object = Map::new();
        object.insert("@odata.context".into(), "c".into());
        object.insert("id".into(), "x".into());
        object.insert("keys".into(), Value::Array(vec![]));
        let kept = selection.apply(object);
        assert_eq!(kept.keys().collect::<Vec<_>>(), ["@odata.context", "id"]);
        assert_eq!(selection.context_suffix(), "(id)");
        let message = Selection::parse(Some("id,colour"), &SCHEMA).unwrap_err().message;
        assert!(message.contains("'colour'") && message.contains("id, keys"), "{message}");
        assert_eq!(Selection::parse(Some("*"), &SCHEMA).unwrap(), Selection(None));
    }

    #[test]
    fn skip_tokens_round_trip_and_foreign_ones_are_refused() {
        assert_eq!(parse_skip_token(&skip_token(1234)).unwrap(), 1234);
        assert!(parse_skip_token("abc").is_err());
        assert!(parse_skip_token(&b64::url(b"offset:5")).is_err());
    }

    #[test]
    fn collection_pages_and_links() {
        let query = Query::parse(Some("$top=2&$count=true&$select=id"), false).unwrap();
        let options = query.collection(&SCHEMA, 100).unwrap();
        assert_eq!(options.page_size, 2);
        let items = vec![Value::from(1), Value::from(2)];
        let body = options.answer("ctx".into(), "http://h/beta/x", items, 5);
        assert_eq!(body["@odata.count"], 5);
        let next = body["@odata.nextLink"].as_str().unwrap();
        assert!(
            next.starts_with("http://h/beta/x?$select=id&$count=true&$top=2&$skiptoken="),
            "{next}"
        );
        let token = next.rsplit_once("$skiptoken=").unwrap().1;
        let query = Query::parse(Some(&format!("$skiptoken={token}&$top=2")), false).unwrap();
        assert_eq!(query.collection(&SCHEMA, 100).unwrap().start, 2);
        let last = options.answer("ctx".into(), "u", vec![Value::from(5)], 1);
        assert!(last.get("@odata.nextLink").is_none());
        assert!(Query::parse(Some("$top=1000"), false).unwrap().collection(&SCHEMA, 100).is_err());
        assert!(Query::parse(Some("$count=yes"), false).unwrap().collection(&SCHEMA, 100).is_err());
        assert!(Query::parse(Some("$top=-1"), false).unwrap().collection(&SCHEMA, 100).is_err());
    }
}
