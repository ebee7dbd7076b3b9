//! The masking corpus: fake secrets of every kind, generated here from a seeded generator, in
//! the places they turn up (env dumps, .env, JSON, YAML, PEM files, `kubectl get secret`, URLs,
//! HTTP headers, command lines), and look-alikes that must come out byte-identical (git SHAs,
//! UUIDs, digests, base64 images, code and prose that talk about passwords and tokens).
//!
//! Every case is run whole, one byte at a time, and in random chunks; the whole corpus is also
//! run as one stream, so state carried between lines cannot leak from one case into the next.

#![allow(clippy::unwrap_used)] // a test fails loudly on what it did not expect

use guard::mask::{mask_str, Masker};
use proptest::prelude::*;

/// A piece of a case: text that stays, or a secret that must become `[masked:KIND]`.
#[derive(Clone, Debug)]
enum Piece {
    Keep(String),
    Secret(&'static str, String),
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    pieces: Vec<Piece>,
}

impl Case {
    fn input(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Keep(t) | Piece::Secret(_, t) => t.as_str(),
            })
            .collect()
    }
    fn expected(&self) -> String {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Keep(t) => t.clone(),
                Piece::Secret(kind, _) => format!("[masked:{kind}]"),
            })
            .collect()
    }
    fn secrets(&self) -> usize {
        self.pieces.iter().filter(|p| matches!(p, Piece::Secret(..))).count()
    }
}

/// Builds a case from alternating text and secrets: `k("a")` then `s(kind, value)`…
struct Builder {
    name: String,
    pieces: Vec<Piece>,
}

impl Builder {
    fn k(mut self, t: impl Into<String>) -> Self {
        self.pieces.push(Piece::Keep(t.into()));
        self
    }
    fn s(mut self, kind: &'static str, v: impl Into<String>) -> Self {
        self.pieces.push(Piece::Secret(kind, v.into()));
        self
    }
    fn done(self) -> Case {
        Case { name: self.name, pieces: self.pieces }
    }
}

fn case(name: impl Into<String>) -> Builder {
    Builder { name: name.into(), pieces: Vec::new() }
}

/// xorshift64 with a fixed seed: varied fake keys, the same ones on every run.
struct Fake(u64);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER_DIGIT: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";
const DIGITS: &[u8] = b"0123456789";

impl Fake {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick(&mut self, set: &[u8], n: usize) -> String {
        (0..n).map(|_| set[(self.next() % set.len() as u64) as usize] as char).collect()
    }
    fn aws_id(&mut self) -> String {
        format!("{}{}", if self.next().is_multiple_of(2) { "AKIA" } else { "ASIA" }, self.pick(UPPER_DIGIT, 16))
    }
    fn aws_secret(&mut self) -> String {
        self.pick(B64, 40)
    }
    fn github(&mut self) -> String {
        match self.next() % 6 {
            5 => format!("github_pat_{}_{}", self.pick(ALNUM, 22), self.pick(ALNUM, 59)),
            i => format!("gh{}_{}", ["p", "o", "u", "s", "r"][i as usize], self.pick(ALNUM, 36)),
        }
    }
    fn gitlab(&mut self) -> String {
        format!("glpat-{}", self.pick(ALNUM, 20))
    }
    fn slack(&mut self) -> String {
        let t = ["xoxb", "xoxp", "xoxa", "xoxr"][(self.next() % 4) as usize];
        format!("{t}-{}-{}-{}", self.pick(DIGITS, 12), self.pick(DIGITS, 13), self.pick(ALNUM, 24))
    }
    fn slack_hook_path(&mut self) -> String {
        format!("T{}/B{}/{}", self.pick(UPPER_DIGIT, 8), self.pick(UPPER_DIGIT, 10), self.pick(ALNUM, 24))
    }
    fn stripe(&mut self) -> String {
        let p = ["sk_live_", "rk_live_", "sk_test_", "rk_test_"][(self.next() % 4) as usize];
        let n = 24 + (self.next() % 75) as usize;
        format!("{p}{}", self.pick(ALNUM, n))
    }
    fn openai(&mut self) -> String {
        match self.next() % 3 {
            0 => format!("sk-proj-{}", self.pick(B64URL, 80)),
            1 => format!("sk-svcacct-{}", self.pick(B64URL, 60)),
            _ => format!("sk-{}", self.pick(ALNUM, 48)),
        }
    }
    fn anthropic(&mut self) -> String {
        format!("sk-ant-api03-{}AA", self.pick(B64URL, 93))
    }
    fn google(&mut self) -> String {
        format!("AIza{}", self.pick(B64URL, 35))
    }
    fn jwt(&mut self) -> String {
        format!(
            "eyJhbGciOiJSUzI1NiIsImtpZCI6I{}.eyJ{}.{}",
            self.pick(B64URL, 20),
            self.pick(B64URL, 120),
            self.pick(B64URL, 86)
        )
    }
    /// A password of letters, digits and the punctuation people put in passwords.
    fn password(&mut self) -> String {
        let first = self.pick(ALNUM, 1);
        let n = 7 + (self.next() % 20) as usize;
        format!("{first}{}", self.pick(b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!%^_+-.@", n))
    }
    fn base64_value(&mut self) -> String {
        let n = 3 * (2 + self.next() % 20) as usize + (self.next() % 3) as usize;
        let body = self.pick(B64, n.div_ceil(3) * 4);
        let pad = (3 - n % 3) % 3;
        format!("{}{}", &body[..body.len() - pad], "=".repeat(pad))
    }
    fn pem_body(&mut self, indent: &str, lines: usize) -> String {
        let mut v: Vec<String> = (0..lines).map(|_| self.pick(B64, 64)).collect();
        v.push(format!("{}==", self.pick(B64, 30)));
        v.join(&format!("\n{indent}"))
    }
    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-4{}-a{}-{}",
            self.pick(HEX, 8),
            self.pick(HEX, 4),
            self.pick(HEX, 3),
            self.pick(HEX, 3),
            self.pick(HEX, 12)
        )
    }
}

fn secret_cases(f: &mut Fake) -> Vec<Case> {
    let mut v = Vec::new();
    for round in 0..5 {
        let r = |n: &str| format!("{n} #{round}");
        // env dump (`env`, `printenv`, `docker exec … env`)
        v.push(
            case(r("env dump"))
                .k("SHELL=/bin/bash\nPWD=/home/dev/app\nAWS_ACCESS_KEY_ID=")
                .s("aws_access_key_id", f.aws_id())
                .k("\nAWS_SECRET_ACCESS_KEY=")
                .s("aws_secret_access_key", f.aws_secret())
                .k("\nGITHUB_TOKEN=")
                .s("github_token", f.github())
                .k("\nPGPASSWORD=")
                .s("secret", f.password())
                .k("\nHOME=/home/dev\nOPENAI_API_KEY=")
                .s("openai_key", f.openai())
                .k("\nANTHROPIC_API_KEY=")
                .s("anthropic_key", f.anthropic())
                .k("\nSTRIPE_SECRET_KEY=")
                .s("stripe_key", f.stripe())
                .k("\nSLACK_BOT_TOKEN=")
                .s("slack_token", f.slack())
                .k("\nDATABASE_URL=postgres://app:")
                .s("url_password", f.password())
                .k("@db.internal:5432/app\nLANG=C.UTF-8\nOLDPWD=/home/dev\n")
                .done(),
        );
        // .env file
        v.push(
            case(r(".env"))
                .k("# local settings\nAPP_ENV=development\nDB_PASSWORD=\"")
                .s("secret", format!("{} {}", f.password(), f.password()))
                .k("\"\nexport API_KEY='")
                .s("secret", f.password())
                .k("'\nSECRET_KEY_BASE=")
                .s("secret", f.pick(HEX, 128))
                .k("\nGITLAB_TOKEN=")
                .s("gitlab_token", f.gitlab())
                .k("\nGOOGLE_MAPS_KEY=")
                .s("google_api_key", f.google())
                .k("\nSLACK_WEBHOOK=https://hooks.slack.com/services/")
                .s("slack_webhook", f.slack_hook_path())
                .k("\nREDIS_URL=redis://:")
                .s("url_password", f.password())
                .k("@cache:6379/0\nPORT=8080\n")
                .done(),
        );
        // pretty JSON (`aws sts assume-role`, API responses)
        v.push(
            case(r("sts json"))
                .k("{\n    \"Credentials\": {\n        \"AccessKeyId\": \"")
                .s("aws_access_key_id", f.aws_id())
                .k("\",\n        \"SecretAccessKey\": \"")
                .s("aws_secret_access_key", f.aws_secret())
                .k("\",\n        \"SessionToken\": \"")
                .s("secret", f.pick(B64, 300))
                .k("\",\n        \"Expiration\": \"2024-05-01T13:00:00Z\"\n    }\n}\n")
                .done(),
        );
        // minified JSON with nested secrets
        v.push(
            case(r("minified json"))
                .k("{\"user\":\"app\",\"password\":\"")
                .s("secret", f.password())
                .k("\",\"access_token\":\"")
                .s("jwt", f.jwt())
                .k("\",\"refresh_token\":\"")
                .s("secret", f.pick(ALNUM, 40))
                .k("\",\"expires_in\":3600}\n")
                .done(),
        );
        // YAML config (application.yml, docker-compose, CI)
        v.push(
            case(r("yaml config"))
                .k("database:\n  host: db.internal\n  username: app\n  password: ")
                .s("secret", f.password())
                .k("\n  pool: 5\nredis:\n  url: redis://default:")
                .s("url_password", f.password())
                .k("@redis:6379\nservices:\n  - name: payments\n    apiKey: \"")
                .s("stripe_key", f.stripe())
                .k("\"\n    client_secret: ")
                .s("secret", f.password())
                .k(" # rotate monthly\n    webhookToken: '")
                .s("secret", f.password())
                .k("'\n")
                .done(),
        );
        // `kubectl get secret -o yaml`
        v.push(
            case(r("kubectl secret yaml"))
                .k("apiVersion: v1\ndata:\n  password: ")
                .s("k8s_secret", f.base64_value())
                .k("\n  tls.crt: ")
                .s("k8s_secret", f.pick(B64, 400))
                .k("\n  username: ")
                .s("k8s_secret", f.base64_value())
                .k("\nkind: Secret\nmetadata:\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: |\n      {\"apiVersion\":\"v1\",\"data\":{")
                .s("k8s_secret", format!("\"password\":\"{}\",\"username\":\"{}\"", f.base64_value(), f.base64_value()))
                .k("},\"kind\":\"Secret\",\"metadata\":{\"name\":\"db\"}}\n  name: db\n  namespace: prod\ntype: Opaque\n")
                .done(),
        );
        // `kubectl get secret -o json`
        v.push(
            case(r("kubectl secret json"))
                .k("{\n    \"apiVersion\": \"v1\",\n    \"data\": {\n        \".dockerconfigjson\": \"")
                .s("k8s_secret", f.pick(B64, 200))
                .k("\",\n        \"token\": \"")
                .s("k8s_secret", f.base64_value())
                .k("\"\n    },\n    \"kind\": \"Secret\",\n    \"type\": \"kubernetes.io/dockerconfigjson\"\n}\n")
                .done(),
        );
        // a list of secrets, and a manifest with stringData
        v.push(
            case(r("kubectl secret list"))
                .k("apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    ca.crt: ")
                .s("k8s_secret", f.pick(B64, 120))
                .k("\n    namespace: ")
                .s("k8s_secret", f.base64_value())
                .k("\n  kind: Secret\nkind: List\n---\nkind: Secret\nstringData:\n  DB_USER: ")
                .s("k8s_secret", format!("user{}", f.pick(DIGITS, 3)))
                .k("\n  DB_PASS: \"")
                .s("k8s_secret", f.password())
                .k("\"\ntype: Opaque\n")
                .done(),
        );
        // PEM private keys: a file, inside YAML, escaped in a service-account JSON
        let key_type = ["RSA ", "EC ", "OPENSSH ", "", "DSA ", "ENCRYPTED "][round % 6];
        v.push(
            case(r("pem file"))
                .k(format!("$ cat id_key\n-----BEGIN {key_type}PRIVATE KEY-----\n"))
                .s("private_key", f.pem_body("", 5 + round))
                .k(format!("\n-----END {key_type}PRIVATE KEY-----\n$ ls\n"))
                .done(),
        );
        v.push(
            case(r("encrypted pem"))
                .k("-----BEGIN RSA PRIVATE KEY-----\n")
                .s(
                    "private_key",
                    format!(
                        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,{}\n\n{}",
                        f.pick(HEX, 32).to_uppercase(),
                        f.pem_body("", 3)
                    ),
                )
                .k("\n-----END RSA PRIVATE KEY-----\n")
                .done(),
        );
        v.push(
            case(r("pgp key"))
                .k("-----BEGIN PGP PRIVATE KEY BLOCK-----\n")
                .s("private_key", format!("\n{}\n={}", f.pem_body("", 4), f.pick(B64, 4)))
                .k("\n-----END PGP PRIVATE KEY BLOCK-----\n")
                .done(),
        );
        v.push(
            case(r("pem in yaml"))
                .k("apiVersion: v1\nkind: Secret\nstringData:\n  tls.key: |\n    -----BEGIN PRIVATE KEY-----\n    ")
                .s("private_key", f.pem_body("    ", 4))
                .k("\n    -----END PRIVATE KEY-----\ntype: kubernetes.io/tls\n")
                .done(),
        );
        v.push(
            case(r("service account json"))
                .k(format!(
                    "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"",
                    f.pick(HEX, 40)
                ))
                .s(
                    "private_key",
                    format!(
                        "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
                        f.pem_body("", 3).replace('\n', "\\n")
                    ),
                )
                .k("\",\n  \"client_email\": \"ci@proj.iam.gserviceaccount.com\"\n}\n")
                .done(),
        );
        // ~/.aws/credentials and ~/.netrc-like files
        v.push(
            case(r("aws credentials"))
                .k("[default]\naws_access_key_id = ")
                .s("aws_access_key_id", f.aws_id())
                .k("\naws_secret_access_key = ")
                .s("aws_secret_access_key", f.aws_secret())
                .k("\nregion = eu-west-1\n")
                .done(),
        );
        // command lines as the audit log sees them
        v.push(
            case(r("command lines"))
                .k("curl -H 'Authorization: Bearer ")
                .s("authorization", f.pick(ALNUM, 40))
                .k("' https://api.example.com/v1/me\ncurl -u admin:")
                .s("secret", f.password())
                .k(" https://jenkins.example/api\ndocker login --password ")
                .s("secret", f.password())
                .k(" registry.example\nmysql --password=")
                .s("secret", f.password())
                .k(" -h db app\ngit push https://x-access-token:")
                .s("github_token", f.github())
                .k("@github.com/org/repo.git main\n")
                .done(),
        );
        // tokens in log lines and tool output, where no key names them
        v.push(
            case(r("log lines"))
                .k("2024-05-01T12:00:00Z DEBUG using ")
                .s("github_token", f.github())
                .k(" for org acme\n2024-05-01T12:00:01Z WARN slack call with ")
                .s("slack_token", f.slack())
                .k(" failed: ratelimited\nkey=")
                .s("google_api_key", f.google())
                .k("&v=3 served\nAuthorization: token ")
                .s("gitlab_token", f.gitlab())
                .k("\n> POST /hook https://hooks.slack.com/services/")
                .s("slack_webhook", f.slack_hook_path())
                .k("\nid_token ")
                .s("jwt", f.jwt())
                .k(" verified\n")
                .done(),
        );
        // docker inspect
        v.push(
            case(r("docker inspect env"))
                .k("            \"Env\": [\n                \"MYSQL_ROOT_PASSWORD=")
                .s("secret", f.password())
                .k("\",\n                \"PATH=/usr/local/sbin:/usr/local/bin\",\n                \"NPM_TOKEN=")
                .s("secret", format!("npm_{}", f.pick(ALNUM, 36)))
                .k("\"\n            ],\n")
                .done(),
        );
    }
    v
}

fn lookalike_cases(f: &mut Fake) -> Vec<Case> {
    let mut v = Vec::new();
    let keep = |name: &str, text: String| case(name).k(text).done();
    for round in 0..3 {
        let sha = f.pick(HEX, 40);
        v.push(keep("git log", format!("commit {sha}\nMerge: {} {}\nAuthor: Dev <dev@example.com>\n\n    Fix token refresh when the password changes\n", &sha[..7], f.pick(HEX, 7))));
        v.push(keep("git sha256", format!("{}\n", f.pick(HEX, 64))));
        v.push(keep(
            "sha256sum",
            format!("{}  guard-x86_64.tar.gz\n{}  guard-aarch64.tar.gz\n", f.pick(HEX, 64), f.pick(HEX, 64)),
        ));
        v.push(keep(
            "uuids",
            format!("request {} finished\n{{\"id\": \"{}\", \"parent\": \"{}\"}}\n", f.uuid(), f.uuid(), f.uuid()),
        ));
        v.push(keep("image digest", format!("nginx@sha256:{}\nsha512-{}==\n", f.pick(HEX, 64), f.pick(B64, 86))));
        v.push(keep(
            "data uri",
            format!("<img src=\"data:image/png;base64,{}==\">\n", f.pick(B64, 3000 + round * 997)),
        ));
        v.push(keep("base64 blob", format!("{}\n", f.pick(B64, 76).repeat(3))));
        v.push(keep(
            "ssh public key",
            format!("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{} dev@laptop\n", f.pick(B64, 43)),
        ));
        v.push(keep(
            "certificate",
            format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", f.pem_body("", 3)),
        ));
        v.push(keep(
            "public key",
            format!("-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n", f.pem_body("", 2)),
        ));
        v.push(keep("configmap", format!("apiVersion: v1\ndata:\n  LOG_LEVEL: info\n  PORT: \"8080\"\n  mode: fast\n  app.properties: |\n    retries=3\n    name=svc\nkind: ConfigMap\n# build {round}\n")));
        v.push(keep(
            "hashes in json",
            format!(
                "{{\"sha\": \"{}\", \"etag\": \"W/\\\"{}\\\"\", \"node_id\": \"{}\"}}\n",
                f.pick(HEX, 40),
                f.pick(HEX, 32),
                f.uuid()
            ),
        ));
    }
    let prose = [
        "Please enter your password.\n",
        "The token expired; request a new token and try again.\n",
        "Reset your password: open Settings, then Security.\n",
        "Enter your password: ",
        "[sudo] password for dev: \n",
        "Your API key is shown only once, so store it in a password manager.\n",
        "passwords must be at least 12 characters; tokens expire after 1 hour\n",
        "Use --password-stdin to read the password from standard input.\n",
        "AKIA is the prefix of long-term AWS access key ids, ASIA of temporary ones.\n",
        "GitHub tokens begin with ghp_, gho_ or github_pat_.\n",
        "Keys start with sk- and are 51 characters long.\n",
        "Authorization: header missing\n",
        "xoxo, the team\n",
    ];
    for p in prose {
        v.push(keep("prose", p.to_string()));
    }
    let code = [
        "    let token = lexer.next_token()?;\n",
        "fn password(&self) -> &str {\n",
        "    if token.kind == TokenKind::Eof {\n",
        "        token_count += 1;\n",
        "    self.password = password\n",
        "    token = tokens[0]\n",
        "def get_token(self, refresh=False):\n",
        "    password_hash = bcrypt.hash(password)\n",
        "const TOKEN_URL = \"https://auth.example.com/oauth/token\";\n",
        "    api_key_env = \"OPENAI_API_KEY\"\n",
        "    token: Token,\n",
        "    password: str\n",
        "  password: string;\n",
        "    secret = os.environ[\"SECRET\"]\n",
        "    return authenticate(user, password=password)\n",
        "export TOKEN=$(gh auth token)\n",
        "password: \"${DB_PASSWORD}\"\n",
        "token: {{ .Values.token }}\n",
        "  client_secret: <your client secret>\n",
        "    password: *default_password\n",
        "  password: |\n",
        "max_tokens = 4096\ntoken_ttl: 3600\npassword_min_length: 12\nsecretName: db-credentials\n",
        "if [ -z \"$GITHUB_TOKEN\" ]; then echo 'GITHUB_TOKEN is not set'; fi\n",
    ];
    for c in code {
        v.push(keep("code", c.to_string()));
    }
    let env = [
        "PWD=/home/dev/app\nOLDPWD=/home/dev\nSSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.42\nGIT_ASKPASS=/usr/lib/ssh/x11-ssh-askpass\n",
        "GOOGLE_APPLICATION_CREDENTIALS=/home/dev/.config/gcloud/sa.json\nKUBECONFIG=/home/dev/.kube/config\n",
        "HISTCONTROL=ignoredups\nLS_COLORS=rs=0:di=01;34:ln=01;36\n",
    ];
    for e in env {
        v.push(keep("env", e.to_string()));
    }
    let urls = [
        "https://example.com:8443/path?q=a@b\n",
        "ssh://git@github.com:22/org/repo.git\ngit@github.com:org/repo.git\n",
        "postgres://app:${DB_PASSWORD}@db.internal/app\n",
        "Visit https://hooks.slack.com/services/ to create a webhook.\n",
        "http://[::1]:8080/health\n",
        "docker run -u 1000:1000 alpine\n",
        "arn:aws:iam::123456789012:role/deploy\n",
    ];
    for u in urls {
        v.push(keep("urls", u.to_string()));
    }
    v
}

fn corpus() -> (Vec<Case>, Vec<Case>) {
    let mut f = Fake(0x9e37_79b9_7f4a_7c15);
    (secret_cases(&mut f), lookalike_cases(&mut f))
}

fn run(text: &[u8], chunks: &[usize]) -> Vec<u8> {
    let mut m = Masker::new(guard_rules::detectors());
    let mut out = Vec::new();
    let mut rest = text;
    for &n in chunks.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (a, b) = rest.split_at(n.clamp(1, rest.len()));
        m.feed(a, &mut out);
        rest = b;
    }
    m.finish(&mut out);
    out
}

fn check(c: &Case, chunks: &[usize]) {
    let got = run(c.input().as_bytes(), chunks);
    assert_eq!(
        String::from_utf8_lossy(&got),
        c.expected(),
        "case {:?}, chunks {:?}",
        c.name,
        &chunks[..chunks.len().min(8)]
    );
}

#[test]
fn every_secret_is_masked_and_every_lookalike_kept_whole_and_byte_by_byte() {
    let (secrets, lookalikes) = corpus();
    let masked: usize = secrets.iter().map(Case::secrets).sum();
    eprintln!("masking corpus: {masked} secrets in {} cases, {} look-alike cases", secrets.len(), lookalikes.len());
    assert!(
        masked >= 250 && lookalikes.len() >= 80,
        "the corpus shrank: {masked} secrets, {} look-alikes",
        lookalikes.len()
    );
    for c in secrets.iter().chain(&lookalikes) {
        check(c, &[usize::MAX]);
        check(c, &[1]);
        assert_eq!(mask_str(guard_rules::detectors(), &c.input()), c.expected(), "mask_str on {:?}", c.name);
    }
}

#[test]
fn every_kind_of_secret_is_in_the_corpus() {
    let (secrets, _) = corpus();
    for d in guard_rules::detectors().iter() {
        let covered = secrets.iter().flat_map(|c| &c.pieces).any(|p| matches!(p, Piece::Secret(k, _) if *k == d.kind));
        assert!(covered, "no corpus case masks as {}", d.kind);
    }
}

/// The masker finds triggers in a whole chunk at once and copies the lines between in bulk, so
/// where a chunk ends matters to it: each secret, amid ordinary lines (some with triggers of
/// their own), comes out the same with the stream cut in two at every byte around it, which
/// puts the secret at the very start or end of a chunk and cuts every trigger in it.
#[test]
fn a_cut_anywhere_near_a_secret_changes_nothing() {
    let (secrets, _) = corpus();
    let before = "2024-05-01T12:00:00Z INFO request finished status=200\n  passed 12 tests, 3 tokens left\n";
    let after = "\nfetched https://registry.example.com/pkg/a.tar.gz\nPWD=/home/dev OLDPWD=/home\nplain text\n";
    for c in &secrets {
        let (input, expected) = (format!("{before}{}{after}", c.input()), format!("{before}{}{after}", c.expected()));
        let whole = run(input.as_bytes(), &[usize::MAX]);
        assert_eq!(String::from_utf8_lossy(&whole), expected, "case {:?}", c.name);
        for cut in before.len() - 2..input.len() - after.len() + 2 {
            assert_eq!(run(input.as_bytes(), &[cut, usize::MAX]), whole, "case {:?} cut at {cut}", c.name);
        }
    }
}

/// All cases back to back as one stream, with a line between that closes any open section.
#[test]
fn the_corpus_as_one_stream() {
    let (secrets, lookalikes) = corpus();
    let sep = "---- next case ----\n";
    let all: Vec<&Case> = secrets.iter().chain(&lookalikes).collect();
    let input: String = all.iter().map(|c| c.input() + sep).collect();
    let expected: String = all.iter().map(|c| c.expected() + sep).collect();
    for chunks in [&[usize::MAX][..], &[1], &[4096], &[7, 300, 1, 65536]] {
        assert_eq!(String::from_utf8_lossy(&run(input.as_bytes(), chunks)), expected, "chunks {chunks:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_chunking_gives_the_same_output(i in any::<prop::sample::Index>(), chunks in prop::collection::vec(1usize..97, 1..20)) {
        let (secrets, lookalikes) = corpus();
        let all: Vec<&Case> = secrets.iter().chain(&lookalikes).collect();
        check(all[i.index(all.len())], &chunks);
    }

    /// Tokens drawn from their shapes are masked wherever they sit in a line of ordinary text.
    #[test]
    fn random_tokens_in_random_text_are_masked(
        before in "[a-z ]{0,30}",
        after in "[a-z ]{0,30}",
        token in prop_oneof![
            "gh[pousr]_[A-Za-z0-9]{36}".prop_map(|t| ("github_token", t)),
            "(AKIA|ASIA)[A-Z0-9]{16}".prop_map(|t| ("aws_access_key_id", t)),
            "glpat-[A-Za-z0-9_]{20}".prop_map(|t| ("gitlab_token", t)),
            "xox[bp]-[0-9]{12}-[0-9]{13}-[A-Za-z0-9]{24}".prop_map(|t| ("slack_token", t)),
            "(sk|rk)_live_[A-Za-z0-9]{24}".prop_map(|t| ("stripe_key", t)),
            "sk-ant-api03-[A-Za-z0-9_-]{90}".prop_map(|t| ("anthropic_key", t)),
            "sk-proj-[A-Za-z0-9_-]{60}".prop_map(|t| ("openai_key", t)),
            "AIza[A-Za-z0-9_-]{35}".prop_map(|t| ("google_api_key", t)),
            "eyJ[A-Za-z0-9_-]{20}\\.eyJ[A-Za-z0-9_-]{40}\\.[A-Za-z0-9_-]{43}".prop_map(|t| ("jwt", t)),
        ],
        chunks in prop::collection::vec(1usize..16, 1..8),
    ) {
        let (kind, token) = token;
        let input = format!("{before} {token} {after}\n");
        let want = format!("{before} [masked:{kind}] {after}\n");
        let got = run(input.as_bytes(), &chunks);
        prop_assert_eq!(String::from_utf8_lossy(&got), want);
    }

    /// Hex digests and UUIDs never look like secrets, whatever their digits.
    #[test]
    fn random_digests_are_kept(hex in "[0-9a-f]{40}|[0-9a-f]{64}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}") {
        let input = format!("commit {hex}\n{hex}  file.bin\n{{\"id\": \"{hex}\"}}\n");
        prop_assert_eq!(mask_str(guard_rules::detectors(), &input), input);
    }
}
