//! `template.yaml`, the local stack and the code agree: the keys, index and TTL of each table
//! equal `oauth_core::store::dynamo::schema` (from which the local stack and the tests create
//! theirs); the template, the `cargo lambda watch` router and `oauth_core::http::routes` route
//! the same paths to the same functions; policies name actions and tables only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use oauth_core::http::routes::{Function, ROUTES};
use oauth_core::store::dynamo::schema::{self, TableDef};
use oauth_tests::template::template;
use std::collections::BTreeSet;
use yaml_rust2::Yaml;

/// (attribute, key type) pairs.
type Keys = Vec<(String, String)>;
/// (index name, keys, projection type).
type Index = (String, Keys, String);

fn key_schema(node: &Yaml) -> Keys {
    node.as_vec()
        .expect("KeySchema list")
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap().to_owned(),
                k["KeyType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn expected_keys(hash: &str, range: Option<&str>) -> Keys {
    std::iter::once((hash.to_owned(), "HASH".to_owned()))
        .chain(range.map(|r| (r.to_owned(), "RANGE".to_owned())))
        .collect()
}

fn check_table(t: &Yaml, def: &TableDef) {
    let name = def.logical_id;
    let res = &t["Resources"][name];
    assert_eq!(res["Type"].as_str(), Some("AWS::DynamoDB::Table"), "{name}");
    let p = &res["Properties"];
    assert_eq!(p["BillingMode"].as_str(), Some("PAY_PER_REQUEST"), "{name}");
    assert_eq!(
        key_schema(&p["KeySchema"]),
        expected_keys(def.hash_key, def.range_key),
        "{name} keys"
    );

    let mut attrs: Vec<String> = p["AttributeDefinitions"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|a| {
            assert_eq!(
                a["AttributeType"].as_str(),
                Some("S"),
                "{name}: string keys only"
            );
            a["AttributeName"].as_str().unwrap().to_owned()
        })
        .collect();
    attrs.sort();
    let mut want: Vec<String> = std::iter::once(def.hash_key)
        .chain(def.range_key)
        .chain(def.indexes.iter().map(|(_, h)| *h))
        .map(str::to_owned)
        .collect();
    want.sort();
    want.dedup();
    assert_eq!(attrs, want, "{name} attribute definitions");

    let indexes: Vec<Index> = p["GlobalSecondaryIndexes"]
        .as_vec()
        .map(|v| {
            v.iter()
                .map(|i| {
                    (
                        i["IndexName"].as_str().unwrap().to_owned(),
                        key_schema(&i["KeySchema"]),
                        i["Projection"]["ProjectionType"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want_indexes: Vec<_> = def
        .indexes
        .iter()
        .map(|(n, h)| {
            (
                n.to_string(),
                expected_keys(h, None),
                "KEYS_ONLY".to_owned(),
            )
        })
        .collect();
    assert_eq!(indexes, want_indexes, "{name} indexes");

    let ttl = &p["TimeToLiveSpecification"];
    if def.ttl {
        assert_eq!(
            ttl["AttributeName"].as_str(),
            Some(schema::TTL_ATTRIBUTE),
            "{name} TTL"
        );
        assert_eq!(ttl["Enabled"].as_bool(), Some(true), "{name} TTL");
    } else {
        assert!(ttl.is_badvalue(), "{name} has no TTL in the schema");
    }
    assert_eq!(
        p["SSESpecification"]["SSEEnabled"].as_bool(),
        Some(true),
        "{name}"
    );
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"].as_bool(),
        Some(true),
        "{name}"
    );
}

#[test]
fn template_tables_equal_the_schema() {
    let t = template();
    for def in schema::ALL {
        check_table(&t, &def);
    }
    let declared = t["Resources"]
        .as_hash()
        .unwrap()
        .values()
        .filter(|r| r["Type"].as_str() == Some("AWS::DynamoDB::Table"))
        .count();
    assert_eq!(
        declared,
        schema::ALL.len(),
        "a table in the template that the schema lacks"
    );
}

#[test]
fn functions_get_every_table_name_from_its_resource() {
    let t = template();
    let vars = &t["Globals"]["Function"]["Environment"]["Variables"];
    for def in schema::ALL {
        assert_eq!(
            vars[def.env].as_str(),
            Some(def.logical_id),
            "{} = !Ref {}",
            def.env,
            def.logical_id
        );
    }
}

/// (method, path) of every HttpApi event of a function.
fn routes(t: &Yaml, function: &str) -> Vec<(String, String)> {
    t["Resources"][function]["Properties"]["Events"]
        .as_hash()
        .unwrap_or_else(|| panic!("{function} has no events"))
        .values()
        .filter(|e| e["Type"].as_str() == Some("HttpApi"))
        .map(|e| {
            let p = &e["Properties"];
            (
                p["Method"].as_str().unwrap().to_owned(),
                p["Path"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (function binary, path) pairs, as the code's route table says.
fn code_routes() -> BTreeSet<(String, String)> {
    ROUTES
        .iter()
        .map(|r| (r.endpoint.function().binary().to_owned(), r.path.to_owned()))
        .collect()
}

#[test]
fn the_template_routes_exactly_the_codes_paths_to_their_functions() {
    let t = template();
    let mut got = BTreeSet::new();
    for f in [Function::Token, Function::Authorize] {
        for (method, path) in routes(&t, f.logical_id()) {
            // ANY: the function itself answers 405 for a wrong method, as the RFCs ask.
            assert_eq!(method, "ANY", "{path}");
            got.insert((f.binary().to_owned(), path));
        }
    }
    assert_eq!(got, code_routes());
}

#[test]
fn the_watch_router_routes_exactly_the_codes_paths_to_their_functions() {
    let text = std::fs::read_to_string(oauth_tests::repo_root().join("Cargo.toml")).unwrap();
    let manifest: toml::Table = text.parse().unwrap();
    let router = manifest["workspace"]["metadata"]["lambda"]["watch"]["router"]
        .as_table()
        .expect("[workspace.metadata.lambda.watch.router]");
    let got: BTreeSet<(String, String)> = router
        .iter()
        .map(|(path, f)| (f.as_str().unwrap().to_owned(), path.clone()))
        .collect();
    assert_eq!(got, code_routes());
}

#[test]
fn functions_are_rust_arm64_and_their_policies_name_actions_and_tables() {
    let t = template();
    let g = &t["Globals"]["Function"];
    assert_eq!(g["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(g["Handler"].as_str(), Some("bootstrap"));
    assert_eq!(g["Architectures"][0].as_str(), Some("arm64"));
    let resources = t["Resources"].as_hash().unwrap();
    let mut rust = 0;
    for (name, r) in resources {
        if r["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let name = name.as_str().unwrap();
        if r["Metadata"]["BuildMethod"].as_str() == Some("rust-cargolambda") {
            rust += 1;
            assert!(
                r["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .is_some(),
                "{name}"
            );
            assert_eq!(r["Properties"]["CodeUri"].as_str(), Some("./"), "{name}");
        }
        let Some(policies) = r["Properties"]["Policies"].as_vec() else {
            continue;
        };
        for policy in policies {
            assert!(
                policy.as_str().is_none(),
                "{name}: a managed policy instead of written-out statements"
            );
            for s in policy["Statement"].as_vec().expect("statements") {
                let actions: Vec<&str> = match &s["Action"] {
                    Yaml::String(a) => vec![a.as_str()],
                    Yaml::Array(v) => v.iter().filter_map(Yaml::as_str).collect(),
                    other => panic!("{name}: Action {other:?}"),
                };
                for a in actions {
                    // kms:Decrypt and kms:Encrypt, on the signing key alone: checked below.
                    let kms = a == "kms:Decrypt" || a == "kms:Encrypt";
                    assert!(
                        (a.starts_with("dynamodb:") || kms) && !a.contains('*'),
                        "{name}: {a}"
                    );
                }
                let resources: Vec<&Yaml> = match &s["Resource"] {
                    Yaml::Array(v) => v.iter().collect(),
                    one => vec![one],
                };
                for res in resources {
                    assert_ne!(res.as_str(), Some("*"), "{name}: Resource \"*\"");
                    assert!(!res.is_badvalue(), "{name}: a statement without Resource");
                }
            }
        }
    }
    assert_eq!(
        rust, 4,
        "token, authorize, authorizer and rotate-keys are built by cargo-lambda"
    );
}

/// A flood is cut off at API Gateway, route by route, and the functions that hash passwords
/// cannot take every concurrent execution from the authorizer.
#[test]
fn routes_are_throttled_and_the_hashing_functions_have_reserved_concurrency() {
    let t = template();
    let settings = &t["Resources"]["HttpApi"]["Properties"]["DefaultRouteSettings"];
    for limit in ["ThrottlingRateLimit", "ThrottlingBurstLimit"] {
        let parameter = settings[limit].as_str().expect(limit);
        let default = t["Parameters"][parameter]["Default"].as_i64();
        assert!(default.is_some_and(|d| d > 0), "{limit}: {parameter}");
    }
    for (function, parameter) in [
        ("TokenFunction", "TokenConcurrency"),
        ("AuthorizeFunction", "AuthorizeConcurrency"),
    ] {
        let reserved = &t["Resources"][function]["Properties"]["ReservedConcurrentExecutions"];
        // !If [condition, !Ref parameter, !Ref AWS::NoValue]
        assert_eq!(reserved[1].as_str(), Some(parameter), "{function}");
        let default = t["Parameters"][parameter]["Default"].as_i64();
        assert!(
            default.is_some_and(|d| d > 0),
            "{function} reserves by default"
        );
    }
    let authorizer = &t["Resources"]["AuthorizerFunction"]["Properties"];
    assert!(authorizer["ReservedConcurrentExecutions"].is_badvalue());
}

/// The template's defaults for what the deployment offers are values the code accepts.
#[test]
fn the_deployment_parameters_are_passed_on_and_their_defaults_parse() {
    let t = template();
    let vars = &t["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(vars["GRANT_TYPES"].as_str(), Some("GrantTypes"));
    assert_eq!(vars["PKCE_PLAIN"].as_str(), Some("PkcePlain"));
    let grants = t["Parameters"]["GrantTypes"]["Default"].as_str();
    let plain = t["Parameters"]["PkcePlain"]["Default"].as_str().unwrap();
    let d = oauth_core::protocol::deployment::Deployment::parse(grants, plain.parse().unwrap());
    assert_eq!(d, Ok(Default::default()));
}

/// The functions that sign (the token and authorize functions: JWT access tokens, ID tokens)
/// may open the signing keys with the stack's KMS key and are told which it is; the scheduled
/// rotation may seal new ones and open none; the authorizer, which only verifies, has no KMS
/// permission at all.
#[test]
fn only_the_functions_that_sign_may_open_the_signing_keys() {
    let t = template();
    for (function, may) in [
        ("TokenFunction", Some("kms:Decrypt")),
        ("AuthorizeFunction", Some("kms:Decrypt")),
        ("KeyRotationFunction", Some("kms:Encrypt")),
        ("AuthorizerFunction", None),
    ] {
        let props = &t["Resources"][function]["Properties"];
        let kms: Vec<(String, String)> = props["Policies"]
            .as_vec()
            .unwrap()
            .iter()
            .flat_map(|p| oauth_tests::template::all_permissions(&p["Statement"]))
            .filter(|(_, action)| action.starts_with("kms:"))
            .collect();
        let env = &props["Environment"]["Variables"]["SIGNING_KMS_KEY_ID"];
        if let Some(action) = may {
            assert_eq!(
                kms,
                [("SigningKey".to_owned(), action.to_owned())],
                "{function}"
            );
            assert_eq!(
                env["Ref"].as_str().or(env.as_str()),
                Some("SigningKey"),
                "{function}: {env:?}"
            );
        } else {
            assert!(kms.is_empty() && env.is_badvalue(), "{function}");
        }
    }
    // And no other function may use the key at all.
    let listed = [
        "TokenFunction",
        "AuthorizeFunction",
        "KeyRotationFunction",
        "AuthorizerFunction",
    ];
    for (name, r) in t["Resources"].as_hash().unwrap() {
        let name = name.as_str().unwrap();
        if listed.contains(&name) || r["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let kms = r["Properties"]["Policies"]
            .as_vec()
            .into_iter()
            .flatten()
            .flat_map(|p| oauth_tests::template::all_permissions(&p["Statement"]))
            .any(|(_, action)| action.starts_with("kms:"));
        assert!(!kms, "{name} may not use KMS");
    }
}

/// The rotation runs daily and rotates every `KeyRotationDays`, whose bounds are the code's.
#[test]
fn the_signing_keys_rotate_on_a_daily_schedule_every_key_rotation_days() {
    let t = template();
    let f = &t["Resources"]["KeyRotationFunction"];
    assert_eq!(
        f["Metadata"]["BuildProperties"]["Binary"].as_str(),
        Some("rotate-keys")
    );
    let events: Vec<&Yaml> = f["Properties"]["Events"]
        .as_hash()
        .unwrap()
        .values()
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["Type"].as_str(), Some("Schedule"));
    assert_eq!(
        events[0]["Properties"]["Schedule"].as_str(),
        Some("rate(1 day)")
    );
    let days = &f["Properties"]["Environment"]["Variables"]["KEY_ROTATION_DAYS"];
    assert_eq!(days.as_str(), Some("KeyRotationDays"));
    let p = &t["Parameters"]["KeyRotationDays"];
    let (min, max) = (
        p["MinValue"].as_i64().unwrap(),
        p["MaxValue"].as_i64().unwrap(),
    );
    let valid = |days: i64| {
        let s = oauth_core::Settings {
            key_rotation_days: u64::try_from(days).unwrap(),
            ..Default::default()
        };
        s.validate().is_ok()
    };
    assert!(
        valid(min) && valid(max),
        "the template's bounds are the code's"
    );
    assert!(!valid(min - 1) && !valid(max + 1));
    let default = p["Default"].as_i64().unwrap();
    assert_eq!(
        u64::try_from(default).unwrap(),
        oauth_core::Settings::default().key_rotation_days
    );
}

/// The signing keys are sealed with the stack's KMS key: the operator (`keys rotate`) may
/// encrypt with it, and nothing more.
#[test]
fn the_operator_seals_signing_keys_with_the_stacks_kms_key() {
    let t = template();
    let doc = &t["Resources"]["OperatorPolicy"]["Properties"]["PolicyDocument"];
    let kms: Vec<(String, String)> = oauth_tests::template::all_permissions(&doc["Statement"])
        .into_iter()
        .filter(|(_, action)| action.starts_with("kms:"))
        .collect();
    assert_eq!(kms, [("SigningKey".to_owned(), "kms:Encrypt".to_owned())]);
    let key = &t["Resources"]["SigningKey"]["Properties"];
    assert_eq!(key["KeyUsage"].as_str(), Some("ENCRYPT_DECRYPT"));
    assert_eq!(key["EnableKeyRotation"].as_bool(), Some(true));
}

/// The template shows both ways to protect a route: the Lambda authorizer (`OAuthBearer`) and
/// API Gateway's own JWT authorizer, whose issuer is the stack's and whose example route needs
/// a scope (`service/api_gateway_jwt.rs` plays its rules against our tokens).
#[test]
fn a_jwt_authorizer_protects_the_example_route_with_a_scope() {
    let t = template();
    let r = &t["Resources"];
    let a = &r["JwtAuthorizer"]["Properties"];
    assert_eq!(
        r["JwtAuthorizer"]["Type"].as_str(),
        Some("AWS::ApiGatewayV2::Authorizer")
    );
    assert_eq!(a["AuthorizerType"].as_str(), Some("JWT"));
    assert_eq!(
        a["IdentitySource"][0].as_str(),
        Some("$request.header.Authorization")
    );
    let issuer = format!("{:?}", a["JwtConfiguration"]["Issuer"]);
    assert!(
        issuer.contains("IssuerUrl") && issuer.contains("execute-api"),
        "{issuer}"
    );
    assert!(!a["JwtConfiguration"]["Audience"][0].is_badvalue());
    let route = &r["ExampleJwtRoute"]["Properties"];
    assert_eq!(route["AuthorizationType"].as_str(), Some("JWT"));
    assert_eq!(route["AuthorizerId"].as_str(), Some("JwtAuthorizer"));
    assert_eq!(
        route["AuthorizationScopes"][0].as_str(),
        Some("JwtExampleScope")
    );
    assert_eq!(route["RouteKey"].as_str(), Some("GET /example/jwt-whoami"));
    let lambda = &r["ExampleWhoAmIFunction"]["Properties"]["Events"]["WhoAmI"]["Properties"];
    assert_eq!(lambda["Auth"]["Authorizer"].as_str(), Some("OAuthBearer"));
}
