//! The pages' words, one catalogue per language (English and French), and the choice of
//! language: the request's `ui_locales` (OpenID Connect Core §3.1.2.1) first, then the
//! browser's `Accept-Language` (RFC 9110 §12.5.4), else English.

/// A language the pages speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Fr,
}

impl Lang {
    /// The BCP 47 tag of `<html lang>`.
    pub(crate) fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Fr => "fr",
        }
    }

    pub(crate) fn text(self) -> &'static Text {
        match self {
            Self::En => &EN,
            Self::Fr => &FR,
        }
    }

    fn from_tag(tag: &str) -> Option<Self> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "fr" => Some(Self::Fr),
            _ => None,
        }
    }
}

/// The language of the page answering `req`: its `ui_locales` query parameter, then its
/// `Accept-Language`.
pub(crate) fn of(req: &lambda_http::Request) -> Lang {
    let query = req.uri().query().unwrap_or("");
    let ui_locales = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "ui_locales"))
        .map(|(_, v)| v);
    let accept = crate::http::request::header(req, lambda_http::http::header::ACCEPT_LANGUAGE);
    negotiate(ui_locales.as_deref(), accept)
}

/// The language of a page: the first of `ui_locales` (space-separated, in order of
/// preference) that the pages speak, else the highest-weighted of `Accept-Language` (`q=0`
/// excluded), else English.
pub(crate) fn negotiate(ui_locales: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = ui_locales
        .into_iter()
        .flat_map(str::split_whitespace)
        .find_map(Lang::from_tag)
    {
        return lang;
    }
    let mut best: Option<(Lang, u32)> = None;
    for range in accept_language.unwrap_or("").split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("");
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        // Thousandths, so weights compare as integers; q=0 means "not this one".
        let weight = (q.clamp(0.0, 1.0) * 1000.0) as u32;
        if let Some(lang) = Lang::from_tag(tag).filter(|_| weight > 0) {
            if best.is_none_or(|(_, w)| weight > w) {
                best = Some((lang, weight));
            }
        }
    }
    best.map_or(Lang::En, |(lang, _)| lang)
}

/// An error page's words: what happened, and what to do next.
#[derive(Debug)]
pub(crate) struct Plain {
    pub(crate) title: &'static str,
    pub(crate) what: &'static str,
    pub(crate) next: &'static str,
}

/// Every word the sign-in pages show.
#[derive(Debug)]
pub(crate) struct Text {
    pub(crate) sign_in: &'static str,
    pub(crate) to_continue_to: &'static str,
    pub(crate) username: &'static str,
    pub(crate) password: &'static str,
    pub(crate) cancel_and_go_back_to: &'static str,
    pub(crate) error_prefix: &'static str,
    pub(crate) allow_access: &'static str,
    pub(crate) allow_access_question: &'static str,
    pub(crate) asks_for_access: &'static str,
    pub(crate) asks_for_access_with: &'static str,
    pub(crate) sensitive: &'static str,
    pub(crate) signed_in_as: &'static str,
    pub(crate) not_you: &'static str,
    pub(crate) allow: &'static str,
    pub(crate) deny: &'static str,
    pub(crate) already_answered: &'static str,
    pub(crate) your_answer_to: &'static str,
    pub(crate) was_already_sent: &'static str,
    pub(crate) if_not_back: &'static str,
    pub(crate) continue_to: &'static str,
    pub(crate) sign_out_question: &'static str,
    pub(crate) sign_out_here: &'static str,
    pub(crate) sign_out: &'static str,
    pub(crate) signed_out_title: &'static str,
    pub(crate) signed_out: &'static str,
    pub(crate) close_window: &'static str,
    pub(crate) workspace: &'static str,
    pub(crate) at: &'static str,
    pub(crate) get_help: &'static str,
    pub(crate) reference: &'static str,
    pub(crate) details_for_developers: &'static str,
    pub(crate) error: &'static str,
    pub(crate) wrong_credentials: &'static str,
    pub(crate) expired: &'static str,
    pub(crate) already_sent: &'static str,
    pub(crate) session_ended: &'static str,
    /// `{n}`: seconds.
    wait: &'static str,
    /// `{n}`: minutes.
    locked: &'static str,
    pub(crate) server_failed: Plain,
    pub(crate) busy: Plain,
    pub(crate) not_found: Plain,
    pub(crate) forbidden: Plain,
    pub(crate) bad_link: Plain,
    pub(crate) home_page: &'static str,
    pub(crate) privacy_policy: &'static str,
    pub(crate) terms: &'static str,
    /// The developers' applications page.
    pub(crate) apps_title: &'static str,
    pub(crate) apps_of: &'static str,
    pub(crate) registered_by: &'static str,
    pub(crate) secret_of: &'static str,
    pub(crate) copy_now: &'static str,
    pub(crate) client_id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) redirect_uris_label: &'static str,
    pub(crate) grant_types: &'static str,
    pub(crate) scopes_label: &'static str,
    pub(crate) save: &'static str,
    pub(crate) new_secret: &'static str,
    pub(crate) delete: &'static str,
    pub(crate) new_application: &'static str,
    pub(crate) type_label: &'static str,
    pub(crate) confidential_label: &'static str,
    pub(crate) public_label: &'static str,
    pub(crate) create: &'static str,
    pub(crate) kind_public: &'static str,
    pub(crate) kind_confidential: &'static str,
    /// OpenID Connect's standard scopes in words.
    openid: &'static str,
    profile: &'static str,
    email: &'static str,
    address: &'static str,
    phone: &'static str,
    offline_access: &'static str,
}

impl Text {
    /// Too soon after failed attempts: nothing was checked.
    pub(crate) fn wait(&self, seconds: u64) -> String {
        self.wait.replace("{n}", &seconds.to_string())
    }

    /// Told only after the right password.
    pub(crate) fn locked(&self, seconds: u64) -> String {
        let minutes = seconds.div_ceil(60).max(1);
        self.locked.replace("{n}", &minutes.to_string())
    }

    /// OpenID Connect's standard scopes (Core §5.4, §11) in words, and whether each is
    /// sensitive.
    pub(crate) fn built_in_scope(&self, name: &str) -> Option<(&'static str, bool)> {
        Some(match name {
            "openid" => (self.openid, false),
            "profile" => (self.profile, false),
            "email" => (self.email, false),
            "address" => (self.address, true),
            "phone" => (self.phone, true),
            "offline_access" => (self.offline_access, true),
            _ => return None,
        })
    }
}

pub(crate) static EN: Text = Text {
    sign_in: "Sign in",
    to_continue_to: "to continue to",
    username: "Username",
    password: "Password",
    cancel_and_go_back_to: "Cancel and go back to",
    error_prefix: "Error:",
    allow_access: "Allow access",
    allow_access_question: "Allow access?",
    asks_for_access: "asks for access to your account.",
    asks_for_access_with: "asks for access to your account with these permissions:",
    sensitive: "Sensitive",
    signed_in_as: "Signed in as",
    not_you: "Not you? Use another account",
    allow: "Allow",
    deny: "Deny",
    already_answered: "Already answered",
    your_answer_to: "Your answer to",
    was_already_sent: "was already sent, and nothing was done twice.",
    if_not_back: "If you did not get back to the application, start again from here.",
    continue_to: "Continue to",
    sign_out_question: "Sign out?",
    sign_out_here: "Sign out of this server in this browser.",
    sign_out: "Sign out",
    signed_out_title: "Signed out",
    signed_out: "You are signed out",
    close_window: "You can close this window.",
    workspace: "Workspace",
    at: "at",
    get_help: "Get help",
    reference: "Reference",
    details_for_developers: "Details for developers",
    error: "Error",
    wrong_credentials: "That username and password did not work. Try again.",
    expired: "The form expired. Sign in again.",
    already_sent: "That sign-in was already sent once. If you are not signed in yet, sign in again.",
    session_ended: "Your session ended. Sign in again.",
    wait: "Too many failed attempts in a row. Wait {n} s, then try again.",
    locked: "Your password is right, but this account is locked after too many failed sign-ins from here. Try again in {n} min.",
    server_failed: Plain {
        title: "Something went wrong on our side",
        what: "The sign-in service could not finish your request. Nothing was changed.",
        next: "Try again in a moment. If it keeps happening, contact support and quote the reference below.",
    },
    busy: Plain {
        title: "The sign-in service is busy",
        what: "It could not answer in time. Nothing was changed.",
        next: "Wait a few seconds, then try again.",
    },
    not_found: Plain {
        title: "This page does not exist",
        what: "The address is not one of this sign-in service's pages.",
        next: "Check the address, or go back to the application you came from and start again.",
    },
    forbidden: Plain {
        title: "You cannot open this page",
        what: "Your account does not have access to it.",
        next: "Ask the administrator of this sign-in service for access, quoting the reference below.",
    },
    bad_link: Plain {
        title: "This sign-in link does not work",
        what: "The application that sent you here asked for something this sign-in service cannot accept, so you were not sent back to it.",
        next: "Go back to the application and try again. If it keeps happening, contact the application's support and quote the reference below.",
    },
    home_page: "Home page",
    privacy_policy: "Privacy policy",
    terms: "Terms",
    apps_title: "Applications",
    apps_of: "of",
    registered_by: "registered by",
    secret_of: "The client secret of",
    copy_now: "Copy it now: it is shown this once.",
    client_id: "Client ID",
    name: "Name",
    redirect_uris_label: "Redirect URIs, one per line",
    grant_types: "Grant types",
    scopes_label: "Scopes",
    save: "Save",
    new_secret: "New secret",
    delete: "Delete",
    new_application: "New application",
    type_label: "Type",
    confidential_label: "Confidential (a server that keeps a secret)",
    public_label: "Public (a browser or mobile app: no secret, PKCE)",
    create: "Create",
    kind_public: "public",
    kind_confidential: "confidential",
    openid: "Sign you in with your account (your user ID)",
    profile: "See your name and basic profile",
    email: "See your email address and whether it is verified",
    address: "See your postal address",
    phone: "See your phone number",
    offline_access: "Keep access while you are away (until you withdraw it)",
};

pub(crate) static FR: Text = Text {
    sign_in: "Connexion",
    to_continue_to: "pour continuer vers",
    username: "Nom d'utilisateur",
    password: "Mot de passe",
    cancel_and_go_back_to: "Annuler et revenir à",
    error_prefix: "Erreur :",
    allow_access: "Autoriser l'accès",
    allow_access_question: "Autoriser l'accès ?",
    asks_for_access: "demande l'accès à votre compte.",
    asks_for_access_with: "demande l'accès à votre compte avec ces autorisations :",
    sensitive: "Sensible",
    signed_in_as: "Connecté en tant que",
    not_you: "Ce n'est pas vous ? Utiliser un autre compte",
    allow: "Autoriser",
    deny: "Refuser",
    already_answered: "Déjà répondu",
    your_answer_to: "Votre réponse à",
    was_already_sent: "a déjà été envoyée, et rien n'a été fait deux fois.",
    if_not_back: "Si vous n'êtes pas revenu à l'application, recommencez d'ici.",
    continue_to: "Continuer vers",
    sign_out_question: "Se déconnecter ?",
    sign_out_here: "Se déconnecter de ce serveur dans ce navigateur.",
    sign_out: "Se déconnecter",
    signed_out_title: "Déconnecté",
    signed_out: "Vous êtes déconnecté",
    close_window: "Vous pouvez fermer cette fenêtre.",
    workspace: "Espace",
    at: "sur",
    get_help: "Obtenir de l'aide",
    reference: "Référence",
    details_for_developers: "Détails pour les développeurs",
    error: "Erreur",
    wrong_credentials: "Ce nom d'utilisateur et ce mot de passe n'ont pas fonctionné. Réessayez.",
    expired: "Le formulaire a expiré. Connectez-vous à nouveau.",
    already_sent: "Cette connexion a déjà été envoyée. Si vous n'êtes pas encore connecté, connectez-vous à nouveau.",
    session_ended: "Votre session a pris fin. Connectez-vous à nouveau.",
    wait: "Trop de tentatives échouées d'affilée. Attendez {n} s, puis réessayez.",
    locked: "Votre mot de passe est correct, mais ce compte est bloqué après trop de tentatives échouées depuis cette adresse. Réessayez dans {n} min.",
    server_failed: Plain {
        title: "Un problème est survenu de notre côté",
        what: "Le service de connexion n'a pas pu terminer votre demande. Rien n'a été modifié.",
        next: "Réessayez dans un instant. Si cela se reproduit, contactez l'assistance en citant la référence ci-dessous.",
    },
    busy: Plain {
        title: "Le service de connexion est surchargé",
        what: "Il n'a pas pu répondre à temps. Rien n'a été modifié.",
        next: "Attendez quelques secondes, puis réessayez.",
    },
    not_found: Plain {
        title: "Cette page n'existe pas",
        what: "Cette adresse n'est pas une page de ce service de connexion.",
        next: "Vérifiez l'adresse, ou revenez à l'application d'où vous venez et recommencez.",
    },
    forbidden: Plain {
        title: "Vous ne pouvez pas ouvrir cette page",
        what: "Votre compte n'y a pas accès.",
        next: "Demandez l'accès à l'administrateur de ce service de connexion, en citant la référence ci-dessous.",
    },
    bad_link: Plain {
        title: "Ce lien de connexion ne fonctionne pas",
        what: "L'application qui vous a envoyé ici a demandé quelque chose que ce service de connexion ne peut pas accepter ; vous n'y avez donc pas été renvoyé.",
        next: "Revenez à l'application et réessayez. Si cela se reproduit, contactez l'assistance de l'application en citant la référence ci-dessous.",
    },
    home_page: "Site web",
    privacy_policy: "Politique de confidentialité",
    terms: "Conditions d'utilisation",
    apps_title: "Applications",
    apps_of: "de",
    registered_by: "enregistrées par",
    secret_of: "Le secret client de",
    copy_now: "Copiez-le maintenant : il n'est affiché qu'une fois.",
    client_id: "Identifiant client",
    name: "Nom",
    redirect_uris_label: "URI de redirection, une par ligne",
    grant_types: "Types d'autorisation",
    scopes_label: "Portées",
    save: "Enregistrer",
    new_secret: "Nouveau secret",
    delete: "Supprimer",
    new_application: "Nouvelle application",
    type_label: "Type",
    confidential_label: "Confidentielle (un serveur qui garde un secret)",
    public_label: "Publique (une application de navigateur ou mobile : pas de secret, PKCE)",
    create: "Créer",
    kind_public: "publique",
    kind_confidential: "confidentielle",
    openid: "Vous connecter avec votre compte (un identifiant unique)",
    profile: "Voir votre nom et votre profil de base",
    email: "Voir votre adresse e-mail et si elle est vérifiée",
    address: "Voir votre adresse postale",
    phone: "Voir votre numéro de téléphone",
    offline_access: "Garder l'accès en votre absence (jusqu'à ce que vous le retiriez)",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_locales_first_then_accept_language_by_weight_else_english() {
        assert_eq!(negotiate(None, None), Lang::En);
        assert_eq!(negotiate(None, Some("fr-CA,fr;q=0.9,en;q=0.8")), Lang::Fr);
        assert_eq!(negotiate(None, Some("de-DE,en;q=0.5,fr;q=0.7")), Lang::Fr);
        assert_eq!(
            negotiate(None, Some("fr;q=0,en;q=0.1")),
            Lang::En,
            "q=0 excludes"
        );
        assert_eq!(
            negotiate(None, Some("de, es")),
            Lang::En,
            "nothing we speak"
        );
        assert_eq!(
            negotiate(Some("de fr en"), Some("en")),
            Lang::Fr,
            "ui_locales win"
        );
        assert_eq!(
            negotiate(Some("de"), Some("fr")),
            Lang::Fr,
            "then Accept-Language"
        );
        assert_eq!(negotiate(None, Some("FR_fr;q=garbage")), Lang::Fr);
    }

    #[test]
    fn the_catalogues_say_every_thing_in_their_own_words() {
        assert_ne!(EN.sign_in, FR.sign_in);
        assert_eq!(EN.locked(61), EN.locked.replace("{n}", "2"));
        assert!(FR.wait(3).contains("3 s"));
        assert!(FR.built_in_scope("offline_access").unwrap().1);
        assert_eq!(FR.built_in_scope("read"), None);
    }
}
