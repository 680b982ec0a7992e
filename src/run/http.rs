//! The HTTP side of a run: where requests go ([`Target`]), how the one shared client is built,
//! how credentials are obtained ([`Auth`]), and how a request is sent with bounded retries
//! that honour `Retry-After`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::result::{ErrorKind, RunError, TimeLimit};

/// Characters escaped in a path segment (RFC 3986 pchar allows the rest).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%');

/// Characters escaped in `application/x-www-form-urlencoded` values (all but the unreserved).
const FORM: &AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Escapes a value for use as one URL path segment.
pub fn segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Where requests go. Doc URLs (`https://graph.microsoft.com/beta/x`) keep their path and
/// query and get the target's scheme, host and path prefix.
#[derive(Debug, Clone)]
pub struct Target {
    base: Url,
}

/// A `--target` that is not a base URL a run can send to.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    #[error("invalid target URL `{url}`")]
    Invalid {
        url: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("invalid target URL `{url}`: the scheme must be http or https")]
    Scheme { url: String },
}

impl TargetError {
    /// What to write instead: `127.0.0.1:8081` and `localhost:8081` are a host and port, not
    /// a URL (the second even parses, with `localhost` as its scheme).
    pub fn hint(&self) -> Option<String> {
        let (TargetError::Invalid { url, .. } | TargetError::Scheme { url }) = self;
        (!url.contains("://"))
            .then(|| format!("a target is a URL with its scheme: --target http://{url}"))
    }
}

impl Target {
    pub fn parse(base: &str) -> Result<Target, TargetError> {
        let url = Url::parse(base)
            .map_err(|e| TargetError::Invalid { url: base.to_string(), source: e.into() })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(TargetError::Scheme { url: base.to_string() });
        }
        Ok(Target { base: url })
    }

    pub fn base(&self) -> &str {
        self.base.as_str()
    }

    /// The URL to send a documented URL (or a `/path`) to.
    /// A link the target gave (an `@odata.nextLink`), as a URL on the target: kept when it
    /// already points at the target, else its path put onto the target like a doc URL, so
    /// that a run never sends a request anywhere else.
    pub fn follow(&self, link: &str) -> String {
        let base = self.base.as_str().trim_end_matches('/');
        let on_target = link
            .strip_prefix(base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']));
        if on_target { link.to_string() } else { self.resolve(link) }
    }

    pub fn resolve(&self, doc_url: &str) -> String {
        let path_and_query = match doc_url.find("://") {
            Some(s) => doc_url[s + 3..].find('/').map_or("/", |p| &doc_url[s + 3 + p..]),
            None => doc_url,
        };
        let base = self.base.as_str().trim_end_matches('/');
        let sep = if path_and_query.starts_with('/') { "" } else { "/" };
        format!("{base}{sep}{path_and_query}")
    }
}

/// Client settings.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub proxy: Option<String>,
    pub ca_certs: Vec<PathBuf>,
    pub insecure: bool,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            proxy: None,
            ca_certs: Vec::new(),
            insecure: false,
        }
    }
}

/// A header sent with every request (`--header 'Name: value'`). Its value is a secret when
/// the name says credentials (`Authorization`, `Cookie`, API keys): redacted like a token in
/// every output, `Debug` included.
#[derive(Clone, PartialEq, Eq)]
pub struct ExtraHeader {
    pub name: String,
    pub value: String,
}

impl ExtraHeader {
    /// Whether the value is a credential.
    pub fn is_secret(&self) -> bool {
        let name = self.name.to_ascii_lowercase();
        matches!(
            name.as_str(),
            "authorization" | "proxy-authorization" | "cookie" | "x-api-key" | "api-key"
        ) || name.ends_with("-key")
            || name.ends_with("-token")
    }
}

impl std::fmt::Debug for ExtraHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = if self.is_secret() { "[redacted]" } else { self.value.as_str() };
        write!(f, "{}: {value}", self.name)
    }
}

impl std::str::FromStr for ExtraHeader {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let Some((name, value)) = s.split_once(':') else {
            return Err("expected `Name: value`".into());
        };
        let (name, value) = (name.trim(), value.trim());
        reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a header name"))?;
        reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("the value of `{name}` is not a valid header value"))?;
        Ok(ExtraHeader { name: name.to_string(), value: value.to_string() })
    }
}

/// A `--cacert` file that cannot be trusted as what it claims to be.
#[derive(Debug, thiserror::Error)]
pub enum CaCertError {
    #[error("--cacert {}: cannot read", .path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("--cacert {}: not a PEM certificate bundle", .path.display())]
    NotPem {
        path: PathBuf,
        #[source]
        source: reqwest::Error,
    },
    #[error(
        "--cacert {}: no PEM certificate in it (expected -----BEGIN CERTIFICATE----- blocks)",
        .path.display()
    )]
    NoCertificate { path: PathBuf },
}

/// Reads the `--cacert` files: each must hold at least one PEM certificate (a DER file, a key
/// or an empty file is refused rather than trusted as nothing).
pub fn ca_certificates(paths: &[PathBuf]) -> Result<Vec<reqwest::Certificate>, CaCertError> {
    let mut certs = Vec::new();
    for path in paths {
        let pem = std::fs::read(path)
            .map_err(|source| CaCertError::Unreadable { path: path.clone(), source })?;
        let found = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|source| CaCertError::NotPem { path: path.clone(), source })?;
        if found.is_empty() || !pem.windows(27).any(|w| w == b"-----BEGIN CERTIFICATE-----") {
            return Err(CaCertError::NoCertificate { path: path.clone() });
        }
        certs.extend(found);
    }
    Ok(certs)
}

/// The one HTTP client of a run could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    CaCert(#[from] CaCertError),
    #[error("invalid proxy `{proxy}`")]
    Proxy {
        proxy: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("cannot build the HTTP client")]
    Build(#[source] reqwest::Error),
}

/// A reqwest client builder whose TLS runs on rustls with the *ring* provider. reqwest is
/// built without a provider of its own (its default one, aws-lc-rs, is a large C build), so
/// every client in the crate and its tests starts here: this installs *ring* as the process's
/// provider first (`clippy.toml` refuses `reqwest::Client::new` and `Client::builder`).
#[allow(clippy::disallowed_methods)] // the one place a reqwest client builder is made
pub fn client_builder() -> reqwest::ClientBuilder {
    // Installing fails harmlessly when a provider is already installed: the first one stays.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// Builds the one client a run uses. Redirects are not followed: a redirect is a response
/// to check, not a detour. On a machine with no CA certificates the platform verifier cannot
/// be built; the client then trusts only `--cacert` files, which is enough for plain HTTP
/// targets and says so for HTTPS ones.
pub fn client(settings: &ClientSettings) -> Result<reqwest::Client, ClientError> {
    let certs = ca_certificates(&settings.ca_certs)?;
    let builder = |only_given: bool| {
        let mut b = client_builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("exemplar/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(64);
        b = if only_given {
            b.tls_certs_only(certs.clone())
        } else {
            b.tls_certs_merge(certs.clone())
        };
        if settings.insecure {
            b = b.tls_danger_accept_invalid_certs(true);
        }
        if let Some(p) = &settings.proxy {
            let proxy = reqwest::Proxy::all(p)
                .map_err(|source| ClientError::Proxy { proxy: p.clone(), source })?;
            b = b.proxy(proxy);
        }
        b.build().map_err(ClientError::Build)
    };
    builder(false).or_else(|first| builder(true).map_err(|_| first))
}

/// How requests authenticate.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    /// A bearer token given up front (`--token-env`, or the embedded mock's own).
    Bearer(SecretString),
    /// OAuth2 client credentials against the Microsoft identity platform (or `--authority`).
    ClientCredentials(Arc<TokenSource>),
}

/// An OAuth2 client-credentials token, fetched once and refreshed before it expires.
#[derive(Debug)]
pub struct TokenSource {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
    pub scope: String,
    cached: tokio::sync::Mutex<Option<(SecretString, Instant)>>,
}

impl TokenSource {
    pub fn new(
        authority: &str,
        tenant: &str,
        client_id: &str,
        client_secret: &SecretString,
        scope: &str,
    ) -> Self {
        TokenSource {
            token_url: format!("{}/{}/oauth2/v2.0/token", authority.trim_end_matches('/'), tenant),
            client_id: client_id.to_string(),
            client_secret: client_secret.clone(),
            scope: scope.to_string(),
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// The current token, fetching a new one when there is none or it expires within a minute.
    pub async fn token(&self, client: &reqwest::Client) -> Result<String, RunError> {
        let mut cached = self.cached.lock().await;
        if let Some((token, expires)) = cached.as_ref() {
            if Instant::now() + Duration::from_secs(60) < *expires {
                return Ok(token.expose_secret().to_string());
            }
        }
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.client_secret.expose_secret()),
            ("scope", self.scope.as_str()),
        ];
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, FORM)))
            .collect::<Vec<_>>()
            .join("&");
        let fail = |status: Option<reqwest::StatusCode>, m: String| {
            RunError::new(
                ErrorKind::AuthFailed {
                    token_url: self.token_url.clone(),
                    status: status.map(|s| s.as_u16()),
                },
                m,
            )
        };
        let response = client
            .post(&self.token_url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| fail(None, e.to_string()))?;
        let status = response.status();
        let json: Value = response
            .json()
            .await
            .map_err(|e| fail(Some(status), format!("status {status}, body is not JSON: {e}")))?;
        if !status.is_success() {
            let reason = json
                .get("error_description")
                .or_else(|| json.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            return Err(fail(
                Some(status),
                format!("status {status}: {}", reason.lines().next().unwrap_or(reason)),
            ));
        }
        let token = json
            .get("access_token")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(Some(status), "no access_token in the response".into()))?
            .to_string();
        let lifetime = json
            .get("expires_in")
            .and_then(|v| v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())))
            .unwrap_or(3600);
        *cached = Some((token.clone().into(), Instant::now() + Duration::from_secs(lifetime)));
        Ok(token)
    }
}

impl Auth {
    /// The `Authorization` header value for the next request.
    pub async fn header(&self, client: &reqwest::Client) -> Result<Option<String>, RunError> {
        match self {
            Auth::None => Ok(None),
            Auth::Bearer(t) => Ok(Some(format!("Bearer {}", t.expose_secret()))),
            Auth::ClientCredentials(source) => {
                Ok(Some(format!("Bearer {}", source.token(client).await?)))
            }
        }
    }
}

/// Retry policy for throttled requests (429 and 503).
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub max_retries: u32,
    /// The longest single wait honoured; a longer `Retry-After` gives up.
    pub max_wait: Duration,
}

impl Default for Retry {
    fn default() -> Self {
        Retry { max_retries: 3, max_wait: Duration::from_secs(60) }
    }
}

/// A response as received, before recording.
#[derive(Debug)]
pub struct Received {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body read as JSON, once for everyone who needs it (the record, the captures, the
    /// check): `None` when the body is empty or only whitespace, else the value or the
    /// parse error.
    pub json: Option<Result<Value, serde_json::Error>>,
    /// Time of the last attempt.
    pub elapsed: Duration,
    pub retries: u32,
    pub throttled: Duration,
    /// The wait the last answer's `Retry-After` asked for, when it was longer than
    /// [`Retry::max_wait`] and so was not waited for.
    pub not_waited: Option<Duration>,
}

/// Bodies larger than this are refused rather than held in memory.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Maps a reqwest error of the request `method url` onto "could not run" kinds, by the types
/// of the errors in its source chain (a TLS failure is a `rustls::Error` somewhere in it), not
/// by their wording. The chain's text is the detail.
pub fn classify(e: &reqwest::Error, method: &str, url: &str) -> RunError {
    let mut chain = String::new();
    let mut tls = None;
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = source {
        chain.push_str(&s.to_string());
        chain.push_str(": ");
        tls = tls.or(tls_error(s));
        source = s.source();
    }
    let chain = chain.trim_end_matches(": ").to_string();
    let (method, url) = (method.to_string(), url.to_string());
    let kind = if e.is_timeout() {
        // A connect timeout is a connect error too.
        let limit = if e.is_connect() { TimeLimit::Connect } else { TimeLimit::Request };
        ErrorKind::Timeout { method, url, limit, after: None }
    } else if let Some(tls) = tls {
        // What a TLS client sees when the port speaks plain HTTP: the answer to its hello is
        // not a TLS record at all.
        let plain_http = matches!(
            tls,
            rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)
        );
        ErrorKind::Tls { method, url, plain_http }
    } else if e.is_connect() {
        ErrorKind::ConnectFailed { method, url }
    } else {
        ErrorKind::Protocol { method, url }
    };
    RunError::new(kind, chain)
}

/// Whether an error is rustls's, directly or as the payload of I/O errors (which is how the
/// TLS stream reports it, sometimes one I/O error inside another; `io::Error::source` skips
/// its payload, so the payload is asked here).
fn tls_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e rustls::Error> {
    let mut e: &(dyn std::error::Error + 'static) = e;
    loop {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        match e.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
            Some(inner) => e = inner,
            None => return None,
        }
    }
}

/// The wait a `Retry-After` value asks for: delta seconds or an HTTP date.
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    pub method: &'a str,
    pub url: &'a str,
    pub headers: &'a [(String, String)],
    pub body: Option<&'a [u8]>,
}

/// Sends a request, retrying 429 and 503 as `Retry-After` says (bounded by `retry`).
pub async fn send(
    client: &reqwest::Client,
    auth: &Auth,
    retry: Retry,
    out: Outgoing<'_>,
) -> Result<Received, RunError> {
    let protocol = |detail: String| {
        let kind = ErrorKind::Protocol { method: out.method.to_string(), url: out.url.to_string() };
        RunError::new(kind, detail)
    };
    let method = reqwest::Method::from_bytes(out.method.as_bytes())
        .map_err(|e| protocol(format!("invalid method `{}`: {e}", out.method)))?;
    let mut retries = 0;
    let mut throttled = Duration::ZERO;
    loop {
        let mut request = client.request(method.clone(), out.url);
        for (name, value) in out.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(authorization) = auth.header(client).await? {
            request = request.header("authorization", authorization);
        }
        if let Some(body) = out.body {
            request = request.body(body.to_vec());
        }
        let started = Instant::now();
        let failed = |e: reqwest::Error| classify(&e, out.method, out.url);
        let mut response = request.send().await.map_err(failed)?;
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())
            })
            .collect();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > MAX_BODY {
                let mib = MAX_BODY / 1024 / 1024;
                return Err(protocol(format!("response body is larger than {mib} MiB")));
            }
            body.extend_from_slice(&chunk);
        }
        let elapsed = started.elapsed();
        let throttling = matches!(status, 429 | 503);
        let asked = headers
            .iter()
            .find(|(n, _)| throttling && n.eq_ignore_ascii_case("retry-after"))
            .and_then(|(_, v)| retry_after(v));
        if throttling && retries < retry.max_retries {
            let wait = asked.unwrap_or_else(|| Duration::from_millis(500 * 2u64.pow(retries)));
            if wait <= retry.max_wait {
                tokio::time::sleep(wait).await;
                throttled += wait;
                retries += 1;
                continue;
            }
        }
        let not_waited = asked.filter(|a| *a > retry.max_wait);
        let json = (!body.trim_ascii().is_empty()).then(|| serde_json::from_slice::<Value>(&body));
        return Ok(Received {
            status,
            headers,
            body,
            json,
            elapsed,
            retries,
            throttled,
            not_waited,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression test (issue 13): TLS failures were recognised by searching the error text
    /// for "certificate", "tls" or "handshake". A server that answers a TLS client hello
    /// with plain HTTP fails the handshake with a rustls error whose text says none of that.
    #[tokio::test]
    async fn a_tls_failure_is_recognised_by_its_type() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 1024];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").await;
            }
        });
        let client = client(&ClientSettings::default()).unwrap();
        let url = format!("https://127.0.0.1:{port}/");
        let e = client.get(&url).send().await.unwrap_err();
        let error = classify(&e, "GET", &url);
        // The hint of issue 15 (a plain-HTTP port) is known from rustls's error too.
        assert_eq!(
            error.kind,
            ErrorKind::Tls { method: "GET".into(), url: url.clone(), plain_http: true },
            "{}",
            error.detail
        );
        assert_eq!(error.code(), super::super::ErrorCode::Tls);
        // Refused connections stay what they were, and name where they went.
        let e = client.get("http://127.0.0.1:1/").send().await.unwrap_err();
        let error = classify(&e, "GET", "http://127.0.0.1:1/");
        assert_eq!(
            error.kind,
            ErrorKind::ConnectFailed { method: "GET".into(), url: "http://127.0.0.1:1/".into() }
        );
    }

    /// A request the target accepts and never answers is a `timeout` of the whole request
    /// (not of connecting).
    #[tokio::test]
    async fn a_timeout_says_which_limit_elapsed() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (hold, held) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let (_socket, _) = listener.accept().await.unwrap();
            let _ = held.await;
        });
        let settings = ClientSettings { timeout: Duration::from_millis(200), ..Default::default() };
        let client = client(&settings).unwrap();
        let url = format!("http://127.0.0.1:{port}/");
        let e = client.get(&url).send().await.unwrap_err();
        let error = classify(&e, "GET", &url);
        drop(hold);
        assert_eq!(
            error.kind,
            ErrorKind::Timeout {
                method: "GET".into(),
                url,
                limit: TimeLimit::Request,
                after: None
            },
            "{}",
            error.detail
        );
        assert_eq!(error.code(), super::super::ErrorCode::Timeout);
    }

    #[test]
    fn resolves_doc_urls_onto_targets() {
        let t = Target::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            t.resolve("https://graph.microsoft.com/beta/trustFramework/keySets?$top=1"),
            "http://127.0.0.1:8080/beta/trustFramework/keySets?$top=1"
        );
        let t = Target::parse("https://mock.example/api/").unwrap();
        assert_eq!(
            t.resolve("https://graph.microsoft.com/v1.0/x"),
            "https://mock.example/api/v1.0/x"
        );
        assert_eq!(t.resolve("/beta/y"), "https://mock.example/api/beta/y");
        // A link the target gave stays on the target.
        assert_eq!(
            t.follow("https://mock.example/api/beta/y?$skiptoken=2"),
            "https://mock.example/api/beta/y?$skiptoken=2"
        );
        assert_eq!(
            t.follow("https://graph.microsoft.com/beta/y?$skiptoken=2"),
            "https://mock.example/api/beta/y?$skiptoken=2"
        );
        assert_eq!(t.follow("https://mock.example/apix/z"), "https://mock.example/api/apix/z");
        assert!(matches!(Target::parse("ftp://x"), Err(TargetError::Scheme { .. })));
        let e = Target::parse("not a url").unwrap_err();
        assert_eq!(e.to_string(), "invalid target URL `not a url`");
        // The cause is said once, by the cause.
        assert_eq!(
            std::error::Error::source(&e).map(ToString::to_string).as_deref(),
            Some("relative URL without a base")
        );
        assert_eq!(
            Target::parse("localhost:8081").unwrap_err().hint().as_deref(),
            Some("a target is a URL with its scheme: --target http://localhost:8081")
        );
        assert_eq!(Target::parse("ftp://x").unwrap_err().hint(), None);
    }

    #[test]
    fn extra_headers_parse_and_hide_credentials() {
        let h: ExtraHeader = "Authorization: Basic dXNlcjpwYXNz".parse().unwrap();
        assert_eq!((h.name.as_str(), h.value.as_str()), ("Authorization", "Basic dXNlcjpwYXNz"));
        assert!(h.is_secret());
        assert_eq!(format!("{h:?}"), "Authorization: [redacted]");
        let h: ExtraHeader = "X-Trace:  on ".parse().unwrap();
        assert!(!h.is_secret());
        assert_eq!(format!("{h:?}"), "X-Trace: on");
        assert!("Ocp-Apim-Subscription-Key: k".parse::<ExtraHeader>().unwrap().is_secret());
        assert!("no colon".parse::<ExtraHeader>().is_err());
        assert!("bad name: v".parse::<ExtraHeader>().is_err());
    }

    #[test]
    fn escapes_segments() {
        assert_eq!(segment("B2C_1A_a b/c"), "B2C_1A_a%20b%2Fc");
    }

    #[test]
    fn parses_retry_after() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("Thu, 01 Jan 1970 00:00:00 GMT"), Some(Duration::ZERO));
        assert_eq!(retry_after("soon"), None);
    }
}
