//! A user signing in at the running authorization endpoint over HTTP, as a browser would
//! (cookies kept by hand: the `__Host-` cookies are `Secure`, which a cookie jar would not
//! send to `http://127.0.0.1`), consenting, and coming back with a code.

use std::collections::BTreeMap;

struct Session {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Session {
    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String, String) {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let resp = req
            .header("cookie", jar.join("; "))
            .send()
            .await
            .expect("the authorization endpoint answers");
        for c in resp.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap_or("");
            if let Some((name, rest)) = c.split_once('=') {
                let value = rest.split(';').next().unwrap_or("");
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
        }
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        (status, location, resp.text().await.unwrap_or_default())
    }

    async fn post(&mut self, url: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let req = self.http.post(url).form(form);
        self.send(req).await
    }
}

/// The value of a hidden form field.
fn field<'p>(page: &'p str, name: &str) -> &'p str {
    let marker = format!(r#"name="{name}" value=""#);
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        + marker.len();
    page[start..].split('"').next().unwrap_or("")
}

/// The authorization endpoint's last answer: a redirect, and its body (seed 000's path
/// carries `{url, status}` there).
pub struct Redirect {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// Follows `authorize_url` (absolute) as `username` who signs in with `password` and allows
/// the client: the redirect the authorization endpoint answers at the end.
pub async fn sign_in_and_allow(authorize_url: &str, username: &str, password: &str) -> String {
    sign_in(authorize_url, username, password).await.location
}

/// [`sign_in_and_allow`], with the whole last answer.
pub async fn sign_in(authorize_url: &str, username: &str, password: &str) -> Redirect {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(600))
        .build()
        .expect("client");
    let mut s = Session {
        http,
        cookies: BTreeMap::new(),
    };
    let get = s.http.get(authorize_url);
    let (status, _, login) = s.send(get).await;
    assert_eq!(status, 200, "the login page: {login}");
    let csrf = field(&login, "csrf").to_owned();
    let form_id = field(&login, "form").to_owned();
    let form = [
        ("step", "login"),
        ("csrf", &csrf),
        ("form", &form_id),
        ("username", username),
        ("password", password),
    ];
    let (status, _, body) = s.post(authorize_url, &form).await;
    assert_eq!(status, 303, "signed in: {body}");
    let get = s.http.get(authorize_url);
    let (status, location, page) = s.send(get).await;
    if status == 302 {
        // Consent given before, or a first-party client.
        return Redirect {
            status,
            location,
            body: page,
        };
    }
    assert_eq!(status, 200, "the consent page: {page}");
    let csrf = field(&page, "csrf").to_owned();
    let form_id = field(&page, "form").to_owned();
    let form = [
        ("step", "consent"),
        ("csrf", &csrf),
        ("form", &form_id),
        ("decision", "allow"),
    ];
    let (status, location, body) = s.post(authorize_url, &form).await;
    assert_eq!(status, 303, "consented: {body}");
    Redirect {
        status,
        location,
        body,
    }
}
